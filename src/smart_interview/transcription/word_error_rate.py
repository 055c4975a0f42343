"""Word error rate with Whisper's English normaliser (case, punctuation, spelling, numbers).

Used by the benchmarks and the accuracy tests only. Its two libraries (whisper-normalizer,
jiwer) are the `bench` extra, not runtime requirements of the app, so they are imported when
first needed and their absence is one clear error: `BenchExtraMissing`.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from functools import lru_cache
from types import ModuleType
from typing import Any

from smart_interview.transcription.errors import TranscriptionError

INSTALL_HINT = "install smart-interview[bench] (pip install 'smart-interview[bench]')"
BENCH_MODULES = ("whisper_normalizer.english", "jiwer")


class BenchExtraMissing(TranscriptionError):
    """A library that only the benchmarks use is not installed."""


def _bench_module(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise BenchExtraMissing(
            f"word error rate needs {name.split('.')[0]}, which is not installed: {INSTALL_HINT}"
        ) from exc


def require_bench_extra() -> None:
    """Raises `BenchExtraMissing` now rather than after a long benchmark run."""
    for name in BENCH_MODULES:
        _bench_module(name)


@lru_cache(maxsize=1)
def _normaliser() -> Any:
    return _bench_module("whisper_normalizer.english").EnglishTextNormalizer()


def normalise(text: str) -> str:
    return " ".join(_normaliser()(text).split())


def corpus_wer(references: Sequence[str], hypotheses: Sequence[str]) -> float:
    """Errors over all clips divided by reference words over all clips (not a mean of rates)."""
    jiwer = _bench_module("jiwer")
    refs = [normalise(r) for r in references]
    hyps = [normalise(h) for h in hypotheses]
    pairs = [(r, h) for r, h in zip(refs, hyps, strict=True) if r]
    if not pairs:
        return 0.0
    out = jiwer.process_words([r for r, _ in pairs], [h or "" for _, h in pairs])
    errors = out.substitutions + out.deletions + out.insertions
    words = out.substitutions + out.deletions + out.hits
    return errors / words if words else 0.0
