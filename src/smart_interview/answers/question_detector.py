"""Is this interviewer utterance a question the candidate should answer?

Rules over tokens, no model: Whisper often drops the question mark, so the detector looks at
the shape of each clause instead — wh-words followed by an auxiliary ("what would you…"),
auxiliary inversion ("have you used…"), interview prompts ("tell me about…", "walk me
through…"), and short follow-ups ("and why was that"). Utterances are cut into clauses at
punctuation and at discourse words ("so", "um", "okay", "and"…), so "we use go here so have
you written any" is found in its second clause. Small talk and logistics ("can you hear me",
"shall I share my screen", "does that make sense") veto the clauses they touch.

One call costs a few tens of microseconds (`smart-interview bench questions` prints it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*|[?.!,;:]")
_PUNCT = {"?", ".", "!", ",", ";", ":"}

BOUNDARY_WORDS = frozenset({
    "um", "umm", "uh", "uhm", "erm", "er", "hmm", "mm", "so", "okay", "ok", "alright", "now",
    "well", "anyway", "cool", "great", "nice", "perfect", "interesting", "right", "yeah",
    "yes", "oh", "wow", "thanks", "and", "but", "then", "also", "actually",
})
#: Word pairs whose first word is not a discourse boundary ("right now", "so far").
NOT_BOUNDARY_PAIRS = frozenset({("right", "now"), ("so", "far"), ("so", "much"), ("so", "that"),
                                ("well", "as"), ("great", "deal"), ("now", "that")})
#: After a clause-initial auxiliary these mean "statement", not inversion ("is in the…").
NOT_A_SUBJECT = frozenset({
    "in", "on", "at", "to", "for", "of", "about", "with", "from", "by", "as", "not", "be",
    "been", "being", "really", "very", "also", "just", "always", "never", "going", "pretty",
    "quite", "mostly", "so", "too", "a", "an",
})
#: Relative pronouns: mid-clause they start a relative clause, not a question.
RELATIVE_WORDS = frozenset({"who", "which", "whom", "whose", "that"})
AUXILIARIES = frozenset({
    "do", "does", "did", "have", "has", "had", "are", "is", "was", "were", "can", "could",
    "would", "will", "should", "shall", "may", "might", "am", "don't", "didn't", "doesn't",
    "haven't", "wouldn't", "isn't", "aren't", "won't", "can't", "couldn't",
})
WH_WORDS = frozenset({"what", "why", "how", "when", "where", "which", "who", "whom", "whose"})
WH_CONTRACTIONS = frozenset({
    "what's", "whats", "how's", "where's", "who's", "why's", "what're", "how'd", "what'd",
    "where'd", "why'd", "who'd", "what've", "how're",
})
SUBJECT_WORDS = frozenset({
    "i", "we", "they", "he", "she", "it", "that", "this", "our", "my", "their", "the", "a",
    "i'm", "we're", "they're", "i've", "we've", "i'd", "we'd", "it's", "that's",
})
INVERSION_SUBJECTS = frozenset({"you", "there", "it"})

PROMPT_ONSETS: tuple[tuple[str, ...], ...] = tuple(tuple(p.split()) for p in (
    "tell me", "tell us", "walk me through", "walk us through", "talk me through",
    "talk us through", "take me through", "take us through", "run me through", "describe",
    "explain", "give me", "give us", "share", "talk about", "let's talk about",
    "let's discuss", "elaborate", "say more", "help me understand", "i'd like to hear",
    "i'd love to hear", "i'd like to know", "i'd love to know", "i want to understand",
    "i want to hear", "i'd like to understand", "i'm curious", "i am curious",
    "i was wondering", "i wonder", "design", "sketch", "imagine", "go through",
    "can you go", "could you go", "what if", "how about", "what about", "talk to me about",
    "i would like to hear", "i would love to hear", "i would like to know",
    "i'd be interested", "i would be interested", "i'm interested in hearing", "fill me in",
))
FOLLOW_UP_PHRASES = frozenset({
    "why", "why not", "how so", "how come", "such as", "like what", "for example",
    "for instance", "meaning", "go on", "and then", "in what way", "what else",
    "anything else", "tell me more", "say more", "and why", "and how", "why is that",
    "why was that",
})
FOLLOW_UP_PREFIXES: tuple[tuple[str, ...], ...] = (
    ("and", "if"), ("what", "if"), ("anything", "else"), ("and", "why"), ("and", "how"),
    ("and", "what"),
)
ANAPHORA = frozenset({"that", "it", "this", "then", "there", "those", "them"})

#: Small talk, logistics and comprehension checks from the interviewer's side. A clause that
#: overlaps one of these is not a question to answer.
NOT_A_QUESTION = re.compile(r"\b(?:" + "|".join((
    r"hear (?:me|us|you)", r"see (?:my|the|your) screen", r"share (?:my|the|your) screen",
    r"(?:on|off) mute", r"\bmute\b", r"audio", r"video", r"camera", r"\bmic\b", r"microphone",
    r"connection", r"breaking up", r"cut out", r"the link", r"the chat", r"font", r"text bigger",
    r"record (?:this|the call)", r"good time", r"get (?:started|going)",
    r"(?:should|shall) we start",
    r"ready to start", r"a break", r"how are you", r"how's (?:your|the) (?:day|week|morning)",
    r"how is your (?:day|week)", r"good weekend", r"your weekend", r"lunch", r"weather",
    r"trouble finding", r"find the office", r"make sense", r"is that (?:clear|okay|ok|alright)",
    r"answer (?:your|the) question", r"repeat", r"say that again", r"catch that", r"still there",
    r"are you there", r"what was that$", r"(?:shall|should|can) (?:i|we) move on",
    r"good to move on", r"you know what i mean", r"work for you", r"minute to think",
    r"water", r"questions so far", r"do you mind", r"call you back", r"based in",
    r"which is why", r"that's why", r"shall i", r"should i", r"can i", r"may i", r"am i",
    r"do i\b", r"give me (?:a|one) (?:second|sec|moment|minute)", r"one sec",
)) + r")")

#: A segment ending with one of these was cut by a pause: wait briefly for its continuation.
DANGLING_ENDINGS = frozenset({
    "the", "a", "an", "your", "my", "our", "their", "his", "her", "its", "and", "or", "but",
    "because", "if", "whether", "than", "when", "where", "um", "uh", "erm", "about", "through",
    "between", "into",
})


@dataclass(frozen=True)
class Detection:
    is_question: bool
    kind: str | None
    """"direct", "wh", "yes_no", "prompt" or "follow_up" when `is_question`."""
    incomplete: bool
    """The text ends mid-phrase ("tell me about a time when"): more may follow."""


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("’", "'").replace("‘", "'"))


def _words(tokens: list[str]) -> list[str]:
    return [t for t in tokens if t not in _PUNCT]


class QuestionDetector:
    """Stateless and thread-safe: `detect(text)` classifies one utterance."""

    def detect(self, text: str) -> Detection:
        tokens = tokenize(text)
        words = _words(tokens)
        if not words:
            return Detection(False, None, False)
        incomplete = words[-1] in DANGLING_ENDINGS and tokens[-1] != "?"
        vetoed = self._vetoed_word_positions(words)
        core = [w for w in words if w not in BOUNDARY_WORDS]
        core_text = " ".join(w for w in words if w not in _FILLERS)
        if not vetoed and (core_text in FOLLOW_UP_PHRASES or any(
                tuple(words[: len(p)]) == p for p in FOLLOW_UP_PREFIXES)):
            return Detection(True, "follow_up", incomplete)
        kinds: list[str] = []
        clauses = self._clauses(tokens)
        blocked = [any(i in vetoed for i in range(s, s + len(c))) for c, s, _ in clauses]
        for n, (clause, _start, ends_with_mark) in enumerate(clauses):
            near_veto = any(blocked[max(0, n - 1): n + 2])
            if blocked[n] or (near_veto and len(clause) <= 2):
                continue  # logistics, or a fragment split off from it ("is it | okay if…")
            kind = self._clause_kind(clause)
            if kind is None and ends_with_mark and len(clause) >= 2:
                kind = "direct"
            if kind is not None:
                kinds.append("direct" if ends_with_mark and kind in ("wh", "yes_no") else kind)
        if not kinds:
            return Detection(False, None, incomplete)
        kind = kinds[-1]
        if self._looks_like_follow_up(words, core):
            kind = "follow_up"
        return Detection(True, kind, incomplete)

    # -- pieces -------------------------------------------------------------------------

    @staticmethod
    def _vetoed_word_positions(words: list[str]) -> set[int]:
        joined = " ".join(words)
        positions: set[int] = set()
        for match in NOT_A_QUESTION.finditer(joined):
            first = joined.count(" ", 0, match.start())
            last = joined.count(" ", 0, max(match.start(), match.end() - 1))
            positions.update(range(first, last + 1))
        return positions

    @staticmethod
    def _clauses(tokens: list[str]) -> list[tuple[list[str], int, bool]]:
        """(clause words, index of its first word among all words, ends with "?")."""
        clauses: list[tuple[list[str], int, bool]] = []
        current: list[str] = []
        start = 0
        index = 0
        for position, token in enumerate(tokens):
            following = tokens[position + 1] if position + 1 < len(tokens) else ""
            previous = tokens[position - 1] if position else ""
            is_boundary = token in BOUNDARY_WORDS and (token, following) not in NOT_BOUNDARY_PAIRS \
                and (previous, token) not in NOT_BOUNDARY_PAIRS
            if token in _PUNCT:
                if current:
                    clauses.append((current, start, token == "?"))
                elif token == "?" and clauses:
                    words, begin, _ = clauses[-1]
                    clauses[-1] = (words, begin, True)
                current = []
                continue
            if is_boundary:
                if current:
                    clauses.append((current, start, False))
                current = []
                index += 1
                continue
            if not current:
                start = index
            current.append(token)
            index += 1
        if current:
            clauses.append((current, start, False))
        return clauses

    def _clause_kind(self, clause: list[str]) -> str | None:
        for onset in PROMPT_ONSETS:
            if tuple(clause[: len(onset)]) == onset:
                return "prompt"
        for i, word in enumerate(clause):
            kind = self._onset_kind(clause, i, word)
            if kind is not None:
                return kind
        return None

    @staticmethod
    def _onset_kind(clause: list[str], i: int, word: str) -> str | None:
        after = clause[i + 1] if i + 1 < len(clause) else None
        at_start = i == 0
        if word in WH_CONTRACTIONS:
            return "wh"
        if word in WH_WORDS:
            if word in RELATIVE_WORDS and not at_start:
                return None
            if after is None:
                return "wh" if at_start else None
            if after in AUXILIARIES:
                return "wh"
            if word in ("when", "where"):
                return None
            if after in SUBJECT_WORDS:
                return None
            if word == "how":
                # "how deep is…", "how long did…", "how much of…", "how comfortable are you"
                if at_start or (i + 2 < len(clause) and clause[i + 2] in AUXILIARIES):
                    return "wh"
                return None
            if not at_start:
                return None
            if after == "you":
                return "wh"
            rest = clause[i + 2:]
            if word in ("what", "which", "who") and ("is" in rest or "was" in rest) and not (
                "you" in rest or "your" in rest
            ):
                return None  # pseudo-cleft: "what matters most to us is ownership"
            return "wh"
        if word in AUXILIARIES and not word.endswith("n't") and word != "am":
            if at_start and after is not None and after not in NOT_A_SUBJECT:
                if word in ("have", "do") and after in ("the", "some", "fun"):
                    return None  # imperative: "have a great day", "do the exercise"
                return "yes_no"
            if after in INVERSION_SUBJECTS and i >= 1 and clause[i - 1] not in _SUBORDINATORS:
                return "yes_no"
        return None

    @staticmethod
    def _looks_like_follow_up(words: list[str], core: list[str]) -> bool:
        if words[0] == "and" and len(core) <= 8:
            return True
        return len(core) <= 5 and any(w in ANAPHORA for w in core)


_FILLERS = frozenset({"um", "umm", "uh", "uhm", "erm", "er", "hmm", "okay", "ok", "so", "right",
                      "alright", "interesting", "well"})
_SUBORDINATORS = frozenset({"if", "whether", "that", "when", "what", "as", "because", "while"})
