"""`MacProcessTap` against a pyobjc `CoreAudio` stand-in that behaves like the HAL with
process taps (`tests/audio/fakes/coreaudio_tap.py` says what it reproduces and where that is
documented), on a test clock; then the Recorder checks the Linux and Windows sources pass."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile

from smart_interview.audio.errors import DeviceOpenError
from smart_interview.audio.loopback import open_loopback
from smart_interview.audio.mac_loopback import MacLoopback
from smart_interview.audio.mac_tap import (
    TAP_PERMISSION_GUIDANCE,
    MacProcessTap,
    copy_out,
    describe_status,
    tap_supported,
)
from tests.audio.fakes.coreaudio_objects import AudioBuffer, AudioBufferList
from tests.audio.fakes.coreaudio_tap import NOPE, Output, System
from tests.audio.fakes.pyaudiowpatch import Clock
from tests.audio.recorder import Recorder

SPEAKERS, AIRPODS = 0x40, 0x41
T0 = 1000.0


def tone(freq: float, seconds: float, rate: int, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def dominant(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.argmax(spectrum) * 16_000 / samples.size)


@pytest.fixture
def system() -> Iterator[System]:
    system = System(Clock(T0), {SPEAKERS: Output("BuiltInSpeakerDevice", "MacBook Speakers"),
                                AIRPODS: Output("AirPods-UID", "AirPods Pro", rate=24_000)},
                    default=SPEAKERS)
    yield system
    system.close()


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


@pytest.fixture
def source(system: System, rec: Recorder) -> Iterator[MacProcessTap]:
    source = MacProcessTap(
        coreaudio=system.coreaudio(), objc=system.objc(), dispatch=system.dispatch(),
        pid=system.own_pid, clock=system.clock, poll_interval=0.02, retry_interval=0.02,
        tail_grace=0.0, on_chunk=rec.on_chunk, on_event=rec.on_event)
    yield source
    source.stop()


def run(system: System, seconds: float) -> None:
    """Advances the clock in 0.1 s steps, each seen by the tap's watcher."""
    for _ in range(round(seconds / 0.1)):
        seen = system.clock.reads_by("tap-watch")
        system.advance(0.1)
        system.clock.wait_read_by("tap-watch", after=seen)


def test_a_wav_playing_in_another_app_is_captured_in_time(
        system: System, rec: Recorder, source: MacProcessTap, tmp_path: Path) -> None:
    wav = tmp_path / "call.wav"
    soundfile.write(str(wav), tone(440, 2.0, 48_000), 48_000, subtype="PCM_16")
    pcm, rate = soundfile.read(str(wav), dtype="float32")
    assert rate == 48_000
    system.play(SPEAKERS, T0 + 0.5, pcm)  # the call app (pid 501) plays the WAV
    system.play(SPEAKERS, T0, tone(3000, 4.0, 48_000), pid=system.own_pid)  # our own tone
    source.start()
    (tap,) = system.taps.values()
    assert tap.private and tap.excluded == [system.processes[system.own_pid]]
    (aggregate,) = system.aggregates.values()
    assert aggregate.composition["master"] == "BuiltInSpeakerDevice"
    assert aggregate.composition["private"] is True
    assert aggregate.composition["taps"] == [{"uid": tap.uuid, "drift": True}]
    run(system, 3.0)
    source.stop()
    assert rec.max_gap() < 1e-6 and rec.threads == {"capture-loopback"}
    assert system.block_threads == {"smart-interview.tap.loopback"}  # our queue, not HAL's
    audio = rec.samples()
    onset = int(np.flatnonzero(np.abs(audio) > 0.1)[0])
    assert abs(rec.time_at(onset) - (T0 + 0.5)) <= 0.030
    body = audio[onset + 1600:onset + 17600]
    assert dominant(body) == pytest.approx(440, abs=20)  # no 3 kHz: our own output left out
    assert float(np.abs(body).max()) == pytest.approx(0.5, abs=0.05)
    assert not system.taps and not system.aggregates  # nothing left behind


def test_the_samples_are_copied_out_of_core_audio_memory() -> None:
    memory = bytearray(np.array([[0.25, -0.25], [0.5, -0.5]], np.float32).tobytes())
    frames = copy_out(AudioBufferList([AudioBuffer(2, len(memory), memoryview(memory))]))
    memory[:] = b"\xff" * len(memory)  # the HAL reuses the buffer for the next cycle
    assert frames.tolist() == [[0.25, -0.25], [0.5, -0.5]]
    left = bytearray(np.array([0.1, 0.2], np.float32).tobytes())
    right = bytearray(np.array([0.3, 0.4], np.float32).tobytes())
    split = copy_out(AudioBufferList([AudioBuffer(1, 8, memoryview(left)),
                                      AudioBuffer(1, 8, memoryview(right))]))
    assert split.shape == (2, 2) and split[:, 1].tolist() == pytest.approx([0.3, 0.4])


def test_denied_permission_is_named_with_where_to_allow_it(
        system: System, rec: Recorder, source: MacProcessTap) -> None:
    system.permission = False  # "System Audio Recording" not allowed: zeros, no error
    system.play(SPEAKERS, T0, tone(440, 10.0, 48_000))
    source.start()
    event = rec.wait_event("error", timeout=5) if _run_until(system, rec, 6.0) else None
    assert event is not None and TAP_PERMISSION_GUIDANCE in event.message
    assert ("System Settings → Privacy & Security → Screen & System Audio Recording"
            in event.message and "System Audio Recording Only" in event.message)
    assert system.clock.now - T0 >= 3.0
    run(system, 2.0)
    assert [e.kind for e in rec.events].count("error") == 1  # said once


def test_silence_while_nothing_plays_is_not_a_permission_problem(
        system: System, rec: Recorder, source: MacProcessTap) -> None:
    system.permission = False
    source.start()
    run(system, 5.0)  # nothing plays: zeros are expected
    assert not [e for e in rec.events if e.kind == "error"]


def _run_until(system: System, rec: Recorder, seconds: float, kind: str = "error") -> bool:
    for _ in range(round(seconds / 0.1)):
        if any(e.kind == kind for e in rec.events):
            return True
        run(system, 0.1)
    return any(e.kind == kind for e in rec.events)


@pytest.mark.parametrize("call", ["AudioHardwareCreateProcessTap",
                                  "AudioHardwareCreateAggregateDevice",
                                  "AudioDeviceCreateIOProcIDWithBlock", "AudioDeviceStart"])
def test_a_nope_is_reported_and_nothing_is_left_behind(
        system: System, source: MacProcessTap, call: str) -> None:
    system.refuse[call] = NOPE
    with pytest.raises(DeviceOpenError, match=rf"{call} failed: 'nope' "
                                              r"\(kAudioHardwareIllegalOperationError"):
        source.start()
    assert not system.taps and not system.aggregates


def test_an_ioproc_that_never_fires_is_rebuilt(system: System, rec: Recorder,
                                               source: MacProcessTap) -> None:
    system.ioproc_fires = False
    source.start()
    assert _run_until(system, rec, 6.0)
    error = rec.wait_event("error", timeout=2)
    assert "never delivered audio" in error.message
    assert len(system.aggregates) <= 1 and len(system.taps) <= 1  # the old pair destroyed
    system.ioproc_fires = True
    system.play(SPEAKERS, system.clock.now, tone(440, 5.0, 48_000))
    assert _run_until(system, rec, 3.0, "reopened")
    run(system, 0.5)
    assert len(system.aggregates) == 1 and len(system.taps) == 1


def test_a_new_default_output_rebuilds_the_tap_on_it(system: System, rec: Recorder,
                                                     source: MacProcessTap) -> None:
    system.play(SPEAKERS, T0, tone(440, 10.0, 48_000))
    source.start()
    run(system, 0.5)
    (old,) = system.aggregates
    system.set_default(AIRPODS)  # AirPods connect; the call moves there
    system.play(AIRPODS, system.clock.now, tone(880, 10.0, 24_000))
    assert _run_until(system, rec, 2.0, "device_changed")
    event = rec.wait_event("device_changed", timeout=2)
    assert "AirPods Pro" in event.message
    (new,) = system.aggregates.values()
    assert old not in system.aggregates and new.composition["master"] == "AirPods-UID"
    assert len(system.taps) == 1
    before = len(rec.chunks)
    run(system, 1.0)
    with rec._changed:
        assert rec._changed.wait_for(lambda: len(rec.chunks) - before >= 40, timeout=5)
    after = np.concatenate([c.samples for c in rec.chunks[before:]])
    assert float(np.abs(after).max()) > 0.5  # both tones: the global tap hears every output


def test_status_codes_read_as_core_audio_writes_them() -> None:
    assert describe_status(NOPE).startswith("'nope' (kAudioHardwareIllegalOperationError")
    assert describe_status(-50) == "-50"
    assert tap_supported((14, 2)) and tap_supported((15, 0)) and not tap_supported((14, 1))


def test_open_loopback_picks_the_tap_from_macos_14_2() -> None:
    chunk = lambda c: None  # noqa: E731
    assert isinstance(open_loopback(platform="darwin", macos_version=(14, 2, 1),
                                    on_chunk=chunk), MacProcessTap)
    assert isinstance(open_loopback(platform="darwin", macos_version=(14, 1),
                                    on_chunk=chunk), MacLoopback)  # BlackHole before 14.2
    assert isinstance(open_loopback(platform="darwin", macos_version=(15, 0),
                                    device="BlackHole 2ch", on_chunk=chunk), MacLoopback)


def test_nothing_is_imported_before_the_source_opens() -> None:
    loaded = "CoreAudio" in sys.modules
    source = MacProcessTap(on_chunk=lambda c: None)
    assert source._ca is None  # pyobjc is loaded in _open, never at import or construction
    assert ("CoreAudio" in sys.modules) == loaded
