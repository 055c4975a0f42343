"""Errors of the audio package.

AudioError
├── DeviceNotFound        no device matches what was asked for (the message lists what exists)
├── DeviceOpenError       a device exists but could not be opened with any usable format
├── BackendUnavailable    the OS audio service or tool this source needs is missing
│   └── LoopbackUnavailable   system audio cannot be captured here; the message says what to do
└── AudioFileError        an audio file could not be read or decoded

Faults during capture (a device unplugged, the sound server restarted) are not raised: they
arrive as `CaptureEvent(kind="error")` and the source reopens by itself.
"""

from __future__ import annotations


class AudioError(Exception):
    """Base of every error this package raises."""


class DeviceNotFound(AudioError):
    pass


class DeviceOpenError(AudioError):
    pass


class BackendUnavailable(AudioError):
    pass


class LoopbackUnavailable(BackendUnavailable):
    pass


class AudioFileError(AudioError):
    pass
