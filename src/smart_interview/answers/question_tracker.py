"""Turns the interviewer's final segments into questions.

A question cut by a pause arrives as two segments ("tell me about a time when" … "you had to
push back on a deadline"). A segment that ends mid-phrase is held for `join_window_s`; if the
next interviewer segment starts within that window the two are read as one. When nothing
follows, `flush(now)` releases the held text (as a question if it is one). Accepted questions
pass the duplicate filter.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from smart_interview.answers.dedup import DuplicateFilter
from smart_interview.answers.question_detector import QuestionDetector
from smart_interview.models.answers import Question


@dataclass
class _Held:
    text: str
    start: float
    end: float


class QuestionTracker:
    def __init__(self, *, detector: QuestionDetector | None = None,
                 duplicates: DuplicateFilter | None = None, join_window_s: float = 1.5) -> None:
        self._detector = detector or QuestionDetector()
        self._duplicates = duplicates or DuplicateFilter()
        self.join_window_s = join_window_s
        self._held: _Held | None = None
        self._ids = itertools.count(1)

    @property
    def held_until(self) -> float | None:
        """Session time after which `flush` releases the held fragment, if any."""
        return self._held.end + self.join_window_s if self._held else None

    def feed(self, text: str, *, start: float, end: float) -> list[Question]:
        """One final interviewer segment in; zero, one or (rarely) two questions out."""
        text = " ".join(text.split())
        if not text:
            return []
        found: list[Question] = []
        held = self._held
        self._held = None
        if held is not None:
            if start - held.end <= self.join_window_s:
                text, start = f"{held.text} {text}", held.start
            else:
                found += self._decide(held.text, held.start, held.end, final=True)
        found += self._decide(text, start, end, final=False)
        return found

    def new_id(self) -> str:
        """An id no question of this tracker has (an early question takes one)."""
        return f"q{next(self._ids)}"

    @property
    def detector(self) -> QuestionDetector:
        return self._detector

    def preview(self, text: str, *, start: float) -> tuple[str, float]:
        """The text and start `feed` would judge for a segment starting at `start` (a held
        fragment joined in front); changes nothing."""
        text = " ".join(text.split())
        held = self._held
        if held is not None and start - held.end <= self.join_window_s:
            return f"{held.text} {text}", held.start
        return text, start

    def is_repeat(self, text: str, *, at: float) -> bool:
        return self._duplicates.is_repeat(text, at=at)

    def flush(self, now: float) -> list[Question]:
        held = self._held
        if held is None or now < held.end + self.join_window_s:
            return []
        self._held = None
        return self._decide(held.text, held.start, held.end, final=True)

    def _decide(self, text: str, start: float, end: float, *, final: bool) -> list[Question]:
        detection = self._detector.detect(text)
        if detection.incomplete and not final:
            self._held = _Held(text, start, end)
            return []
        if not detection.is_question or detection.kind is None:
            return []
        if not self._duplicates.accept(text, at=end):
            return []
        return [Question(id=f"q{next(self._ids)}", text=text, kind=detection.kind,
                         start=start, end=end)]
