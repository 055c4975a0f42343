"""Where a detected question lies in a revised turn, and what it says there.

A revision decodes the interviewer's whole turn again ("Thanks. How would you design a great
limiter for an API?" where the final read "...a great living refrigerator for an API"). The
question is the stretch of the revision aligned with the question as first heard (from where
its first word falls to where its last word falls, by the longest common runs of words); it
counts only if it shares enough of its words, is about as long, and still reads as a
question."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from smart_interview.answers.question_detector import QuestionDetector

_WORD = re.compile(r"[a-z0-9']+")
_REACH = 3


def _key(token: str) -> str:
    return "".join(_WORD.findall(token.lower()))


def revised_text(question: str, revision: str, detector: QuestionDetector) -> str | None:
    """The question's text in `revision`, or None if it is not found there or reads the same
    (case and punctuation aside)."""
    asked = [k for k in (_key(t) for t in question.split()) if k]
    tokens = revision.split()
    keys = [_key(t) for t in tokens]
    if not asked or not tokens:
        return None
    blocks = [b for b in SequenceMatcher(None, asked, keys, autojunk=False)
              .get_matching_blocks() if b.size]
    if not blocks:
        return None
    first, last = blocks[0], blocks[-1]
    start = max(0, first.b - first.a)
    end = min(len(tokens), last.b + last.size + (len(asked) - last.a - last.size))
    ahead = next((n for n in range(end, min(end + _REACH, len(tokens)))
                  if tokens[n].endswith((".", "?", "!"))), None)
    if end and ahead is not None and not tokens[end - 1].endswith((".", "?", "!")):
        end = ahead + 1  # a word heard as two or three: the sentence's end is near
    span = [k for k in keys[start:end] if k]
    if span == asked or not span or len(span) > 1.5 * len(asked) + 2:
        return None
    if SequenceMatcher(None, asked, span, autojunk=False).ratio() < 0.5:
        return None
    text = " ".join(tokens[start:end]).strip()
    return text if detector.detect(text).is_question else None
