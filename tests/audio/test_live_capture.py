"""Real capture through PulseAudio: the interviewer's voice played into the `interviewer` null
sink is captured by the loopback source, the candidate's played into `candidate_mic` by the
microphone source (the default input, `candidate_mic.monitor`), both at once, for 30 s; and
the PortAudio microphone path on its own."""

from __future__ import annotations

import contextlib
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile

from smart_interview.audio.linux_loopback import LinuxPulseMic
from smart_interview.audio.loopback import open_loopback
from smart_interview.audio.mic import MicSource
from smart_interview.audio.microphone import open_microphone
from tests.audio.conftest import RATE, Pulse
from tests.audio.recorder import Recorder
from tests.audio.signals import correlation, correlation_at, correlation_near

pytestmark = pytest.mark.pulse

MIN_CORRELATION = 0.9
MAX_DRIFT_S = 0.05
MAX_BLEED = 0.3  # unrelated speech/sweeps reach ~0.1 at their best lag


def _latency_trend(recorder: Recorder, seconds: float = 5.0) -> float:
    """Change of the smallest (arrival − chunk end) between the first and last `seconds`:
    timestamps that drift from the clock make it grow or shrink."""
    latency = np.array(recorder.arrivals) - np.array([c.end for c in recorder.chunks])
    ends = np.array([c.end for c in recorder.chunks])
    first = latency[ends < ends[0] + seconds].min()
    last = latency[ends > ends[-1] - seconds].min()
    return float(last - first)


def _content_drift(recorder: Recorder, reference: np.ndarray, lag: int) -> float:
    """Where 2-s pieces of the reference are found in the capture, against where the
    timestamps say they should be; the largest difference in seconds."""
    captured = recorder.samples()
    origin = recorder.time_at(lag)
    worst = 0.0
    for offset in range(RATE, reference.size - 2 * RATE, 5 * RATE):  # after the lead-in
        piece = reference[offset:offset + 2 * RATE]
        lo = max(0, lag + offset - RATE // 2)
        if lo + piece.size > captured.size:
            raise AssertionError(f"the capture ends before {offset / RATE:.0f} s of the signal")
        region = captured[lo:lo + piece.size + RATE]
        spectrum = np.fft.irfft(np.fft.rfft(region, 1 << 17)
                                * np.conj(np.fft.rfft(piece, 1 << 17)), 1 << 17)
        found = lo + int(np.argmax(spectrum[: region.size - piece.size + 1]))
        measured = recorder.time_at(found) - origin
        worst = max(worst, abs(measured - offset / RATE))
    return worst


def test_both_sides_for_30_seconds(pulse: Pulse, interviewer_signal: tuple[Path, np.ndarray],
                                   candidate_signal: tuple[Path, np.ndarray],
                                   tmp_path: Path) -> None:
    interviewer_path, interviewer = interviewer_signal
    candidate_path, candidate = candidate_signal
    # a meeting app keeps its output stream open between words; without that a null sink
    # falls idle and its monitor stops (a real microphone never does)
    keep_awake = tmp_path / "silence.wav"
    soundfile.write(str(keep_awake), np.zeros(45 * RATE, np.float32), RATE)
    awake = [pulse.play(keep_awake, "interviewer"), pulse.play(keep_awake, "candidate_mic")]
    pulse.wait_running("interviewer", "candidate_mic")
    # the default input is the candidate's "microphone" (as .ci/services.sh sets it); say so
    # again here, so nothing another test or process did to the server's defaults matters
    pulse.pactl("set-default-source", "candidate_mic.monitor")
    loop_rec, mic_rec = Recorder(), Recorder()
    loopback = open_loopback(device="interviewer", on_chunk=loop_rec.on_chunk,
                             on_event=loop_rec.on_event)
    mic = open_microphone(on_chunk=mic_rec.on_chunk, on_event=mic_rec.on_event)
    assert isinstance(mic, LinuxPulseMic)  # parec on the default input
    loopback.start()
    mic.start()
    try:
        players = [pulse.play(interviewer_path, "interviewer"),
                   pulse.play(candidate_path, "candidate_mic")]
        levels = []
        for _ in range(30):  # a meter polls like this, every 0.1 s while the sound plays
            with contextlib.suppress(subprocess.TimeoutExpired):
                players[0].wait(timeout=0.1)
            levels.append((loopback.level.rms, mic.level.rms))
        for player in players:
            assert player.wait(timeout=60) == 0
    finally:
        loopback.stop()
        mic.stop()
        for player in awake:
            player.kill()
            player.wait()

    assert "interviewer" in loopback.name.lower() and "candidate" in mic.name.lower()
    assert max(lv[0] for lv in levels) > 0.01  # meters move while audio plays
    assert max(lv[1] for lv in levels) > 0.01
    assert not [e for e in loop_rec.events + mic_rec.events if e.kind == "error"]
    assert {c.source for c in loop_rec.chunks} == {"loopback"}
    assert {c.source for c in mic_rec.chunks} == {"mic"}
    assert all(t.startswith("capture-") for t in loop_rec.threads | mic_rec.threads)

    report = {}
    for side, rec, played, other, source in (
            ("loopback", loop_rec, interviewer, candidate, loopback),
            ("mic", mic_rec, candidate, interviewer, mic)):
        captured = rec.samples()
        assert all(c.samples.dtype == np.float32 and c.samples.ndim == 1 for c in rec.chunks)
        assert rec.max_gap() < 1e-6, f"{side}: chunks are not contiguous"
        corr, lag = correlation(captured, played)
        assert corr >= MIN_CORRELATION, f"{side}: correlation {corr:.3f}"
        bleed = correlation_near(captured, other, lag, RATE)  # both started together
        assert bleed < MAX_BLEED, f"{side}: the other side leaks in ({bleed:.3f})"
        tail = played[-int(0.2 * RATE):]  # the tone burst that ends the file
        tail_corr = correlation_at(captured, tail, lag + played.size - tail.size)
        assert tail_corr >= MIN_CORRELATION, f"{side}: stop() lost the tail ({tail_corr:.3f})"
        # timestamps against the audio itself: where 2-s pieces of what was played are found
        content = _content_drift(rec, played, lag)
        assert content <= MAX_DRIFT_S, f"{side}: timestamps drift {content * 1000:.0f} ms"
        # timestamps against the clock: the delay from capture to delivery stays put
        trend = _latency_trend(rec)
        assert abs(trend) <= MAX_DRIFT_S, f"{side}: delivery delay moved {trend * 1000:.0f} ms"
        assert abs(source.drift) <= MAX_DRIFT_S
        report[side] = (corr, bleed, tail_corr, trend, content, source.drift)
    for side, (corr, bleed, tail_corr, trend, content, drift) in report.items():
        print(f"{side}: correlation {corr:.4f}, bleed {bleed:.3f}, tail {tail_corr:.3f}, "
              f"timestamp drift over 30 s {content * 1000:.1f} ms, delivery delay moved "
              f"{trend * 1000:+.1f} ms, clock drift {drift * 1000:+.1f} ms")


def test_portaudio_microphone(pulse: Pulse, candidate_signal: tuple[Path, np.ndarray],
                              tmp_path: Path) -> None:
    """MicSource (sounddevice) on the ALSA `pulse` device, which records the default input."""
    _, signal = candidate_signal
    clip = tmp_path / "clip.wav"
    soundfile.write(str(clip), signal[: 8 * RATE], RATE)
    keep_awake = tmp_path / "silence.wav"
    soundfile.write(str(keep_awake), np.zeros(15 * RATE, np.float32), RATE)
    awake = pulse.play(keep_awake, "candidate_mic")
    rec = Recorder()
    mic = MicSource(device="pulse", on_chunk=rec.on_chunk, on_event=rec.on_event)
    try:
        time.sleep(0.3)  # the ALSA `pulse` route has no state to wait on; see docs/audio.md
        mic.start()
        assert pulse.play(clip, "candidate_mic").wait(timeout=30) == 0
    finally:
        mic.stop()
        awake.kill()
        awake.wait()
    assert mic.name == "pulse (ALSA)" and mic.device is not None
    assert not rec.events
    assert rec.max_gap() < 1e-6
    assert all(c.samples.dtype == np.float32 and c.source == "mic" for c in rec.chunks)
    captured = rec.samples()
    whole, lag = correlation(captured, signal[RATE // 2: 7 * RATE])
    # ALSA's `pulse` plugin now and then drops a few milliseconds on a busy machine (the reason
    # open_microphone records with parec on Linux), which shifts the rest of the clip and
    # lowers the whole-clip figure; every half second of the clip must still be there intact
    pieces = [correlation_near(captured, signal[k:k + RATE // 2], lag + k - RATE // 2, RATE // 5)
              for k in range(RATE // 2, 7 * RATE, RATE // 2)
              if float(np.sqrt(np.mean(signal[k:k + RATE // 2] ** 2))) > 0.02]  # not a pause
    intact = sum(c >= MIN_CORRELATION for c in pieces) / len(pieces)
    print(f"PortAudio mic: correlation {whole:.4f} over 6.5 s, {intact:.0%} of half-second "
          f"pieces intact (worst {min(pieces):.3f})")
    assert intact >= 0.9
