"""BM25 over the interview passages (bm25s), with a light stemmer and interview synonyms.

Behavioural questions rarely share words with a CV ("a time you had a conflict" vs "aligned
three teams on…"), so a small table widens such queries with the words CVs use for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from smart_interview.answers.context_sources import Passage

_WORD = re.compile(r"[a-z0-9][a-z0-9+#.]*[a-z0-9+#]|[a-z0-9]")
_STOPWORD_TEXT = """
a an the and or but so um uh erm okay ok right well like just really you your yours i me my we
our us they them it its is are was were be been being do does did done have has had can could
would will should shall to of in on at for with about from by as that this these those there
what why how when where which who whom whose tell walk through describe explain give example
time say talk share let lets let's know think bit little any some more most very also one
into out up if then than too can't don't didn't you've you'd you're i'm we're much many
experience experienced work worked working job role use used using
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ied", "ies", "ers", "er", "ed",
             "es", "s", "ly")

_EXPANSIONS: dict[str, tuple[str, ...]] = {
    "conflict": ("disagreement", "stakeholder", "align", "negotiate", "resolve"),
    "disagree": ("conflict", "stakeholder", "align", "negotiate"),
    "leadership": ("led", "lead", "manage", "mentor", "team", "head"),
    "lead": ("led", "manage", "mentor", "team"),
    "manage": ("led", "lead", "team", "mentor"),
    "mentor": ("coach", "train", "junior", "onboard"),
    "fail": ("mistake", "lesson", "incident", "fix"),
    "mistake": ("lesson", "incident", "fix"),
    "challenge": ("complex", "migration", "scale", "incident", "improve"),
    "difficult": ("challenge", "complex", "stakeholder"),
    "proud": ("award", "achieve", "improve", "reduce", "increase", "launch", "deliver"),
    "accomplishment": ("award", "achieve", "improve", "reduce", "increase", "launch"),
    "achievement": ("award", "achieve", "improve", "reduce", "increase", "launch"),
    "deadline": ("deliver", "launch", "ship", "schedule"),
    "pressure": ("deadline", "deliver", "incident", "launch"),
    "collaborate": ("team", "cross", "partner", "stakeholder"),
    "yourself": ("summary", "experience", "engineer", "years"),
    "background": ("summary", "experience", "education", "years"),
    "strength": ("skill", "expert", "experience"),
    "weakness": ("improve", "learn", "gap"),
    "motivate": ("passion", "enjoy", "goal"),
    "customer": ("client", "user", "support"),
    "incident": ("outage", "production", "on-call", "monitor"),
    "performance": ("latency", "speed", "optimise", "optimize", "reduce", "faster"),
    "improve": ("reduce", "increase", "optimise", "optimize", "faster"),
    "scale": ("performance", "traffic", "latency", "throughput"),
}


def stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            return base + "y" if suffix in ("ied", "ies") else base
    return word


def terms(text: str, *, expand: bool = False) -> list[str]:
    words = [w for w in _WORD.findall(text.lower().replace("'s ", " "))
             if w not in STOPWORDS and (len(w) > 1 or w in ("c", "r"))]
    found = [stem(w) for w in words]
    if expand:
        for word in list(found):
            for extra in _EXPANSIONS.get(word, ()):
                found.append(stem(extra))
    return found


@dataclass(frozen=True)
class ScoredPassage:
    passage: Passage
    score: float


class PassageIndex:
    """Built once per session (a few ms for a CV and a job description); queries in < 1 ms."""

    def __init__(self, passages: list[Passage]) -> None:
        import bm25s

        self.passages = passages
        self._retriever: bm25s.BM25 | None = None
        corpus = [terms(p.text) for p in passages]
        if any(corpus):
            self._retriever = bm25s.BM25()
            self._retriever.index([c or ["\u2205"] for c in corpus], show_progress=False)

    def search(self, query: str, *, k: int = 8) -> list[ScoredPassage]:
        if self._retriever is None:
            return []
        query_terms = terms(query, expand=True)
        if not query_terms:
            return []
        scores = self._retriever.get_scores(query_terms)
        ranked = sorted(range(len(self.passages)), key=lambda i: -float(scores[i]))
        return [ScoredPassage(self.passages[i], float(scores[i]))
                for i in ranked[:k] if scores[i] > 0]
