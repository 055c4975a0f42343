"""Transcript data: who said what, when, and how sure the recogniser is."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class Speaker(str, Enum):
    INTERVIEWER = "interviewer"
    """Heard through the system audio (loopback) source."""
    CANDIDATE = "candidate"
    """Heard through the microphone."""


@dataclass(frozen=True)
class Segment:
    speaker: Speaker
    text: str
    start: float
    """Seconds on the session clock."""
    end: float
    final: bool
    confidence: float = 1.0
    """0..1, from the decoder's average log-probability."""


@dataclass(frozen=True)
class TimedText:
    """A piece of an offline transcription (file in, text out)."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class TranscriptUpdate:
    """Partial or final text of one speaker, as an interview session reports it."""

    segment: Segment
    emitted_at: float
    """Session-clock seconds when the text became available."""
    utterance: int = -1
    """The stream's utterance number: partials and the final of one utterance share it."""
    replaces: tuple[int, ...] = ()
    """A revision only: the utterance numbers of this speaker's finals its text replaces."""
    at_pause: bool = False
    """A partial decoded at the speaker's first silent frames: the utterance may be over."""

    @property
    def kind(self) -> str:
        if self.replaces:
            return "revised"
        return "final" if self.segment.final else "partial"

    def revises(self, speaker: Speaker | str, utterance: int) -> bool:
        """Whether this revision replaces that speaker's final of that utterance number."""
        name = speaker.value if isinstance(speaker, Speaker) else speaker
        return utterance in self.replaces and self.segment.speaker.value == name

    def to_dict(self) -> dict[str, Any]:
        """The JSON line `smart-interview live --jsonl` prints for it."""
        seg = self.segment
        return {"type": self.kind, "speaker": seg.speaker.value, "text": seg.text,
                "start": round(seg.start, 3), "end": round(seg.end, 3),
                "emitted_at": round(self.emitted_at, 3),
                "confidence": round(seg.confidence, 3), "utterance": self.utterance,
                **({"replaces": list(self.replaces)} if self.replaces else {})}


@dataclass(frozen=True)
class CaptureNotice:
    """Something about one speaker's audio source: "error", "reopened", "device_changed",
    "silence_suspected" or "ended" (a replayed file ran out)."""

    speaker: Speaker
    kind: str
    message: str
    at: float
    """Session-clock seconds."""

    def to_dict(self) -> dict[str, Any]:
        return {"type": "capture", "speaker": self.speaker.value, "kind": self.kind,
                "message": self.message, "emitted_at": round(self.at, 3)}


@dataclass(frozen=True)
class AudioLevel:
    """Loudness of a source's latest audio, linear amplitudes in 0..1 (for level meters)."""

    rms: float
    peak: float
