"""Cooldown and de-duplication: the same question is answered once.

Interviewers repeat and rephrase ("what's your biggest weakness… like what would you say your
weakness is"), and a transcriber can emit overlapping finals. A question whose content words
mostly match one accepted within `cooldown_s` is dropped. Content-free follow-ups ("why?") are
only dropped when repeated word for word within `repeat_window_s`.
"""

from __future__ import annotations

from collections import deque

from smart_interview.answers.question_detector import tokenize

_STOPWORD_TEXT = """
a an the and or but so um uh erm okay ok right well like just really you your yours i me my we
our us they them it its is are was were be been do does did have has had can could would will
should shall to of in on at for with about from by as that this these those there what why how
when where which who whom whose tell walk describe explain give example time say would'd
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def content_words(text: str) -> frozenset[str]:
    return frozenset(t for t in tokenize(text) if t.isalnum() and t not in _STOPWORDS)


class DuplicateFilter:
    def __init__(self, *, cooldown_s: float = 30.0, similarity: float = 0.6,
                 repeat_window_s: float = 5.0) -> None:
        self._cooldown_s = cooldown_s
        self._similarity = similarity
        self._repeat_window_s = repeat_window_s
        self._recent: deque[tuple[float, str, frozenset[str]]] = deque()

    def accept(self, text: str, *, at: float) -> bool:
        """True (and remembered) when `text` at session time `at` is not a repeat."""
        if self.is_repeat(text, at=at):
            return False
        normalized = " ".join(t for t in tokenize(text) if t.isalnum() or "'" in t)
        self._recent.append((at, normalized, content_words(text)))
        return True

    def is_repeat(self, text: str, *, at: float) -> bool:
        """Whether `accept` would drop `text` now; remembers nothing (early questions)."""
        while self._recent and at - self._recent[0][0] > self._cooldown_s:
            self._recent.popleft()
        normalized = " ".join(t for t in tokenize(text) if t.isalnum() or "'" in t)
        words = content_words(text)
        for when, seen_text, seen_words in self._recent:
            if not words or not seen_words:
                if normalized == seen_text and at - when <= self._repeat_window_s:
                    return True
                continue
            overlap = len(words & seen_words) / len(words | seen_words)
            if overlap >= self._similarity:
                return True
        return False
