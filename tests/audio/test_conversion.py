"""Resampling, downmixing, chunking and the capture timeline (pure numpy/soxr)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from smart_interview.audio.conversion import (
    CallbackTiming,
    Reblocker,
    StreamConverter,
    Timeline,
    downmix,
    level_of,
    to_float_frames,
)


def _dominant_frequency(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.argmax(spectrum) * rate / samples.size)


@pytest.mark.parametrize(("rate", "channels"), [(44_100, 2), (48_000, 1), (8_000, 1),
                                                 (96_000, 6), (16_000, 2)])
def test_any_rate_and_channels_become_16k_mono(rate: int, channels: int) -> None:
    t = np.arange(rate * 2) / rate
    mono = 0.5 * np.sin(2 * np.pi * 440 * t)
    frames = np.repeat(mono[:, None], channels, axis=1).astype(np.float32)
    converter = StreamConverter(in_rate=rate, channels=channels)
    block = rate // 50  # 20 ms device blocks, like a callback would hand over
    out = np.concatenate([converter.convert(frames[i:i + block])
                          for i in range(0, len(frames), block)] + [converter.flush()])
    assert out.dtype == np.float32 and out.ndim == 1
    assert abs(out.size - 32_000) <= 2  # exactly 2 s at 16 kHz
    assert _dominant_frequency(out, 16_000) == pytest.approx(440, abs=2)
    middle = out[4000:-4000]
    assert float(np.abs(middle).max()) == pytest.approx(0.5, abs=0.01)
    # streaming keeps the filter state: no clicks at block edges
    reference = (0.5 * np.sin(2 * np.pi * 440 * np.arange(out.size) / 16_000)).astype(np.float32)
    assert float(np.abs(middle - reference[4000:-4000]).max()) < 0.01


def test_resampler_rejects_aliasing_unlike_decimation() -> None:
    # 11 kHz is above the 8 kHz Nyquist limit of 16 kHz audio: it must be filtered out
    # instead of folding down to 5 kHz
    rate = 48_000
    t = np.arange(rate) / rate
    high = (0.5 * np.sin(2 * np.pi * 11_000 * t)).astype(np.float32)
    converter = StreamConverter(in_rate=rate, channels=1)
    out = np.concatenate([converter.convert(high), converter.flush()])
    assert float(np.sqrt(np.mean(out[2000:-2000] ** 2))) < 0.005
    naive = high[::3]  # what plain decimation would give: a loud 5 kHz alias
    assert float(np.sqrt(np.mean(naive ** 2))) > 0.3


def test_downmix_averages_channels() -> None:
    frames = np.array([[1.0, 0.0], [0.5, 0.5], [-1.0, 1.0]], dtype=np.float32)
    out = StreamConverter(in_rate=16_000, channels=2).convert(frames)
    assert out.tolist() == [0.5, 0.5, 0.0]


def test_integer_samples_are_scaled() -> None:
    assert to_float_frames(np.array([16384, -32768], dtype=np.int16))[:, 0].tolist() == \
        [0.5, -1.0]
    assert to_float_frames(np.array([128, 0], dtype=np.uint8))[:, 0].tolist() == [0.0, -1.0]
    with pytest.raises(ValueError):
        StreamConverter(in_rate=16_000, channels=1).convert(np.zeros((4, 2), np.float32))


def test_reblocker_cuts_fixed_chunks_and_keeps_the_tail() -> None:
    reblocker = Reblocker(320)
    out = reblocker.push(np.arange(500, dtype=np.float32))
    out += reblocker.push(np.arange(500, 1000, dtype=np.float32))
    assert [c.size for c in out] == [320, 320, 320]
    tail = reblocker.flush()
    assert tail.size == 40
    assert np.concatenate([*out, tail]).tolist() == list(range(1000))


def test_level() -> None:
    level = level_of(np.array([0.5, -0.5, 0.5, -0.5], dtype=np.float32))
    assert level.rms == pytest.approx(0.5) and level.peak == pytest.approx(0.5)
    assert level_of(np.zeros(0, np.float32)).peak == 0.0


def test_timeline_is_contiguous_under_jitter() -> None:
    rng = np.random.default_rng(1)
    timeline = Timeline(rate=48_000)
    for k in range(1, 1500):  # 30 s of 20 ms blocks arriving 0-15 ms late
        assert timeline.place(960, 100.0 + k * 0.02 + rng.uniform(0, 0.015)) == 0
    assert timeline.anchor is not None
    assert timeline.time_of(960) - timeline.time_of(0) == pytest.approx(0.02)
    assert abs(timeline.drift) < 0.02


def test_timeline_fills_a_hole_with_silence() -> None:
    timeline = Timeline(rate=16_000)
    timeline.place(320, 10.02)
    timeline.place(320, 10.04)
    # one second of frames lost: every block from now on ends a second later than counted
    fills = [timeline.place(320, 11.06 + k * 0.02) for k in range(60)]
    assert sum(fills) == pytest.approx(16_000, abs=1) and fills[0] == 0
    assert timeline.end_time() == pytest.approx(11.06 + 59 * 0.02)


def test_timeline_slack_absorbs_a_fuller_device_buffer() -> None:
    timeline = Timeline(rate=16_000, slack=0.25)
    for k in range(1, 30):
        timeline.place(320, 10.0 + k * 0.02)
    # from now on the device buffer holds 0.2 s more: blocks arrive later, none is lost
    for k in range(30, 400):
        assert timeline.place(320, 10.2 + k * 0.02) == 0
    assert timeline.filled_frames == 0 and timeline.corrected == 0.0


def test_timeline_does_not_fill_for_a_delayed_block() -> None:
    timeline = Timeline(rate=16_000)
    timeline.place(320, 10.02)
    # a 400 ms stall of the reader, then the backlog arrives in a burst: nothing was lost
    assert timeline.place(320, 10.44) == 0
    for k in range(2, 40):
        assert timeline.place(320, max(10.44 + (k - 1) * 0.001, 10.02 + k * 0.02)) == 0
    assert timeline.filled_frames == 0 and timeline.corrected == 0.0


def test_timeline_follows_a_slow_device_clock() -> None:
    timeline = Timeline(rate=16_000, max_drift=0.05, window=2.0)
    fills = 0
    for k in range(1, 3001):  # the device delivers 3 frames in 320 fewer than the clock says
        fills += timeline.place(317, 50.0 + k * 0.02)
    assert timeline.drift == pytest.approx(60 * 3 / 320, abs=0.06)
    assert fills > 0
    assert abs(timeline.end_time() - (50.0 + 3000 * 0.02)) <= 0.06  # still in step


def test_timeline_moves_back_for_a_fast_device_clock() -> None:
    timeline = Timeline(rate=16_000, max_drift=0.05, window=2.0)
    for k in range(1, 3001):
        assert timeline.place(323, 50.0 + k * 0.02) == 0
    assert timeline.drift == pytest.approx(-60 * 3 / 320, abs=0.06)
    assert abs(timeline.end_time() - (50.0 + 3000 * 0.02)) <= 0.06


def test_timeline_idle_fill_then_resume() -> None:
    timeline = Timeline(rate=16_000)
    timeline.place(0, 5.0)  # opened at 5.0, nothing delivered yet
    assert timeline.idle_fill(6.0, margin=0.15) == pytest.approx(0.85 * 16_000, abs=1)
    fill = timeline.place(320, 6.02)  # sound starts: placed where it was captured
    assert fill == pytest.approx((6.0 - 5.85) * 16_000, abs=1)
    assert timeline.end_time() == pytest.approx(6.02)


def test_timeline_calibration_ignores_a_late_first_block() -> None:
    timeline = Timeline(rate=16_000)
    # 25 blocks of 20 ms captured from t=10.0; the first arrives 300 ms late, others on time
    blocks = [(320, 10.0 + (k + 1) * 0.02 + (0.3 if k == 0 else 0.0)) for k in range(25)]
    timeline.calibrate(blocks)
    assert timeline.anchor == pytest.approx(10.0)
    assert all(timeline.place(n, end) == 0 for n, end in blocks)
    for k in range(25, 200):
        assert timeline.place(320, 10.0 + (k + 1) * 0.02) == 0
    assert timeline.corrected == 0.0


def test_callback_timing_trusted_only_while_consistent() -> None:
    timing = CallbackTiming(rate=16_000)
    # blocks of 320 frames captured every 20 ms, the callback running 5 ms after each ends
    for k in range(10):
        adc = 100.0 + k * 0.02
        age = timing.block_end_age(adc=adc, current=adc + 0.025, frames=320)
        assert age == pytest.approx(0.005)
    # a jump of 300 ms between consecutive blocks (ALSA through the PulseAudio plugin)
    assert timing.block_end_age(adc=100.5, current=100.55, frames=320) is None
    assert not timing.trusted
    assert timing.block_end_age(adc=100.52, current=100.545, frames=320) is None  # for good
    assert CallbackTiming(rate=16_000).block_end_age(adc=0.0, current=5.0, frames=320) is None


SPEECH_CLIP = Path("/work/shared/data/speech/spkanon_eval/LibriSpeech-dev-clean/"
                   "3752-4944-0000.flac")


def _rms_db(samples: np.ndarray) -> float:
    return 20 * float(np.log10(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))))


def _convert_all(frames: np.ndarray, rate: int) -> np.ndarray:
    converter = StreamConverter(in_rate=rate, channels=frames.shape[1])
    block = rate // 10  # 100 ms device blocks, as the WASAPI loopback hands them over
    return np.concatenate([converter.convert(frames[i:i + block])
                           for i in range(0, len(frames), block)] + [converter.flush()])


@pytest.mark.parametrize("channels", [6, 8])
def test_stereo_call_on_a_surround_output_reaches_the_vad_at_its_level(channels: int) -> None:
    """Windows plays a stereo call on a 5.1/7.1 output on front left and right only; the
    loopback delivers the output's mix format, all six or eight channels."""
    if not SPEECH_CLIP.exists():
        pytest.skip(f"test data missing: {SPEECH_CLIP}")
    speech, rate = soundfile.read(str(SPEECH_CLIP), dtype="float32")
    speech = speech[: rate * 3]
    stereo = np.stack([speech, 0.8 * speech], axis=1)
    surround = np.zeros((speech.size, channels), dtype=np.float32)
    surround[:, :2] = stereo  # FL, FR; FC, LFE and the rear/side channels stay silent
    reference = _convert_all(stereo, rate)
    out = _convert_all(surround, rate)
    assert abs(_rms_db(out) - _rms_db(reference)) < 0.5  # an average of all was 9.5/12 dB less
    from smart_interview.transcription.vad import SileroVadModel

    model = SileroVadModel.load()
    voiced = (model.probabilities(out) >= 0.5).sum()
    assert voiced >= 0.95 * (model.probabilities(reference) >= 0.5).sum() and voiced > 30


def test_surround_with_sound_on_every_channel_keeps_its_level() -> None:
    frames = np.full((480, 6), 0.3, dtype=np.float32)
    frames[:, 3] = 0.05  # a quiet LFE channel still within 20 dB of the loudest
    assert float(downmix(frames).mean()) == pytest.approx((0.3 * 5 + 0.05) / 6)
    assert downmix(np.zeros((480, 8), np.float32)).tolist() == [0.0] * 480
