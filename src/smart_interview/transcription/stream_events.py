"""What a streaming transcriber reports: partial or final text of one speaker, with times."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from smart_interview.models.transcript import Segment

EventKind = Literal["partial", "final"]


@dataclass(frozen=True)
class TranscriptEvent:
    segment: Segment
    emitted_at: float
    """Session-clock seconds when the text became available."""
    utterance: int
    """Per-stream utterance number; partials and the final of one utterance share it."""
    decode_s: float = 0.0
    audio_end: float = 0.0
    """Session time of the last audio the text was decoded from (for partial lag)."""

    @property
    def kind(self) -> EventKind:
        return "final" if self.segment.final else "partial"

    def as_json(self) -> dict[str, Any]:
        seg = self.segment
        return {
            "type": self.kind,
            "speaker": seg.speaker.value,
            "text": seg.text,
            "start": round(seg.start, 3),
            "end": round(seg.end, 3),
            "emitted_at": round(self.emitted_at, 3),
            "confidence": round(seg.confidence, 3),
        }


EventSink = Callable[[TranscriptEvent], None]
