"""Silero VAD streamed frame by frame, on speech made with espeak-ng."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from smart_interview.transcription.vad import FRAME_S, SileroVadModel, speech_regions
from tests.support.speech import read_wav, say


@pytest.fixture(scope="module")
def vad() -> SileroVadModel:
    return SileroVadModel.load()


@pytest.fixture(scope="module")
def padded_speech(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    path = say("Please describe the last project you led from start to finish.",
               tmp_path_factory.mktemp("vad") / "speech.wav", pad_s=1.5)
    samples, rate = read_wav(path)
    assert rate == 16_000
    return samples


def test_streamed_probabilities_match_faster_whisper_whole_file_model(
        vad: SileroVadModel, padded_speech: np.ndarray) -> None:
    from faster_whisper.vad import get_vad_model

    whole = padded_speech[: padded_speech.size // 512 * 512]
    reference = np.asarray(get_vad_model()(whole)).reshape(-1)
    stream = vad.stream()
    streamed = np.concatenate([stream.push(whole[i : i + 320])
                               for i in range(0, whole.size, 320)])
    assert streamed.shape == reference.shape
    np.testing.assert_allclose(streamed, reference, atol=1e-4)


def test_chunk_size_does_not_change_the_result(vad: SileroVadModel,
                                               padded_speech: np.ndarray) -> None:
    at_once = vad.probabilities(padded_speech)
    stream = vad.stream()
    pieces = np.array_split(padded_speech, 97)  # odd sizes, none a multiple of a frame
    streamed = np.concatenate([stream.push(p) for p in pieces])
    np.testing.assert_allclose(streamed, at_once, atol=1e-5)


def test_speech_is_found_where_it_was_spoken(vad: SileroVadModel,
                                             padded_speech: np.ndarray) -> None:
    regions = speech_regions(vad.probabilities(padded_speech))
    assert len(regions) == 1
    start, end = regions[0]
    duration = padded_speech.size / 16_000
    assert 1.3 <= start <= 1.7
    assert start + 2.5 <= end <= duration - 1.4  # espeak adds a little silence of its own


def test_silence_and_noise_hold_no_speech(vad: SileroVadModel) -> None:
    rng = np.random.default_rng(1)
    silence = np.zeros(16_000 * 5, dtype=np.float32)
    hiss = rng.normal(0, 0.02, 16_000 * 5).astype(np.float32)
    for audio in (silence, hiss):
        probs = vad.probabilities(audio)
        assert probs.size == audio.size // 512
        assert speech_regions(probs) == []


def test_regions_follow_silero_hysteresis() -> None:
    probs = np.array([0.1, 0.6, 0.9, 0.4, 0.9, 0.2, 0.1] + [0.0] * 20)
    regions = speech_regions(probs, min_silence_s=0.1)
    assert regions == [(pytest.approx(1 * FRAME_S), pytest.approx(5 * FRAME_S))]


def test_a_missing_model_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(Exception, match=r"absent\.onnx|NO_SUCHFILE|No such file"):
        SileroVadModel.load(tmp_path / "absent.onnx")


def test_long_digital_silence_does_not_dull_the_next_words(vad: SileroVadModel,
                                                           shared_data: Path) -> None:
    """A loopback monitor gives exact zeros while nothing plays. Without a reset, 20 s of
    them left Silero rating "Eight. The press yard" under 0.5 until 0.8 s into it."""
    from smart_interview.transcription.audio_file import read_audio

    clip = read_audio(shared_data / "speech/lhotse/ljspeech/LJ002-0035.wav")
    fresh = vad.stream().push(clip)
    stream = vad.stream()
    quiet = stream.push(np.zeros(20 * 16_000, dtype=np.float32))
    after = stream.push(clip)
    assert float(quiet.max()) < 0.1
    onset = int(np.argmax(after >= 0.5)) * FRAME_S
    assert onset <= int(np.argmax(fresh >= 0.5)) * FRAME_S + 0.1
    # the first words are rated as firmly as in a fresh stream
    assert float(after[:8].mean()) >= float(fresh[:8].mean()) - 0.1
