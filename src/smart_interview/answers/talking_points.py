"""Two to four bullets the candidate can say right away, each with where it came from.

Drawn from the passages ranked highest for the question (`hybrid.HybridIndex`: BM25 and
sentence embeddings fused; plain BM25 when the app has no embedding model): the candidate's
own evidence (CV, dossier) first, at most one line of the job description ("they ask
for…"), and the CV summary or dossier match summary when nothing specific matches. No
network, well under 50 ms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smart_interview.answers.context_sources import Passage
from smart_interview.answers.retrieval import ScoredPassage, terms
from smart_interview.models.answers import TalkingPoint

if TYPE_CHECKING:
    from smart_interview.answers.hybrid import Ranker

MAX_POINTS = 4
MIN_POINTS = 2
MAX_POINT_CHARS = 160
RELATIVE_FLOOR = 0.3
"""A passage scoring under this share of the best one is left out."""
JOB_FLOOR = 0.6
"""The job description line must be nearly as relevant as the best match to be shown."""
_JOB_SOURCES = ("Job description",)
_FALLBACK_ORDER: tuple[tuple[str, ...], ...] = (
    ("cv summary", "match summary"),
    ("summary", "profile", "about", "objective"),
    ("experience", "employment", "history"),
)


def talking_points(index: Ranker, query: str) -> list[TalkingPoint]:
    return [point for _, point in points_with_passages(index, query)]


def points_with_passages(index: Ranker, query: str) -> list[tuple[Passage, TalkingPoint]]:
    """The talking points in the order shown, each with the passage it was cut from."""
    ranked = index.search(query, k=12)
    if ranked:  # weak matches next to strong ones are noise ("you" in a legal footer)
        floor = ranked[0].score * RELATIVE_FLOOR
        ranked = [r for r in ranked if r.score >= floor]
    query_terms = set(terms(query, expand=True))
    own = [r for r in ranked if r.passage.source not in _JOB_SOURCES]
    job = [r for r in ranked if r.passage.source in _JOB_SOURCES
           and r.score >= ranked[0].score * JOB_FLOOR]
    chosen: list[ScoredPassage] = own[: MAX_POINTS - 1]
    if job:
        chosen.append(job[0])
    chosen += own[MAX_POINTS - 1:]
    points: list[tuple[Passage, TalkingPoint]] = []
    seen: set[str] = set()
    for item in chosen:
        _add(points, seen, item.passage, query_terms)
        if len(points) >= MAX_POINTS:
            break
    if len(points) < MIN_POINTS:
        for passage in sorted(index.passages, key=_fallback_rank):
            if _fallback_rank(passage) >= len(_FALLBACK_ORDER):
                break
            _add(points, seen, passage, query_terms)
            if len(points) >= MIN_POINTS:
                break
    return points


def _fallback_rank(passage: Passage) -> int:
    """When nothing matches the question: summaries first, then the latest experience."""
    source = passage.source.lower()
    for rank, words in enumerate(_FALLBACK_ORDER):
        if any(word in source for word in words):
            return rank
    return len(_FALLBACK_ORDER)


def _add(points: list[tuple[Passage, TalkingPoint]], seen: set[str], passage: Passage,
         query_terms: set[str]) -> None:
    text = _shorten(passage.text, query_terms)
    key = text.lower()
    if key in seen:
        return
    seen.add(key)
    if passage.source in _JOB_SOURCES:
        text = f"The role asks for: {text}"
    points.append((passage, TalkingPoint(text=text, source=passage.source)))


def _shorten(text: str, query_terms: set[str]) -> str:
    if len(text) <= MAX_POINT_CHARS:
        return text
    sentences = [s.strip() for s in text.replace("; ", ". ").split(". ") if s.strip()]
    best = max(sentences, key=lambda s: len(query_terms & set(terms(s))))
    if len(best) <= MAX_POINT_CHARS:
        return best
    cut = best[: MAX_POINT_CHARS - 1].rsplit(" ", 1)[0]
    return f"{cut}…"
