"""Where a detected question lies in a revised turn, and what it says there.

A revision decodes the interviewer's whole turn again ("Thanks. How would you design a great
limiter for an API?" where the final read "...a great living refrigerator for an API"). The
question is the stretch of the revision, one to three sentences, that shares the most words
in order with the question as first heard; it counts only if it still reads as a question."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from smart_interview.answers.question_detector import QuestionDetector

_SENTENCE = re.compile(r"[^.?!]+[.?!]*")
_WORD = re.compile(r"[a-z0-9']+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def revised_text(question: str, revision: str, detector: QuestionDetector) -> str | None:
    """The question's text in `revision`, or None if it is not found there or reads the same
    (case and punctuation aside)."""
    sentences = [s.strip() for s in _SENTENCE.findall(revision) if s.strip()]
    asked = words(question)
    best, best_score = "", 0.0
    for first in range(len(sentences)):
        for last in range(first, min(first + 3, len(sentences))):
            text = " ".join(sentences[first : last + 1])
            score = SequenceMatcher(None, asked, words(text), autojunk=False).ratio()
            if score > best_score:
                best, best_score = text, score
    if best_score < 0.5 or words(best) == asked:
        return None
    return best if detector.detect(best).is_question else None
