"""System audio on macOS through a virtual loopback device (BlackHole and similar).

macOS gives apps no loopback device of its own. From macOS 14.2 the app records system audio
with a Core Audio process tap (`mac_tap.MacProcessTap`, no driver needed); this source is for
older macOS, or when the user names a virtual device: system audio is recorded from a virtual
device the user routes the call into (for example BlackHole inside a Multi-Output Device, so
they still hear the interviewer). Two things go wrong in practice and
both are detected: no virtual device is installed (a `LoopbackUnavailable` error with the
steps), or one is installed but nothing is routed to it (the call plays on Bluetooth
headphones directly) — then the device records digital silence, and after `silence_after`
seconds of it while output is active a "silence_suspected" event tells the user what to do.

The source asks Core Audio itself (`macos.CoreAudio.output_activity`, injectable as
`output_activity`) whether the default output is running and whether it feeds the captured
device (it is that device, or a Multi-Output Device that includes it). Silence is expected
when nothing plays, and when what plays is routed into the capture (a call before the
interviewer joins plays digital silence); it is suspicious when sound plays on an output that
does not reach the capture. A denied microphone permission (every Core Audio input counts as
the microphone, BlackHole included) also records zeros: that is reported as a permission error
(`MicSource`), never as a routing problem.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from smart_interview.audio.conversion import Level
from smart_interview.audio.devices import DeviceInfo, LoopbackCandidate, list_devices
from smart_interview.audio.errors import LoopbackUnavailable
from smart_interview.audio.macos import CoreAudio, OutputActivity
from smart_interview.audio.mic import MicSource
from smart_interview.audio.source import AudioChunk, CaptureEvent

VIRTUAL_DEVICE_NAMES = ("blackhole", "loopback audio", "soundflower", "vb-cable",
                        "background music", "ishowu")

SETUP_GUIDANCE = (
    "To hear the interviewer, Smart Interview needs the call's sound routed through a virtual "
    "device: install BlackHole 2ch (https://existential.audio/blackhole/), open Audio MIDI "
    "Setup, create a Multi-Output Device with your speakers or headphones plus BlackHole 2ch, "
    "make it the system output (or the output of Zoom/Meet/Teams), then choose BlackHole 2ch "
    "as the system-audio device in Smart Interview.")

SILENCE_GUIDANCE = (
    "The system-audio device has recorded only silence while sound is playing. The call is "
    "probably playing straight to your speakers or Bluetooth headphones: select the "
    "Multi-Output Device that includes BlackHole as the output (in System Settings → Sound or "
    "in the meeting app). " + SETUP_GUIDANCE.split(": ", 1)[1])


def is_virtual_device(name: str) -> bool:
    lowered = name.casefold()
    return any(hint in lowered for hint in VIRTUAL_DEVICE_NAMES)


def virtual_loopback_candidates(devices: Sequence[DeviceInfo]) -> list[LoopbackCandidate]:
    found = [d for d in devices if d.max_input_channels > 0 and is_virtual_device(d.name)]
    return [LoopbackCandidate(device=d.name, description=d.name, host_api=d.host_api,
                              is_default=i == 0, note="virtual device")
            for i, d in enumerate(found)]


class SilenceWatch:
    """Says once per episode when captured audio stayed silent for `after` seconds while
    output was active. `output_active` unknown (None) counts only digital silence (exact
    zeros, what an unrouted virtual device delivers), never quiet audio."""

    def __init__(self, *, after: float = 10.0, threshold: float = 1e-4) -> None:
        self.after = after
        self.threshold = threshold
        self._silent_since: float | None = None
        self._fired = False

    def feed(self, level: Level, *, now: float, output_active: bool | None) -> bool:
        silent = level.peak == 0.0 if output_active is None else level.peak < self.threshold
        if not silent:
            self._silent_since = None
            self._fired = False
            return False
        if output_active is False:
            self._silent_since = None  # nothing plays: silence is expected
            return False
        if self._silent_since is None:
            self._silent_since = now
        if not self._fired and now - self._silent_since >= self.after:
            self._fired = True
            return True
        return False


def pick_virtual_device(devices: Sequence[DeviceInfo]) -> DeviceInfo:
    for device in devices:
        if device.max_input_channels > 0 and is_virtual_device(device.name):
            return device
    raise LoopbackUnavailable(SETUP_GUIDANCE)


def suspicious_output(activity: OutputActivity) -> bool | None:
    """What `SilenceWatch` takes as `output_active`: True when sound may play where the
    capture cannot hear it, False when silence is expected (nothing plays, or what plays is
    routed into the capture), None when Core Audio could not tell."""
    if activity.active is False or activity.routed is True:
        return False
    if activity.active is True:
        return True
    return None


class MacLoopback(MicSource):
    ACTIVITY_EVERY = 0.5  # seconds of audio between two questions to Core Audio

    def __init__(self, *, device: str | int | None = None,
                 output_active: Callable[[], bool | None] | None = None,
                 output_activity: Callable[[str | None], OutputActivity] | None = None,
                 silence_after: float = 10.0, label: str = "loopback", **kw: Any) -> None:
        """`output_activity(device name)` defaults to asking Core Audio; `output_active`
        (a plain "is something playing") overrides it where the caller knows better."""
        kw.setdefault("fill_idle", True)
        super().__init__(device=device, label=label, **kw)
        self._auto_device = device is None
        if output_active is not None:
            def from_flag(_name: str | None) -> OutputActivity:
                return OutputActivity(active=output_active(), routed=None)

            output_activity = from_flag
        self._output_activity = output_activity or CoreAudio().output_activity
        self._watch = SilenceWatch(after=silence_after)
        self._activity: bool | None = None
        self._activity_at = float("-inf")
        self._consumer = self._on_chunk
        self._on_chunk = self._watch_chunk

    def _open(self) -> None:
        if self._auto_device:
            self._device_spec = pick_virtual_device(list_devices(self._module())).name
        super()._open()

    def _watch_chunk(self, chunk: AudioChunk) -> None:
        self._consumer(chunk)
        if self.permission_denied:
            return  # zeros because macOS denies input: reported as such, not as routing
        if chunk.end - self._activity_at >= self.ACTIVITY_EVERY:  # Core Audio, twice a second
            name = self.device.name if self.device is not None else None
            self._activity = suspicious_output(self._output_activity(name))
            self._activity_at = chunk.end
        if self._watch.feed(self.level, now=chunk.end, output_active=self._activity):
            self._notify(CaptureEvent(kind="silence_suspected", message=SILENCE_GUIDANCE,
                                      at=self._clock()))
