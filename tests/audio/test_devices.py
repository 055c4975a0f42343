"""Choosing devices and formats, reading PulseAudio's answers, and `smart-interview devices`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from smart_interview.app.cli import main
from smart_interview.audio.devices import (
    DeviceInfo,
    choose_input_format,
    list_devices,
    match_device,
)
from smart_interview.audio.errors import AudioError, DeviceNotFound
from smart_interview.audio.pulse import (
    PulseTools,
    match_sink,
    parse_event,
    parse_sample_spec,
    parse_sinks_json,
    parse_sinks_short,
)
from tests.audio.conftest import Pulse

DEVICES = [
    DeviceInfo(0, "MacBook Pro Microphone", "Core Audio", 1, 0, 48_000, True, False),
    DeviceInfo(1, "MacBook Pro Speakers", "Core Audio", 0, 2, 48_000, False, True),
    DeviceInfo(2, "Jabra Evolve2 65", "Core Audio", 1, 2, 16_000),
    DeviceInfo(3, "Jabra Evolve2 65", "MME", 1, 2, 16_000),
    DeviceInfo(4, "USB Microphone (Yeti)", "Core Audio", 2, 0, 44_100),
]


def test_match_device_by_default_index_exact_and_partial_name() -> None:
    assert match_device(None, DEVICES, default_index=0).index == 0
    assert match_device(4, DEVICES).index == 4
    assert match_device("4", DEVICES).index == 4
    assert match_device("USB Microphone (Yeti)", DEVICES).index == 4
    assert match_device("yeti", DEVICES).index == 4
    # the same headset under two host APIs: the default input's host API wins
    assert match_device("jabra", DEVICES, default_index=0).host_api == "Core Audio"


def test_match_device_explains_what_exists() -> None:
    with pytest.raises(DeviceNotFound, match="Yeti"):
        match_device("rode", DEVICES)
    with pytest.raises(DeviceNotFound, match="no input device with index 1"):
        match_device(1, DEVICES)  # speakers are not an input
    with pytest.raises(DeviceNotFound, match="ambiguous"):
        match_device("macbook", [*DEVICES, DeviceInfo(5, "MacBook Mic 2", "X", 1, 0, 48_000)])
    with pytest.raises(DeviceNotFound, match="no default input"):
        match_device(None, DEVICES, default_index=None)


def test_choose_input_format_prefers_16k_mono_then_native() -> None:
    assert choose_input_format(default_rate=48_000, max_channels=2,
                               supported=lambda r, c: True) == (16_000, 1)
    only_native = {(48_000.0, 2)}
    assert choose_input_format(default_rate=48_000, max_channels=2,
                               supported=lambda r, c: (r, c) in only_native) == (48_000, 2)
    assert choose_input_format(default_rate=44_100, max_channels=1,
                               supported=lambda r, c: r == 44_100) == (44_100, 1)
    with pytest.raises(AudioError, match="accepts none"):
        choose_input_format(default_rate=48_000, max_channels=2, supported=lambda r, c: False)


SINKS_JSON = json.dumps([
    {"index": 0, "name": "alsa_output.pci-0000_00_1f.3.analog-stereo",
     "description": "Built-in Audio Analog Stereo", "sample_specification": "s16le 2ch 48000Hz",
     "monitor_source": "alsa_output.pci-0000_00_1f.3.analog-stereo.monitor"},
    {"index": 7, "name": "bluez_output.AC_80_0A_12_34_56.1", "description": "WH-1000XM4",
     "sample_specification": "s16le 2ch 44100Hz",
     "monitor_source": "bluez_output.AC_80_0A_12_34_56.1.monitor"},
])


def test_pulse_parsers() -> None:
    sinks = parse_sinks_json(SINKS_JSON)
    assert [(s.index, s.rate, s.channels) for s in sinks] == [(0, 48_000, 2), (7, 44_100, 2)]
    assert match_sink("wh-1000", sinks).index == 7
    assert match_sink("7", sinks).name.startswith("bluez")
    assert match_sink("bluez_output.AC_80_0A_12_34_56.1.monitor", sinks).index == 7
    with pytest.raises(DeviceNotFound, match="outputs: alsa_output"):
        match_sink("hdmi", sinks)
    short = parse_sinks_short("3\tinterviewer\tmodule-null-sink.c\tfloat32le 1ch 16000Hz\tIDLE\n")
    assert short[0].monitor == "interviewer.monitor" and short[0].rate == 16_000
    assert parse_sample_spec("s24le 6ch 96000Hz") == (96_000, 6)
    with pytest.raises(ValueError):
        parse_sample_spec("garbage")
    event = parse_event("Event 'remove' on sink #12")
    assert event is not None and (event.action, event.facility, event.index) == \
        ("remove", "sink", 12)
    assert parse_event("Event 'change' on server #4294967295") is not None
    assert parse_event("hello") is None


@pytest.mark.pulse
def test_real_pulse_answers(pulse: Pulse) -> None:
    tools = PulseTools()
    sinks = {s.name: s for s in tools.sinks()}
    assert {"interviewer", "candidate_mic"} <= set(sinks)
    assert sinks["interviewer"].monitor == "interviewer.monitor"
    assert tools.default_sink() == "interviewer"
    assert tools.default_source() == "candidate_mic.monitor"
    short = parse_sinks_short(pulse.pactl("list", "short", "sinks"))
    assert {s.name for s in short} == set(sinks)


def test_unreachable_server_is_a_clear_error() -> None:
    tools = PulseTools(server="unix:/nonexistent/pulse/native", timeout=5)
    with pytest.raises(AudioError, match="sound server"):
        tools.sinks()


@pytest.mark.pulse
def test_portaudio_devices_are_listed(pulse: Pulse) -> None:  # here ALSA devices come from Pulse
    devices = list_devices()
    assert devices and all(d.host_api for d in devices)
    assert any(d.is_default_input for d in devices)


@pytest.mark.pulse
def test_devices_command_lists_the_null_sinks(pulse: Pulse,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["devices"]) == 0
    out = capsys.readouterr().out
    assert "inputs (microphones)" in out and "outputs" in out
    loopback = out.split("system audio (loopback candidates):")[1]
    assert "* interviewer" in loopback  # the default output, marked
    assert "candidate_mic" in loopback
    assert main(["devices", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {c["device"] for c in data["loopback"]} >= {"interviewer", "candidate_mic"}
    assert [c["device"] for c in data["loopback"] if c["is_default"]] == ["interviewer"]


@pytest.mark.pulse
def test_devices_command_as_a_process(pulse: Pulse) -> None:
    script = Path(sys.executable).with_name("smart-interview")
    if not script.exists():
        pytest.skip(f"the smart-interview script is not installed next to {sys.executable}")
    done = subprocess.run([str(script), "devices"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "interviewer" in done.stdout
