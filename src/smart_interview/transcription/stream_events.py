"""What a streaming transcriber reports: partial, final or revised text of one speaker.

- partial: the utterance so far, replaced by the next partial or the final;
- final: one per utterance, as soon as its end is sure (questions are detected on these);
- revised: once a speaker's turn has ended, the whole turn decoded again in one piece. It
  replaces the finals whose utterance numbers are in `replaces` (the same speaker; they lie
  between its `start` and `end`). Its `segment.final` is False, so code that acts on each new
  final (question detection) does not act on a revision a second time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from smart_interview.models.transcript import Segment

EventKind = Literal["partial", "final", "revised"]


@dataclass(frozen=True)
class TranscriptEvent:
    segment: Segment
    emitted_at: float
    """Session-clock seconds when the text became available."""
    utterance: int
    """Per-stream utterance number; partials and the final of one utterance share it (a
    revision carries the number of the last final it replaces)."""
    decode_s: float = 0.0
    audio_end: float = 0.0
    """Session time of the last audio the text was decoded from (for partial lag)."""
    replaces: tuple[int, ...] = ()
    """Revised events only: the utterance numbers of the finals this text replaces."""
    at_pause: bool = False
    """Partials only: decoded at the first silent frames after speech (the speculative decode),
    so the utterance may be over; a final or more partials follow."""

    @property
    def kind(self) -> EventKind:
        if self.replaces:
            return "revised"
        return "final" if self.segment.final else "partial"

    def as_json(self) -> dict[str, Any]:
        seg = self.segment
        data: dict[str, Any] = {
            "type": self.kind,
            "speaker": seg.speaker.value,
            "text": seg.text,
            "start": round(seg.start, 3),
            "end": round(seg.end, 3),
            "emitted_at": round(self.emitted_at, 3),
            "confidence": round(seg.confidence, 3),
            "utterance": self.utterance,
        }
        if self.replaces:
            data["replaces"] = list(self.replaces)
        if self.at_pause:
            data["at_pause"] = True
        return data


EventSink = Callable[[TranscriptEvent], None]
