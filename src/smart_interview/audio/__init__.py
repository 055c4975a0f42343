"""Capture sources (microphone, system-audio loopback per OS, file replay) and conversion to
16 kHz mono float32. No Qt.

    from smart_interview.audio.source import AudioChunk, CaptureEvent, CaptureSource, Level
    from smart_interview.audio.mic import MicSource                # PortAudio, any OS
    from smart_interview.audio.microphone import open_microphone  # the best mic path here
    from smart_interview.audio.loopback import open_loopback      # Linux, Windows or macOS
    from smart_interview.audio.file_source import FileSource
    from smart_interview.audio.devices import list_devices, loopback_candidates

Rooms: `source` (the interface and the shared capture thread), `pipeline` (one stream's way
from device blocks to timed chunks), `conversion` (soxr resampling, chunking, timeline and
drift), `mic`, `linux_loopback` + `pulse`, `windows_loopback`,
`mac_loopback`, `file_source`, `devices`; errors in `errors`. The names above can also be
imported from this package directly; nothing is loaded until first use.
"""

from __future__ import annotations

_EXPORTS = {
    "SAMPLE_RATE": "source", "AudioChunk": "source", "CaptureEvent": "source",
    "CaptureSource": "source", "Level": "source", "MicSource": "mic",
    "FileSource": "file_source", "open_loopback": "loopback", "LoopbackSource": "loopback",
    "open_microphone": "microphone",
    "list_devices": "devices", "loopback_candidates": "devices",
}


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(f"smart_interview.audio.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
