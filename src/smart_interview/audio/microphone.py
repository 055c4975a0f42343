"""`open_microphone`: the candidate's microphone source for this machine.

On Linux with a PulseAudio/PipeWire server the input is recorded with `parec`
(`LinuxPulseMic`), which is steadier than PortAudio's route through ALSA's `pulse` plugin; a
device name is matched against the server's inputs first and, failing that, against PortAudio
devices. Everywhere else (and on Linux without a sound server) it is `MicSource`
(sounddevice/PortAudio).
"""

from __future__ import annotations

import sys
from typing import Any

from smart_interview.audio.source import CaptureSource


def open_microphone(*, device: str | int | None = None, platform: str | None = None,
                    pulse_server: str | None = None, **kw: Any) -> CaptureSource:
    """Builds (does not start) the microphone source."""
    system = platform or sys.platform
    if system.startswith("linux") and not isinstance(device, int):
        from smart_interview.audio.errors import AudioError
        from smart_interview.audio.linux_loopback import LinuxPulseMic
        from smart_interview.audio.pulse import PulseTools, match_sink

        tools = PulseTools(server=pulse_server)
        if tools.reachable():
            try:
                if device is not None:
                    match_sink(device, tools.sources())
            except AudioError:
                pass  # not a PulseAudio input: maybe a PortAudio device name
            else:
                return LinuxPulseMic(device=device, tools=tools, **kw)
    from smart_interview.audio.mic import MicSource

    return MicSource(device=device, **kw)
