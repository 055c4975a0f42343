"""Transcript data: who said what, when, and how sure the recogniser is."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


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
