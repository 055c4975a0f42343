"""Word error rate with Whisper's English normaliser (case, punctuation, spelling, numbers)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _normaliser() -> Any:
    from whisper_normalizer.english import EnglishTextNormalizer

    return EnglishTextNormalizer()


def normalise(text: str) -> str:
    return " ".join(_normaliser()(text).split())


def corpus_wer(references: Sequence[str], hypotheses: Sequence[str]) -> float:
    """Errors over all clips divided by reference words over all clips (not a mean of rates)."""
    import jiwer

    refs = [normalise(r) for r in references]
    hyps = [normalise(h) for h in hypotheses]
    pairs = [(r, h) for r, h in zip(refs, hyps, strict=True) if r]
    if not pairs:
        return 0.0
    out = jiwer.process_words([r for r, _ in pairs], [h or "" for _, h in pairs])
    errors = out.substitutions + out.deletions + out.insertions
    words = out.substitutions + out.deletions + out.hits
    return errors / words if words else 0.0
