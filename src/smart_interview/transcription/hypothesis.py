"""What one decode produced: its text and the scores the guards judge it by."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Hypothesis:
    text: str
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    audio_s: float
    decode_s: float

    @property
    def confidence(self) -> float:
        return float(min(1.0, max(0.0, np.exp(self.avg_logprob))))


def compression_ratio(text: str) -> float:
    if not text:
        return 0.0
    raw = text.encode("utf-8")
    return len(raw) / len(zlib.compress(raw))


def describe(hypothesis: Hypothesis) -> dict[str, Any]:
    return {
        "text": hypothesis.text,
        "avg_logprob": round(hypothesis.avg_logprob, 3),
        "no_speech_prob": round(hypothesis.no_speech_prob, 3),
        "compression_ratio": round(hypothesis.compression_ratio, 2),
        "decode_s": round(hypothesis.decode_s, 3),
    }
