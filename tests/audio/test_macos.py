"""The macOS checks: microphone authorisation through the Objective-C runtime, the default
output's activity and routing through Core Audio (both against stand-ins that follow Apple's
documentation), and what the macOS loopback says about silence because of them. The capture
itself runs over a real PulseAudio device through PortAudio, like on a Mac: the ALSA `pulse`
input records an idle sink's monitor, i.e. digital silence, like BlackHole when nothing is
routed to it or when macOS denies input."""

from __future__ import annotations

import numpy as np
import pytest

from smart_interview.audio.conversion import Level
from smart_interview.audio.mac_loopback import (
    SILENCE_GUIDANCE,
    MacLoopback,
    SilenceWatch,
    suspicious_output,
)
from smart_interview.audio.macos import (
    PERMISSION_GUIDANCE,
    CoreAudio,
    OutputActivity,
    microphone_authorization,
)
from tests.audio.conftest import Pulse
from tests.audio.recorder import Recorder
from tests.platform_fakes.coreaudio import CoreAudioHal, Device
from tests.platform_fakes.objc import ObjC

SPEAKERS, BLACKHOLE, MULTI_OUTPUT, AIRPODS = 40, 41, 42, 43


def hal(*, default_output: int, running: bool) -> CoreAudioHal:
    devices = {SPEAKERS: Device("MacBook Pro Speakers"), BLACKHOLE: Device("BlackHole 2ch"),
               MULTI_OUTPUT: Device("Multi-Output Device", sub_devices=[SPEAKERS, BLACKHOLE]),
               AIRPODS: Device("AirPods Pro")}
    devices[default_output].running = running
    return CoreAudioHal(devices, default_output=default_output)


@pytest.mark.parametrize(("status", "expected"), [(0, "not_determined"), (1, "restricted"),
                                                  (2, "denied"), (3, "authorized")])
def test_microphone_authorization_asks_avcapturedevice_for_audio(status: int,
                                                                 expected: str) -> None:
    objc = ObjC(authorization=status)
    assert microphone_authorization(objc) == expected
    asked = [s for s in objc.sent if s[1] == "authorizationStatusForMediaType:"]
    assert len(asked) == 1 and objc._strings[asked[0][2][0]] == "soun"  # AVMediaTypeAudio
    assert any("AVFoundation" in path for path in objc.frameworks)


def test_microphone_authorization_unknown_when_the_runtime_fails() -> None:
    class Broken(ObjC):
        def cls(self, name: str) -> int | None:
            return None  # AVFoundation not loaded: the message goes to nil

    assert microphone_authorization(Broken()) is None
    assert microphone_authorization() is None  # not macOS: nothing to ask


def test_output_activity_from_core_audio() -> None:
    fake = hal(default_output=MULTI_OUTPUT, running=True)
    routed = CoreAudio(hal=fake, cf=fake).output_activity
    assert routed("BlackHole 2ch") == OutputActivity(active=True, routed=True)
    assert fake.released  # every CFString copied out of Core Audio is released
    fake = hal(default_output=AIRPODS, running=True)  # the call plays on the AirPods
    assert CoreAudio(hal=fake, cf=fake).output_activity("BlackHole 2ch") == \
        OutputActivity(active=True, routed=False)
    fake = hal(default_output=SPEAKERS, running=False)
    assert CoreAudio(hal=fake, cf=fake).output_activity("BlackHole 2ch") == \
        OutputActivity(active=False, routed=False)
    assert CoreAudio().output_activity("BlackHole 2ch") == OutputActivity(None, None)


def test_silence_is_suspicious_only_when_sound_plays_elsewhere() -> None:
    assert suspicious_output(OutputActivity(active=True, routed=False)) is True
    assert suspicious_output(OutputActivity(active=True, routed=True)) is False
    assert suspicious_output(OutputActivity(active=False, routed=False)) is False
    assert suspicious_output(OutputActivity(active=True, routed=None)) is True
    assert suspicious_output(OutputActivity(active=None, routed=None)) is None
    watch = SilenceWatch(after=5.0)
    zero = Level(0.0, 0.0)
    routed = suspicious_output(OutputActivity(active=True, routed=True))
    assert not any(watch.feed(zero, now=t, output_active=routed) for t in range(30))


def _capture(pulse: Pulse, rec: Recorder, **options: object) -> MacLoopback:
    return MacLoopback(device="pulse", on_chunk=rec.on_chunk, on_event=rec.on_event,
                       silence_after=1.0, **options)  # type: ignore[arg-type]


def _capture_with_output(pulse: Pulse, rec: Recorder, *, default_output: int) -> MacLoopback:
    """Captures as if from BlackHole 2ch while `default_output` runs (Core Audio stand-in)."""
    fake = hal(default_output=default_output, running=True)
    return _capture(pulse, rec, authorization=lambda: "authorized",
                    output_activity=lambda name: CoreAudio(hal=fake, cf=fake)
                    .output_activity("BlackHole 2ch"))


@pytest.mark.pulse
def test_denied_permission_is_reported_not_blamed_on_routing(pulse: Pulse) -> None:
    rec = Recorder()
    objc = ObjC(authorization=2)  # the user clicked "Don't Allow"
    source = _capture(pulse, rec, authorization=lambda: microphone_authorization(objc),
                      output_activity=lambda name: OutputActivity(active=True, routed=False))
    source.start()
    try:
        error = rec.wait_event("error", timeout=5)
        rec.wait_samples(2.5, timeout=10)  # well past `silence_after`
    finally:
        source.stop()
    assert PERMISSION_GUIDANCE in error.message
    assert "Privacy & Security → Microphone" in error.message
    assert [e.kind for e in rec.events] == ["error"]  # no SILENCE_GUIDANCE
    assert float(np.abs(rec.samples()).max()) == 0.0


@pytest.mark.pulse
def test_routed_digital_silence_while_the_output_plays_is_not_a_warning(pulse: Pulse) -> None:
    """The call app plays into the Multi-Output Device (BlackHole included) before the
    interviewer joins: the output runs, and what it plays is digital silence."""
    rec = Recorder()
    source = _capture_with_output(pulse, rec, default_output=MULTI_OUTPUT)
    source.start()
    try:
        rec.wait_samples(2.5, timeout=10)
    finally:
        source.stop()
    assert rec.events == []


@pytest.mark.pulse
def test_silence_while_the_call_plays_elsewhere_is_a_warning(pulse: Pulse) -> None:
    """The call plays on the AirPods directly: nothing reaches the captured device."""
    rec = Recorder()
    source = _capture_with_output(pulse, rec, default_output=AIRPODS)
    source.start()
    try:
        event = rec.wait_event("silence_suspected", timeout=5)
    finally:
        source.stop()
    assert event.message == SILENCE_GUIDANCE


def test_a_reconnected_headset_is_found_while_the_loopback_holds_portaudio(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Both macOS sources hold sounddevice streams; PortAudio lists a reconnected device
    only after a terminate/initialise, which closes every stream of the process."""
    from smart_interview.audio import mic as mic_module
    from smart_interview.audio.mic import MicSource
    from tests.audio.fakes.pyaudiowpatch import Clock
    from tests.audio.fakes.sounddevice import Input, System

    monkeypatch.setattr(mic_module, "_last_shared_refresh", float("-inf"))
    monkeypatch.setattr(mic_module, "REFRESH_EVERY", 0.0)
    clock = Clock(1000.0)
    system = System(clock, [Input("BlackHole 2ch", channels=2),
                            Input("AirPods Pro", level=0.3)])
    mic_rec, loop_rec = Recorder(), Recorder()
    common: dict[str, object] = {"sounddevice": system.module, "clock": clock,
                                 "authorization": lambda: "authorized",
                                 "retry_interval": 0.02, "tail_grace": 0.0}
    mic = MicSource(device="AirPods", on_chunk=mic_rec.on_chunk, on_event=mic_rec.on_event,
                    **common)  # type: ignore[arg-type]
    loopback = MacLoopback(device="BlackHole 2ch", on_chunk=loop_rec.on_chunk,
                           on_event=loop_rec.on_event,
                           output_activity=lambda name: OutputActivity(True, True),
                           **common)  # type: ignore[arg-type]
    mic.start()
    loopback.start()
    try:
        system.advance(1.0)
        system.unplug("AirPods Pro")
        mic_rec.wait_event("error", timeout=5)
        system.replug("AirPods Pro")
        reopened = mic_rec.wait_event("reopened", timeout=5)
        assert "AirPods" in reopened.message and system.list_reads >= 2
        since = clock.now
        system.advance(1.0)
        mic_rec.wait_audio(since=since, peak=0.2, timeout=5)
        loop_rec.wait_samples(1.5, timeout=5)
    finally:
        mic.stop()
        loopback.stop()
    assert [e.kind for e in loop_rec.events] == []  # paused for the refresh, never failed
    assert any(s.input.name == "BlackHole 2ch" for s in system.streams) is False  # stopped
