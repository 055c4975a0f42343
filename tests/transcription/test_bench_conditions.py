"""The call-like conditions of `bench stream` and its last-word timing, on synthetic audio
whose answer is known."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from smart_interview.app.commands import bench_conditions as cond
from smart_interview.app.commands.bench_timing import last_word_end

SR = 16_000


def voiced(seconds: float, *, seed: int = 1) -> np.ndarray:
    """Speech-like: a 120 Hz buzz with harmonics up to 7 kHz, syllable-modulated."""
    t = np.arange(int(seconds * SR)) / SR
    rng = np.random.default_rng(seed)
    buzz = sum(np.sin(2 * np.pi * 120 * k * t + rng.uniform(0, 6)) / k for k in range(1, 58))
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t) ** 2
    return (0.1 * buzz * envelope).astype(np.float32)


def band_energy(audio: np.ndarray, low: float, high: float) -> float:
    spectrum = np.abs(np.fft.rfft(audio)) ** 2
    freqs = np.fft.rfftfreq(audio.size, 1 / SR)
    return float(spectrum[(freqs >= low) & (freqs < high)].sum())


def test_last_word_end_is_found_under_a_noise_floor_and_past_a_click() -> None:
    rng = np.random.default_rng(0)
    audio = rng.normal(0, 10 ** (-60 / 20), 3 * SR).astype(np.float32)
    word = voiced(0.9)
    at = int(0.4 * SR)
    audio[at : at + word.size] += word  # the word ends at 1.300 s
    audio[int(2.5 * SR)] = 0.5  # one-sample click after it is not a word
    end = last_word_end(audio)
    assert end is not None and abs(end - 1.3) <= 0.02
    assert last_word_end(np.zeros(SR, np.float32)) is None
    assert last_word_end(rng.normal(0, 0.01, SR).astype(np.float32)) is None  # only hiss
    # applause-like noise 20 dB under the speech after the last word is not a word
    crowd = np.zeros_like(audio)
    crowd[int(1.35 * SR):] = rng.normal(0, 0.1 * np.std(word), crowd.size - int(1.35 * SR))
    end = last_word_end(audio + crowd)
    assert end is not None and abs(end - 1.3) <= 0.03
    # a burst of applause after the words that dies down again passes the level test; the
    # bound from the VAD's end cuts it off
    burst = np.zeros_like(audio)
    burst[int(1.7 * SR): int(2.3 * SR)] = rng.normal(0, 0.5 * np.std(word), int(0.6 * SR))
    assert (last_word_end(audio + burst) or 0) > 2.2
    end = last_word_end(audio + burst, not_after=1.6)
    assert end is not None and abs(end - 1.3) <= 0.03


def test_opus_round_trip_keeps_the_length_and_the_timing_but_changes_the_waveform() -> None:
    audio = voiced(2.0)
    coded = cond.opus_round_trip(audio)
    assert coded.size == audio.size and coded.dtype == np.float32
    assert not np.allclose(coded, audio, atol=1e-3)
    assert np.corrcoef(coded, audio)[0, 1] > 0.8  # aligned, same speech
    # 16 kbit/s keeps little above 8 kHz-ish wideband detail: the codec really ran
    assert np.mean((coded - audio) ** 2) > 1e-6


def test_phone_keeps_only_300_to_3400_hz() -> None:
    audio = voiced(2.0)
    phone = cond.narrowband(audio)
    assert phone.size == audio.size
    kept = band_energy(phone, 400, 3300) / band_energy(audio, 400, 3300)
    assert 0.8 < kept < 1.2
    assert band_energy(phone, 3600, 8000) < 1e-3 * band_energy(audio, 3600, 8000)
    assert band_energy(phone, 0, 200) < 1e-2 * band_energy(audio, 0, 200)


def test_noise_is_mixed_at_10_db_snr() -> None:
    rng = np.random.default_rng(5)
    speech = np.concatenate([np.zeros(SR, np.float32), voiced(3.0), np.zeros(SR, np.float32)])
    noise = cond.cafe_noise(speech.size, [voiced(2.0, seed=s) for s in (2, 3, 4)], rng)
    noisy = cond.mix_at_snr(speech, noise, 10.0)
    added = noisy - speech
    snr = 10 * np.log10(cond.active_power(speech) / np.mean(added.astype(np.float64) ** 2))
    assert abs(snr - 10.0) <= 0.5
    assert np.any(np.abs(added[: SR // 2]) > 0)  # noise in the pauses too
    tracks = cond.render_tracks("noise", {"interviewer": speech, "candidate": speech},
                                [voiced(1.0)])
    again = cond.render_tracks("noise", {"interviewer": speech, "candidate": speech},
                               [voiced(1.0)])
    assert np.array_equal(tracks["interviewer"], again["interviewer"])  # seeded


@pytest.mark.skipif(shutil.which("sox") is None, reason="sox is not installed")
def test_fast_is_a_fifth_shorter() -> None:
    audio = voiced(4.0)
    fast = cond.render_clip("fast", audio, "", 0)
    assert abs(fast.audio.size / audio.size - 0.8) <= 0.01
    assert fast.timing is fast.audio


def test_bleed_leaks_the_interviewer_40_ms_late_at_minus_20_db() -> None:
    interviewer = np.random.default_rng(1).normal(0, 0.1, 2 * SR).astype(np.float32)
    candidate = np.zeros_like(interviewer)
    out = cond.render_tracks("bleed", {"interviewer": interviewer, "candidate": candidate}, [])
    leak = out["candidate"]
    spectrum = np.fft.rfft(leak, 4 * SR) * np.conj(np.fft.rfft(interviewer, 4 * SR))
    correlation = np.fft.irfft(spectrum)
    lag = int(np.argmax(correlation[: SR]))
    assert lag == round(0.040 * SR)
    gain_db = 20 * np.log10(np.std(leak[lag:]) / np.std(interviewer[: leak.size - lag]))
    assert abs(gain_db + 20) <= 0.2
    assert np.array_equal(out["interviewer"], interviewer)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_voices_speak_the_reference_in_several_accents() -> None:
    first = cond.render_clip("voices", np.zeros(1), "Tell me about yourself.", 0)
    second = cond.render_clip("voices", np.zeros(1), "Tell me about yourself.", 1)
    assert first.audio.size > SR // 2 and second.audio.size > SR // 2
    assert first.audio.size != second.audio.size or not np.array_equal(first.audio,
                                                                       second.audio)
    assert last_word_end(first.audio) is not None


def test_an_unknown_condition_is_refused_with_the_choices() -> None:
    from smart_interview.app.errors import CliError

    with pytest.raises(CliError, match="opus"):
        cond.render_clip("underwater", np.zeros(10, np.float32), "", 0)
