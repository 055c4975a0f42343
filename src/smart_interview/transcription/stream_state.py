"""The state a `StreamingTranscriber` keeps per stream: the utterance being spoken, where a
decoded piece lies, and the audio not yet decoded."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from smart_interview.transcription.decoder import DecodeTicket, Hypothesis


@dataclass
class OpenUtterance:
    """The utterance being spoken now."""

    number: int
    start: int
    spec: DecodeTicket | None = None
    spec_result: Hypothesis | None = None
    spec_done: bool = False
    spec_end: int = 0
    closed: bool = False
    final_span: Span | None = None
    final_audio: np.ndarray | None = None


@dataclass(frozen=True)
class Span:
    number: int
    start_s: float
    end_s: float
    audio_end_s: float
    audio_from: int = 0
    audio_to: int = 0
    """Sample indices of the audio decoded for this span."""


@dataclass(frozen=True)
class HeardAudio:
    """A final this stream emitted: its text, and where its audio lies in the stream."""

    text: str
    audio_from: int
    audio_to: int


class SampleBuffer:
    """Audio kept from sample index `base` on (older samples are dropped once decoded)."""

    def __init__(self) -> None:
        self.base = 0
        self.total = 0
        self._chunks: deque[np.ndarray] = deque()

    def append(self, samples: np.ndarray) -> None:
        self._chunks.append(samples)
        self.total += samples.size

    def slice(self, start: int, end: int) -> np.ndarray:
        start, end = max(start, self.base), min(end, self.total)
        data = np.concatenate(list(self._chunks)) if self._chunks else np.zeros(0, np.float32)
        self._chunks = deque([data]) if data.size else deque()
        return data[start - self.base : max(start, end) - self.base].copy()

    def drop_before(self, index: int) -> None:
        while self._chunks and self.base + self._chunks[0].size <= index:
            self.base += self._chunks.popleft().size
