"""`WindowsWasapiLoopback` itself, against a PyAudioWPatch stand-in that behaves like
PortAudio's WASAPI host API (see `tests/audio/fakes/pyaudiowpatch.py` for what it reproduces
and where that is documented), on a test clock."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from smart_interview.audio.windows_loopback import WindowsWasapiLoopback, wasapi_block_end_age
from tests.audio.fakes.pyaudiowpatch import Clock, Endpoint, PyAudio, System
from tests.audio.recorder import Recorder

SPEAKERS = "Speakers (Realtek(R) Audio)"
HEADPHONES = "Headphones (WH-1000XM4 Stereo)"
T0 = 1000.0


def tone(freq: float, amplitude: float = 0.5):  # type: ignore[no-untyped-def]
    return lambda t: (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.fixture
def system() -> System:
    return System(Clock(T0), [Endpoint(SPEAKERS), Endpoint(HEADPHONES, rate=44_100)],
                  default=SPEAKERS)


@pytest.fixture
def recorded(system: System) -> Iterator[tuple[WindowsWasapiLoopback, Recorder]]:
    rec = Recorder()
    source = WindowsWasapiLoopback(
        pyaudio=system.module(), clock=system.clock, default_output=system.default_output_name,
        poll_interval=0.02, retry_interval=0.02, tail_grace=0.0,
        on_chunk=rec.on_chunk, on_event=rec.on_event)
    yield source, rec
    source.stop()


def run_idle(system: System, seconds: float) -> None:
    """Advances through time in which nothing plays, letting the capture thread see it."""
    for _ in range(round(seconds / 0.1)):
        seen = system.clock.reads_by("capture-")
        system.advance(0.1)
        system.clock.wait_read_by("capture-", after=seen)


def dominant(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.argmax(spectrum) * 16_000 / samples.size)


def test_the_fake_reads_devices_only_on_the_first_initialise(system: System) -> None:
    first = PyAudio(system)
    system.endpoints[SPEAKERS].present = False
    second = PyAudio(system)  # another instance while one lives: the old list
    names = [d["name"] for d in second.get_loopback_device_info_generator()]
    assert f"{SPEAKERS} [Loopback]" in names and system.list_reads == 1
    first.terminate()
    second.terminate()
    third = PyAudio(system)  # 0 → 1: the list is read again
    names = [d["name"] for d in third.get_loopback_device_info_generator()]
    assert names == [f"{HEADPHONES} [Loopback]"] and system.list_reads == 2
    twin = next(third.get_loopback_device_info_generator())
    with pytest.raises(OSError, match="Invalid sample rate"):
        third.open(rate=48_000, channels=2, format=0x1, input=True,
                   input_device_index=twin["index"])
    with pytest.raises(OSError, match="Invalid number of channels"):
        third.open(rate=44_100, channels=1, format=0x1, input=True,
                   input_device_index=twin["index"])
    third.terminate()


def test_a_new_default_output_is_followed(system: System,
                                          recorded: tuple[WindowsWasapiLoopback,
                                                          Recorder]) -> None:
    source, rec = recorded
    system.endpoints[SPEAKERS].play(T0, T0 + 60, tone(440))
    source.start()
    system.advance(1.0)
    assert system.opens[-1]["device"] is not None
    # the user switches to Bluetooth headphones mid-call: the call moves with the default
    system.set_default(HEADPHONES)
    system.endpoints[HEADPHONES].play(system.clock.now, system.clock.now + 60, tone(880))
    event = rec.wait_event("device_changed", timeout=5)
    assert HEADPHONES in event.message
    assert system.list_reads == 2  # the capture's own instance was the last one: re-read
    opened = system.opens[-1]
    assert (opened["rate"], opened["channels"]) == (44_100, 2)
    assert system.device_list[opened["device"]]["name"] == f"{HEADPHONES} [Loopback]"
    switched = len(rec.chunks)
    system.advance(1.0)
    rec.wait_samples(1.6, timeout=5)
    after = np.concatenate([c.samples for c in rec.chunks[switched:]])
    assert dominant(after[-8000:]) == pytest.approx(880, abs=20)
    assert not [e for e in rec.events if e.kind == "error"]


def test_a_named_device_that_dies_is_reported_and_reopened(
        system: System, recorded: tuple[WindowsWasapiLoopback, Recorder]) -> None:
    source, rec = recorded
    source._spec = "WH-1000XM4"  # the user chose the headphones by name
    system.endpoints[HEADPHONES].play(T0, T0 + 60, tone(660))
    source.start()
    system.advance(0.5)
    system.invalidate(HEADPHONES)  # unplugged: PortAudio's WASAPI thread ends silently
    error = rec.wait_event("error", timeout=5)
    assert "WH-1000XM4" in error.message and "removed" in error.message
    system.advance(0.3)
    system.replug(HEADPHONES)
    reopened = rec.wait_event("reopened", timeout=5)
    assert "WH-1000XM4" in reopened.message
    assert system.device_list[system.opens[-1]["device"]]["name"] == f"{HEADPHONES} [Loopback]"
    # a format change (the user picks 48 kHz in the Sound settings) invalidates it too
    system.endpoints[HEADPHONES].rate = 48_000
    system.invalidate(HEADPHONES, unplug=False)
    rec.wait_event("error", timeout=5, after=rec.events.index(reopened) + 1)
    rec.wait_event("reopened", timeout=5, after=rec.events.index(reopened) + 1)
    assert system.opens[-1]["rate"] == 48_000


def test_idle_gap_is_silence_and_sound_after_it_lands_in_time(
        system: System, recorded: tuple[WindowsWasapiLoopback, Recorder]) -> None:
    source, rec = recorded
    speakers = system.endpoints[SPEAKERS]
    speakers.play(T0, T0 + 1.0, tone(440))
    speakers.play(T0 + 4.0, T0 + 5.0, tone(1000))
    source.start()
    system.advance(1.0)
    run_idle(system, 3.0)
    # the first blocks after the pause reach the callback 60 ms late (a busy machine)
    system.streams[-1].busy_until = T0 + 4.16
    system.advance(1.0)
    run_idle(system, 0.5)
    source.stop()
    audio = rec.samples()
    assert rec.max_gap() < 1e-6  # contiguous chunks, the pause included
    start = round((T0 + 1.2 - rec.chunks[0].start) * 16_000)
    end = round((T0 + 3.9 - rec.chunks[0].start) * 16_000)
    assert float(np.abs(audio[start:end]).max()) == 0.0  # the pause is zeros
    onset = end + int(np.flatnonzero(np.abs(audio[end:]) > 0.1)[0])
    assert abs(rec.time_at(onset) - (T0 + 4.0)) <= 0.030
    assert dominant(audio[onset + 800:onset + 8800]) == pytest.approx(1000, abs=20)


def test_blocks_are_long_enough_and_overflows_are_counted(
        system: System, recorded: tuple[WindowsWasapiLoopback, Recorder]) -> None:
    source, rec = recorded
    system.endpoints[SPEAKERS].play(T0, T0 + 60, tone(440))
    source.start()
    assert system.opens[-1]["frames_per_buffer"] >= 48_000 // 10  # blocks of 100 ms or more
    system.advance(0.5)
    stream = system.streams[-1]
    stream.busy_until = system.clock.now + 0.15  # a callback 150 ms late loses nothing
    system.advance(0.5)
    assert stream.lost_frames == 0 and source.overflows == 0
    stream.busy_until = system.clock.now + 0.5  # 500 ms late: WASAPI overwrites audio
    system.advance(1.0)
    assert stream.lost_frames > 0
    event = rec.wait_event("error", timeout=5)
    assert source.overflows == 1 and "lost" in event.message


def test_wasapi_time_info_is_current_time_plus_padding() -> None:
    # PortAudio sets inputBufferAdcTime = currentTime + padding (pa_win_wasapi.c): 150 ms
    # in the endpoint buffer, this 100 ms block included → its end was captured 50 ms ago
    info = {"input_buffer_adc_time": 10.15, "current_time": 10.0, "output_buffer_dac_time": 0.0}
    assert wasapi_block_end_age(info, frames=4800, rate=48_000) == pytest.approx(0.05)
    assert wasapi_block_end_age({"input_buffer_adc_time": 10.05, "current_time": 10.0},
                                frames=4800, rate=48_000) == 0.0
    assert wasapi_block_end_age({"input_buffer_adc_time": 9.9, "current_time": 10.0},
                                frames=4800, rate=48_000) is None  # not WASAPI's shape
    assert wasapi_block_end_age(None, frames=4800, rate=48_000) is None
