"""The setup test tone plays where the call plays: on Windows the output whose loopback is
chosen (not the PyAudioWPatch "[Loopback]" name, which sounddevice has no device for), on
macOS the default output (never straight into BlackHole, which proves nothing)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from smart_interview.app.errors import AppError
from smart_interview.app.paths import AppPaths
from smart_interview.app.services import AppServices
from smart_interview.app.settings import Settings

HEADPHONES = "Headphones (WH-1000XM4 Stereo)"


class FakeSounddevice:
    """sounddevice's device lookup (`_get_device_id`): a string matches a device when its
    words appear in order in "<name>, <host API>"; no match raises "No output device
    matching"; several raise "Multiple output devices found" unless one name is exact. MME
    truncates names to 31 characters; PortAudio lists each output once per host API."""

    def __init__(self, devices: list[tuple[str, str, int, float]]) -> None:
        self.apis = sorted({api for _, api, _, _ in devices})
        self.devices = [{"index": i, "name": name, "hostapi": self.apis.index(api),
                         "max_input_channels": 0, "max_output_channels": out,
                         "default_samplerate": rate}
                        for i, (name, api, out, rate) in enumerate(devices)]
        self.played: list[tuple[int | None, int]] = []

    def query_hostapis(self) -> list[dict[str, Any]]:
        return [{"name": api, "default_input_device": -1, "default_output_device": 0}
                for api in self.apis]

    def query_devices(self) -> list[dict[str, Any]]:
        return [dict(d) for d in self.devices]

    def _resolve(self, device: int | str | None) -> int | None:
        if device is None or isinstance(device, int):
            return device
        words = device.lower().split()
        matches = []
        for info in self.devices:
            if not info["max_output_channels"]:
                continue
            full = f"{info['name']}, {self.apis[info['hostapi']]}".lower()
            pos = 0
            for word in words:
                pos = full.find(word, pos)
                if pos < 0:
                    break
                pos += len(word)
            else:
                matches.append(info["index"])
        if not matches:
            raise ValueError(f"No output device matching {device!r}")
        if len(matches) > 1:
            raise ValueError(f"Multiple output devices found for {device!r}")
        return int(matches[0])

    def play(self, data: Any, samplerate: int, *, device: Any = None,
             blocking: bool = False) -> None:
        index = self._resolve(device)
        if index is not None and samplerate != self.devices[index]["default_samplerate"] \
                and self.apis[self.devices[index]["hostapi"]] == "Windows WASAPI":
            raise ValueError("Error opening OutputStream: Invalid sample rate [PaErrorCode "
                             "-9997]")  # shared mode plays only at the mix rate
        self.played.append((index, samplerate))


@pytest.fixture
def windows_devices(monkeypatch: pytest.MonkeyPatch) -> FakeSounddevice:
    fake = FakeSounddevice([
        ("Speakers (Realtek(R) Audio)", "MME", 2, 44_100.0),
        ("Headphones (WH-1000XM4 Stereo", "MME", 2, 44_100.0),  # 31 characters
        (HEADPHONES, "Windows DirectSound", 2, 44_100.0),
        ("Speakers (Realtek(R) Audio)", "Windows WASAPI", 2, 48_000.0),
        (HEADPHONES, "Windows WASAPI", 2, 44_100.0),
    ])
    monkeypatch.setitem(sys.modules, "sounddevice", fake)
    return fake


def services(tmp_path: Path, platform: str) -> AppServices:
    return AppServices(paths=AppPaths.under(tmp_path), settings=Settings(), platform=platform)


def test_windows_plays_on_the_output_of_the_chosen_loopback(
        tmp_path: Path, windows_devices: FakeSounddevice) -> None:
    services(tmp_path, "win32").play_test_sound(f"{HEADPHONES} [Loopback]")
    assert windows_devices.played == [(4, 44_100)]  # the WASAPI entry, at its mix rate
    services(tmp_path, "win32").play_test_sound(None)
    assert windows_devices.played[-1] == (None, 48_000)  # the default output


def test_windows_says_which_outputs_exist_when_none_matches(
        tmp_path: Path, windows_devices: FakeSounddevice) -> None:
    with pytest.raises(AppError, match=r"no single output named 'USB Headset'.*Speakers"):
        services(tmp_path, "win32").play_test_sound("USB Headset [Loopback]")
    assert windows_devices.played == []


def test_macos_never_plays_into_the_capture_device(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeSounddevice([("BlackHole 2ch", "Core Audio", 2, 48_000.0),
                            ("AirPods Pro", "Core Audio", 2, 48_000.0)])
    monkeypatch.setitem(sys.modules, "sounddevice", fake)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    services(tmp_path, "darwin").play_test_sound("BlackHole 2ch")
    assert fake.played == [(None, 48_000)]  # the default output, where the call plays


def test_macos_plays_from_another_process_the_tap_can_hear(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The process tap excludes this app's own output, so the tone comes from afplay."""
    ran: list[list[str]] = []

    def run(command: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        ran.append(command)
        assert Path(command[1]).is_file()  # the tone exists while afplay plays it
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(subprocess, "run", run)
    services(tmp_path, "darwin").play_test_sound(None)
    assert len(ran) == 1 and ran[0][0] == "afplay" and ran[0][1].endswith(".wav")


def test_linux_plays_into_the_chosen_sink_with_paplay(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[list[str]] = []

    def run(command: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        ran.append(command)
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(subprocess, "run", run)
    services(tmp_path, "linux").play_test_sound("interviewer")
    services(tmp_path, "linux").play_test_sound(None)
    assert ran[0][:2] == ["paplay", "--device=interviewer"] and ran[0][2].endswith(".wav")
    assert len(ran[1]) == 2 and ran[1][0] == "paplay"  # the default sink
