"""Windows (WASAPI loopback) and macOS (virtual device) sources: their pure logic runs
everywhere; capture itself only on that OS (skipped elsewhere with the reason)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from smart_interview.audio.conversion import Level
from smart_interview.audio.devices import DeviceInfo
from smart_interview.audio.errors import BackendUnavailable, DeviceNotFound, LoopbackUnavailable
from smart_interview.audio.linux_loopback import LinuxPulseLoopback
from smart_interview.audio.loopback import open_loopback
from smart_interview.audio.mac_loopback import (
    MacLoopback,
    SilenceWatch,
    pick_virtual_device,
    virtual_loopback_candidates,
)
from smart_interview.audio.windows_loopback import (
    WindowsWasapiLoopback,
    find_loopback_for_output,
    pick_loopback,
    stream_format,
)
from tests.audio.conftest import Pulse
from tests.audio.recorder import Recorder


def _wasapi(index: int, name: str, *, loopback: bool, rate: float = 48_000.0,
            inputs: int = 2) -> dict[str, object]:
    """A device entry shaped like PyAudioWPatch's get_device_info_by_index()."""
    return {"index": index, "structVersion": 2, "name": name, "hostApi": 2,
            "maxInputChannels": inputs if loopback else 0,
            "maxOutputChannels": 0 if loopback else 2, "defaultLowInputLatency": 0.003,
            "defaultLowOutputLatency": 0.003, "defaultHighInputLatency": 0.01,
            "defaultHighOutputLatency": 0.01, "defaultSampleRate": rate,
            "isLoopbackDevice": loopback}


SPEAKERS = _wasapi(5, "Speakers (Realtek(R) Audio)", loopback=False)
HEADSET = _wasapi(6, "Headphones (WH-1000XM4 Stereo)", loopback=False)
LOOPBACKS = [
    _wasapi(11, "Speakers (Realtek(R) Audio) [Loopback]", loopback=True),
    _wasapi(12, "Headphones (WH-1000XM4 Stereo) [Loopback]", loopback=True, rate=44_100.0),
    _wasapi(13, "Headphones (WH-1000XM4 Hands-Free) [Loopback]", loopback=True, rate=16_000.0,
            inputs=1),
]


def test_wasapi_loopback_of_the_default_output() -> None:
    assert find_loopback_for_output(SPEAKERS, LOOPBACKS)["index"] == 11  # type: ignore[index]
    assert pick_loopback(None, HEADSET, LOOPBACKS)["index"] == 12
    assert find_loopback_for_output(LOOPBACKS[0], []) is LOOPBACKS[0]  # already a loopback
    assert find_loopback_for_output(_wasapi(9, "HDMI", loopback=False), LOOPBACKS) is None
    with pytest.raises(DeviceNotFound, match="no WASAPI loopback"):
        pick_loopback(None, _wasapi(9, "HDMI", loopback=False), LOOPBACKS)
    with pytest.raises(DeviceNotFound, match="no default output"):
        pick_loopback(None, None, LOOPBACKS)


def test_wasapi_loopback_chosen_by_name_or_index() -> None:
    assert pick_loopback("hands-free", None, LOOPBACKS)["index"] == 13
    assert pick_loopback("12", None, LOOPBACKS)["index"] == 12
    with pytest.raises(DeviceNotFound, match="ambiguous"):
        pick_loopback("headphones", None, LOOPBACKS)
    with pytest.raises(DeviceNotFound, match="matches no loopback device"):
        pick_loopback("hdmi", None, LOOPBACKS)


def test_wasapi_format_is_the_mix_format() -> None:
    assert stream_format(LOOPBACKS[1]) == (44_100, 2)
    assert stream_format(LOOPBACKS[2]) == (16_000, 1)
    with pytest.raises(Exception, match="unusable format"):
        stream_format(_wasapi(1, "broken", loopback=True, inputs=0))


@pytest.mark.skipif(sys.platform == "win32", reason="checks the message where PyAudioWPatch "
                                                    "cannot be installed")
def test_wasapi_without_pyaudiowpatch_says_what_to_install() -> None:
    source = WindowsWasapiLoopback(on_chunk=lambda c: None)
    with pytest.raises(BackendUnavailable, match="PyAudioWPatch"):
        source.start()
    assert not source.running


@pytest.mark.skipif(sys.platform != "win32", reason="WASAPI loopback exists only on Windows")
def test_wasapi_capture_keeps_time_while_nothing_plays() -> None:  # pragma: no cover
    rec = Recorder()
    source = WindowsWasapiLoopback(on_chunk=rec.on_chunk, on_event=rec.on_event)
    try:
        source.start()
    except DeviceNotFound:
        pytest.skip("this Windows machine has no audio output (a CI runner)")
    rec.wait_samples(1.0, timeout=5.0)
    source.stop()
    assert rec.samples().size >= 16_000 and rec.max_gap() < 1e-6


def test_silence_watch() -> None:
    watch = SilenceWatch(after=5.0)
    zero, quiet, loud = Level(0.0, 0.0), Level(1e-5, 5e-5), Level(0.1, 0.4)
    assert not any(watch.feed(zero, now=t, output_active=True) for t in range(5))
    assert watch.feed(zero, now=5.0, output_active=True)  # fires once...
    assert not watch.feed(zero, now=9.0, output_active=True)  # ...per episode
    assert not watch.feed(loud, now=10.0, output_active=True)
    assert not watch.feed(quiet, now=11.0, output_active=True)
    assert watch.feed(quiet, now=16.0, output_active=True)
    watch = SilenceWatch(after=5.0)
    assert not watch.feed(zero, now=0.0, output_active=False)
    assert not watch.feed(zero, now=10.0, output_active=False)  # nothing plays: expected
    watch = SilenceWatch(after=5.0)  # output state unknown: only digital silence counts
    assert not watch.feed(quiet, now=0.0, output_active=None)
    assert not watch.feed(quiet, now=10.0, output_active=None)
    assert not watch.feed(zero, now=11.0, output_active=None)
    assert watch.feed(zero, now=16.0, output_active=None)


MAC_DEVICES = [
    DeviceInfo(0, "MacBook Pro Microphone", "Core Audio", 1, 0, 48_000, True, False),
    DeviceInfo(1, "MacBook Pro Speakers", "Core Audio", 0, 2, 48_000, False, True),
    DeviceInfo(2, "BlackHole 2ch", "Core Audio", 2, 2, 48_000),
    DeviceInfo(3, "Microsoft Teams Audio", "Core Audio", 2, 2, 48_000),
]


def test_virtual_devices_on_macos() -> None:
    assert pick_virtual_device(MAC_DEVICES).name == "BlackHole 2ch"
    candidates = virtual_loopback_candidates(MAC_DEVICES)
    assert [c.device for c in candidates] == ["BlackHole 2ch"] and candidates[0].is_default
    with pytest.raises(LoopbackUnavailable, match="BlackHole"):
        pick_virtual_device(MAC_DEVICES[:2])


def test_mac_loopback_without_a_virtual_device_explains_the_setup() -> None:
    source = MacLoopback(on_chunk=lambda c: None)  # this machine has no BlackHole
    with pytest.raises(LoopbackUnavailable, match="Multi-Output Device"):
        source.start()
    assert not source.running


@pytest.mark.pulse
def test_mac_loopback_suspects_silence_while_output_plays(pulse: Pulse) -> None:
    """The macOS source's logic over a real device: the ALSA `pulse` input records the idle
    `candidate_mic` monitor, i.e. digital silence, like an unrouted BlackHole."""
    rec = Recorder()
    source = MacLoopback(device="pulse", on_chunk=rec.on_chunk, on_event=rec.on_event,
                         output_active=lambda: True, silence_after=1.0)
    source.start()
    try:
        event = rec.wait_event("silence_suspected", timeout=5)
    finally:
        source.stop()
    assert "Multi-Output Device" in event.message
    assert float(np.abs(rec.samples()).max()) == 0.0


@pytest.mark.skipif(sys.platform != "darwin", reason="Core Audio devices exist only on macOS")
def test_mac_loopback_on_macos() -> None:  # pragma: no cover
    rec = Recorder()
    source = MacLoopback(on_chunk=rec.on_chunk, on_event=rec.on_event)
    try:
        source.start()
    except LoopbackUnavailable:
        pytest.skip("no virtual loopback device (BlackHole) installed on this Mac")
    rec.wait_samples(0.6, timeout=5.0)
    source.stop()
    assert rec.samples().size > 8_000


def test_open_loopback_picks_the_os_implementation() -> None:
    assert isinstance(open_loopback(platform="linux", on_chunk=lambda c: None),
                      LinuxPulseLoopback)
    assert isinstance(open_loopback(platform="win32", on_chunk=lambda c: None),
                      WindowsWasapiLoopback)
    assert isinstance(open_loopback(platform="darwin", on_chunk=lambda c: None), MacLoopback)
    with pytest.raises(LoopbackUnavailable, match="not supported"):
        open_loopback(platform="sunos5", on_chunk=lambda c: None)


@pytest.mark.pulse
def test_open_microphone_prefers_the_sound_server_on_linux(pulse: Pulse) -> None:
    from smart_interview.audio.linux_loopback import LinuxPulseMic
    from smart_interview.audio.mic import MicSource
    from smart_interview.audio.microphone import open_microphone

    assert isinstance(open_microphone(platform="linux", on_chunk=lambda c: None), LinuxPulseMic)
    named = open_microphone(device="Candidate", platform="linux", on_chunk=lambda c: None)
    assert isinstance(named, LinuxPulseMic)
    # not a PulseAudio input: a PortAudio device name or index
    assert isinstance(open_microphone(device="pulse", platform="linux",
                                      on_chunk=lambda c: None), MicSource)
    assert isinstance(open_microphone(device=0, platform="linux", on_chunk=lambda c: None),
                      MicSource)
    assert isinstance(open_microphone(platform="darwin", on_chunk=lambda c: None), MicSource)
