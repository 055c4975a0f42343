"""`WindowsWasapiLoopback` finding where the call really plays: the communications default
(ERole eCommunications) or any render endpoint whose peak meter shows sound while the
captured one stays silent. Against the PyAudioWPatch / MMDevice stand-in of
`tests/audio/fakes/pyaudiowpatch.py`, on a test clock."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from smart_interview.audio.source import CaptureEvent
from smart_interview.audio.windows_loopback import WindowsWasapiLoopback
from tests.audio.fakes.pyaudiowpatch import Clock, Endpoint, System
from tests.audio.recorder import Recorder
from tests.audio.test_windows_loopback import dominant, tone

SPEAKERS = "Speakers (Realtek(R) Audio)"
HEADSET = "Headset (Jabra Evolve2 65)"
USB = "USB Speakers (C-Media)"
T0 = 1000.0


@pytest.fixture
def system() -> System:
    system = System(Clock(T0), [Endpoint(SPEAKERS), Endpoint(HEADSET, rate=44_100),
                                Endpoint(USB)], default=SPEAKERS)
    system.communications = HEADSET  # Teams on a headset plays here
    return system


def make(system: System, rec: Recorder, device: str | None = None) -> WindowsWasapiLoopback:
    return WindowsWasapiLoopback(
        device=device, pyaudio=system.module(), clock=system.clock,
        default_output=system.default_output_name,
        communications_output=system.communications_output_name,
        endpoint_peaks=system.endpoint_peaks, poll_interval=0.02, retry_interval=0.02,
        tail_grace=0.0, on_chunk=rec.on_chunk, on_event=rec.on_event)


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


@pytest.fixture
def source(system: System, rec: Recorder) -> Iterator[WindowsWasapiLoopback]:
    source = make(system, rec)
    yield source
    source.stop()


def run(system: System, seconds: float) -> None:
    """Advances the test clock in 0.1 s steps, each seen by the watcher."""
    for _ in range(round(seconds / 0.1)):
        seen = system.clock.reads_by("wasapi-watch")
        system.advance(0.1)
        system.clock.wait_read_by("wasapi-watch", after=seen)


def run_until(system: System, rec: Recorder, kind: str, *, seconds: float) -> CaptureEvent:
    for _ in range(round(seconds / 0.1)):
        if any(e.kind == kind for e in rec.events):
            break
        run(system, 0.1)
    return rec.wait_event(kind, timeout=2)


def test_the_call_on_the_communications_headset_is_followed(
        system: System, rec: Recorder, source: WindowsWasapiLoopback) -> None:
    system.endpoints[HEADSET].play(T0, T0 + 60, tone(880))  # the call, on the headset
    system.endpoints[USB].play(T0, T0 + 60, tone(300))  # a video on other speakers
    source.start()
    assert system.device_list[system.opens[0]["device"]]["name"] == f"{SPEAKERS} [Loopback]"
    event = run_until(system, rec, "device_changed", seconds=6)
    assert system.clock.now - T0 >= 3.0  # not before the speakers were silent for 3 s
    assert HEADSET in event.message and "communications" in event.message
    assert SPEAKERS in event.message
    opened = system.opens[-1]
    assert system.device_list[opened["device"]]["name"] == f"{HEADSET} [Loopback]"
    assert (opened["rate"], opened["channels"]) == (44_100, 2)
    switched_at = system.clock.now
    run(system, 1.0)
    onset = rec.wait_audio(since=switched_at - 0.2, peak=0.2, timeout=5)
    run(system, 0.5)
    with rec._changed:
        assert rec._changed.wait_for(lambda: sum(
            c.samples.size for c in rec.chunks if c.start >= onset) >= 4000, timeout=5)
    after = np.concatenate([c.samples for c in rec.chunks if c.start >= onset])
    assert after.size >= 4000 and dominant(after[:4000]) == pytest.approx(880, abs=30)
    run(system, 4.0)  # it stays on the headset while the call plays there
    assert [e.kind for e in rec.events].count("device_changed") == 1


def test_a_changed_console_default_is_still_followed_after_a_move(
        system: System, rec: Recorder, source: WindowsWasapiLoopback) -> None:
    system.endpoints[HEADSET].play(T0, T0 + 60, tone(880))
    source.start()
    run_until(system, rec, "device_changed", seconds=6)
    system.set_default(USB)  # the user picks other speakers as the default output
    system.endpoints[USB].play(system.clock.now, system.clock.now + 60, tone(300))
    before = len(rec.events)
    for _ in range(30):
        if any(e.kind == "device_changed" for e in rec.events[before:]):
            break
        run(system, 0.1)
    event = rec.wait_event("device_changed", timeout=2, after=before)
    assert USB in event.message
    assert system.device_list[system.opens[-1]["device"]]["name"] == f"{USB} [Loopback]"


def test_a_device_the_user_named_is_kept_and_the_playing_one_offered(
        system: System, rec: Recorder) -> None:
    source = make(system, rec, device="Realtek")
    try:
        system.endpoints[HEADSET].play(T0, T0 + 60, tone(880))
        source.start()
        event = run_until(system, rec, "silence_suspected", seconds=6)
        assert HEADSET in event.message and "Settings" in event.message
        run(system, 3.0)
        assert len(system.opens) == 1  # never moved
        assert [e.kind for e in rec.events].count("silence_suspected") == 1  # said once
        assert not [e for e in rec.events if e.kind == "device_changed"]
    finally:
        source.stop()


def test_no_move_while_the_captured_output_plays(
        system: System, rec: Recorder, source: WindowsWasapiLoopback) -> None:
    system.endpoints[SPEAKERS].play(T0, T0 + 60, tone(440))
    system.endpoints[HEADSET].play(T0, T0 + 60, tone(880))
    source.start()
    run(system, 6.0)
    assert len(system.opens) == 1
    assert not [e for e in rec.events if e.kind in ("device_changed", "silence_suspected")]


def test_a_brief_sound_elsewhere_is_not_enough(
        system: System, rec: Recorder, source: WindowsWasapiLoopback) -> None:
    system.endpoints[USB].play(T0 + 3.5, T0 + 3.52, tone(1000))  # a notification ping
    source.start()
    run(system, 6.0)
    assert len(system.opens) == 1
    assert not [e for e in rec.events if e.kind == "device_changed"]
