"""`open_loopback`: the system-audio (interviewer) source for the OS this runs on.

Linux: `LinuxPulseLoopback` (the monitor of a PulseAudio/PipeWire output, via parec).
Windows: `WindowsWasapiLoopback` (WASAPI loopback via PyAudioWPatch).
macOS 14.2+: `MacProcessTap` (a Core Audio process tap: every other app's output, no driver)
when no device is named; a named device, or macOS before 14.2: `MacLoopback` (a virtual
device such as BlackHole, with silence detection).
All three are `CaptureSource`s with the same behaviour; `device` names an output (Linux sink
name or description, Windows output name) or, on macOS, the virtual input device.
"""

from __future__ import annotations

import sys
from typing import Any

from smart_interview.audio.errors import LoopbackUnavailable
from smart_interview.audio.source import CaptureSource


def open_loopback(*, device: str | None = None, platform: str | None = None,
                  macos_version: tuple[int, ...] | None = None, **kw: Any) -> CaptureSource:
    """Builds (does not start) the loopback source for `platform` (default: this OS)."""
    system = platform or sys.platform
    if system.startswith("linux"):
        from smart_interview.audio.linux_loopback import LinuxPulseLoopback

        return LinuxPulseLoopback(device=device, **kw)
    if system == "win32":
        from smart_interview.audio.windows_loopback import WindowsWasapiLoopback

        return WindowsWasapiLoopback(device=device, **kw)
    if system == "darwin":
        from smart_interview.audio.mac_loopback import MacLoopback
        from smart_interview.audio.mac_tap import MacProcessTap, mac_version, tap_supported

        if device is None and tap_supported(macos_version or mac_version()):
            return MacProcessTap(**kw)

        return MacLoopback(device=device, **kw)
    raise LoopbackUnavailable(f"system audio capture is not supported on {system}")


LoopbackSource = open_loopback
"""The name the interface uses for "the system-audio source of this OS": call it like a class."""
