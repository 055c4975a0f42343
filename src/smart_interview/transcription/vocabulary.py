"""The words of this interview that Whisper does not expect, and how they reach the decoder.

Whisper hears "Cuba neat sin production" for "Kubernetes in production" unless it is told the
word: given the terms of the CV and the job description as a glossary before its prompt it
writes them. `extract_terms` takes them from the documents' text (pure text processing; the
app passes the documents and the result, the decoder never reads a document):

- technologies and products written with inner capitals, digits or symbols (PostgreSQL, gRPC,
  Node.js, C++, S3), and acronyms (AWS, SRE);
- capitalised words and runs of them inside a line (company, product, school and place
  names: "Castro Freight"), unless the same word also appears in lower case (then it is an
  ordinary word capitalised in a title) or Whisper already knows it as one token;
- lower-case words Whisper spells in three or more tokens (idempotent, kubernetes).

Ranked by how often they occur, how many documents name them, and how hard they are for the
decoder (tokens per word). `Vocabulary` turns the ranked terms into the prompt tokens, capped
so that the glossary and the preceding final text together fit Whisper's 223-token prompt.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

MAX_PROMPT_TOKENS = 223
"""Whisper's prompt (the text after <|startofprev|>) holds at most this many tokens."""

TokenCount = Callable[[str], int]
"""How many decoder tokens a word takes after a space (" Kubernetes" → 4)."""

_WORD = re.compile(r"(?<![\w.+#/-])(?:[A-Za-z][\w.+#/-]*[\w+#]|[A-Za-z])")
_ADDRESS = re.compile(r"\S+@\S+|(?:https?://|www\.)\S+|\S+\.(?:com|org|net|io|dev|me)\b\S*",
                      re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?:;•·|]\s*$")
_STOP = frozenset(str.split(
    "a an and are as at be by for from i in is it of on or our the to we with you your "
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday "
    "friday saturday sunday present current today ltd inc llc plc co corp gmbh "
    "mr mrs ms dr etc eg ie vs"))
_TITLES = frozenset(str.split(
    "senior junior lead staff principal chief head engineer engineering developer manager "
    "director software backend frontend platform data team intern consultant analyst "
    "architect experience education skills summary projects profile contact about "
    "references languages certifications awards interests objective university college "
    "school institute bsc msc phd ba ma bs ms mba"))
_MAX_RUN = 3
STYLES = ("glossary", "hotwords", "both")


def extract_terms(documents: Iterable[str], *, token_count: TokenCount | None = None,
                  limit: int = 60) -> list[str]:
    """The distinctive terms of `documents` (CV, job description, dossier text), best first.

    `token_count` (the decoder's tokenizer) tells which words Whisper finds hard; without it a
    word's length stands in for it."""
    count = token_count or _length_tokens
    texts = [d for d in documents if d and d.strip()]
    lower_seen = {w for text in texts for w in _WORD.findall(text) if w.islower()}
    found: Counter[str] = Counter()
    docs: dict[str, set[int]] = {}
    forms: dict[str, Counter[str]] = {}
    order: dict[str, int] = {}
    for index, text in enumerate(texts):
        for term in _candidates(text, lower_seen, count):
            key = term.lower()
            found[key] += 1
            docs.setdefault(key, set()).add(index)
            forms.setdefault(key, Counter())[term] += 1
            order.setdefault(key, len(order))

    def score(key: str) -> tuple[float, int]:
        hard = max(count(w) for w in forms[key].most_common(1)[0][0].split())
        return (min(found[key], 4) + 2 * (len(docs[key]) - 1) + min(hard, 4), -order[key])

    ranked = sorted(found, key=score, reverse=True)
    return [forms[key].most_common(1)[0][0] for key in ranked[:limit]]


def _candidates(text: str, lower_seen: set[str], count: TokenCount) -> Iterable[str]:
    for line in _ADDRESS.sub(" , ", text).splitlines():
        run: list[str] = []
        initial, first, last_end = False, True, 0
        for match in _WORD.finditer(line):
            word = match.group().rstrip(".")
            line_start = first or bool(_SENTENCE_END.search(line[: match.start()]))
            first = False
            if run and line[last_end : match.start()].strip():  # a comma, a bullet: a new name
                yield from _flush(run, initial, lower_seen, count)
                run = []
            last_end = match.end()
            if _technical(word, count):
                yield from _flush(run, initial, lower_seen, count)
                run = []
                yield word
            elif word[:1].isupper() and word.lower() not in _STOP:
                if not run:
                    initial = line_start
                run.append(word)
                if len(run) == _MAX_RUN:
                    yield from _flush(run, initial, lower_seen, count)
                    run = []
            else:
                yield from _flush(run, initial, lower_seen, count)
                run = []
                if (word.islower() and word.isalpha() and len(word) >= 6
                        and count(word) >= 3):
                    yield word
        yield from _flush(run, initial, lower_seen, count)


def _technical(word: str, count: TokenCount) -> bool:
    """Inner capitals, digits or symbols (gRPC, PostgreSQL, S3, C++, Node.js), or an acronym
    that is not a capitalised word (SKILLS)."""
    if len(word) < 2 or word.lower() in _STOP or "-" in word:
        return False
    inner = any(c.isupper() for c in word[1:]) and any(c.islower() for c in word)
    acronym = (word.isupper() and word.isalpha() and 2 <= len(word) <= 6
               and count(word.lower()) >= 2)
    symbols = any(c in "+#" for c in word) or (
        any(c.isdigit() for c in word) and any(c.isalpha() for c in word))
    tail = word.rsplit(".", 1)[-1]
    dotted = "." in word.strip(".") and tail.islower() and len(tail) >= 2
    return inner or acronym or symbols or dotted


def _flush(run: list[str], initial: bool, lower_seen: set[str],
           count: TokenCount) -> Iterable[str]:
    """A run of capitalised words (`initial`: it opens a line or sentence). Titles and
    ordinary words around it go ("Senior ... Engineer", "Tarrant University" → "Tarrant"),
    and so does a first word of a line that Whisper knows as one token ("Built"). What is
    left is a name ("Castro Freight") if some of its words are ordinary, or each word alone
    if all are unusual (a list: "Istio Cilium Kuma")."""

    def ordinary(word: str) -> bool:
        key = word.lower()
        return key in lower_seen or key in _STOP or key in _TITLES

    def unusual(word: str) -> bool:
        return not ordinary(word) and count(word.lower()) >= 2

    while run and (ordinary(run[0]) or (initial and not unusual(run[0]))):
        run, initial = run[1:], False
    while run and ordinary(run[-1]):
        run = run[:-1]
    if len(run) > 1 and all(unusual(w) for w in run):
        yield from run
    elif run and len(" ".join(run)) >= 3:
        yield " ".join(run)


def whisper_token_count(model: Any) -> TokenCount:
    """`TokenCount` from a loaded faster-whisper model's tokenizer."""
    tokenizer = model.hf_tokenizer

    def count(word: str) -> int:
        return len(tokenizer.encode(" " + word, add_special_tokens=False).ids)

    return count


def _length_tokens(word: str) -> int:
    return 1 + len(word) // 5


@dataclass(frozen=True)
class Vocabulary:
    """The terms the decoder is told, as it is told them.

    `style` "glossary": "Glossary: Kubernetes, Kafka, PostgreSQL." before the preceding final
    text in the prompt; "hotwords": the terms alone ("Kubernetes, Kafka, PostgreSQL"), as
    faster-whisper's `hotwords` puts them; "both": the terms, then the glossary."""

    terms: tuple[str, ...] = ()
    style: str = "hotwords"
    max_tokens: int = 60
    """The glossary's share of the prompt; the preceding final text gets the rest.

    The defaults are `bench vocabulary`'s best trade (docs/streaming.md): the glossary
    prompt and longer lists heard a few more terms but changed more of the speech that names
    none (control WER 10.8 → 18.6 % with a 120-token glossary, 11.3 % with these)."""

    def __post_init__(self) -> None:
        if self.style not in STYLES:
            raise ValueError(f"style must be one of {', '.join(STYLES)}")
        if not 0 <= self.max_tokens < MAX_PROMPT_TOKENS:
            raise ValueError(f"max_tokens must be below {MAX_PROMPT_TOKENS}")

    def text(self, terms: Sequence[str] | None = None) -> str:
        chosen = list(self.terms if terms is None else terms)
        if not chosen:
            return ""
        listed = ", ".join(chosen)
        if self.style == "hotwords":
            return listed
        glossary = f"Glossary: {listed}."
        return glossary if self.style == "glossary" else f"{listed} {glossary}"

    def fit(self, encode: Callable[[str], list[int]]) -> tuple[tuple[str, ...], list[int]]:
        """The terms that fit `max_tokens` (whole terms, best first) and their prompt tokens
        (`encode`: the decoder's tokenizer, text → token ids)."""
        kept: list[str] = []
        tokens: list[int] = []
        for term in dict.fromkeys(t.strip() for t in self.terms if t.strip()):
            trial = encode(" " + self.text([*kept, term]))
            if len(trial) > self.max_tokens:
                continue
            kept.append(term)
            tokens = trial
        return tuple(kept), tokens
