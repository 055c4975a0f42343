"""Word error rate: its libraries are the `bench` extra, and their absence is one clear error."""

from __future__ import annotations

import sys

import pytest

from smart_interview.transcription import word_error_rate
from smart_interview.transcription.errors import TranscriptionError


def test_counts_errors_over_all_reference_words() -> None:
    wer = word_error_rate.corpus_wer(
        ["The cat sat on the mat.", "Two dogs"], ["the cat sat on a mat", "two dogs barked"]
    )
    assert wer == pytest.approx(2 / 8)


@pytest.mark.parametrize("missing", ["jiwer", "whisper_normalizer"])
def test_missing_bench_extra_says_what_to_install(
    missing: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(sys.modules):
        if name == missing or name.startswith(f"{missing}."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, missing, None)  # `import` now raises ImportError
    word_error_rate._normaliser.cache_clear()
    try:
        with pytest.raises(word_error_rate.BenchExtraMissing) as caught:
            word_error_rate.require_bench_extra()
        assert "smart-interview[bench]" in str(caught.value)
        assert missing in str(caught.value)
        assert isinstance(caught.value, TranscriptionError)
        with pytest.raises(word_error_rate.BenchExtraMissing):
            word_error_rate.corpus_wer(["a b"], ["a b"])
    finally:
        word_error_rate._normaliser.cache_clear()
