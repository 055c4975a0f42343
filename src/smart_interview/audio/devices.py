"""What audio devices exist: inputs and outputs per host API (through PortAudio), and the
outputs whose sound can be captured (loopback candidates) on this OS."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from smart_interview.audio.errors import AudioError, DeviceNotFound


@dataclass(frozen=True)
class DeviceInfo:
    index: int
    name: str
    host_api: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    is_default_input: bool = False
    is_default_output: bool = False


@dataclass(frozen=True)
class LoopbackCandidate:
    """An output whose sound can be recorded: `device` is what `open_loopback(device=...)`
    takes."""

    device: str
    description: str
    host_api: str
    is_default: bool = False
    note: str = ""


def list_devices(sounddevice: Any = None) -> list[DeviceInfo]:
    """Every PortAudio device, with the host API's defaults marked."""
    sd = sounddevice or _sounddevice()
    hostapis = sd.query_hostapis()
    devices = []
    for raw in sd.query_devices():
        api = hostapis[raw["hostapi"]]
        devices.append(DeviceInfo(
            index=int(raw["index"]), name=str(raw["name"]), host_api=str(api["name"]),
            max_input_channels=int(raw["max_input_channels"]),
            max_output_channels=int(raw["max_output_channels"]),
            default_samplerate=float(raw["default_samplerate"]),
            is_default_input=raw["index"] == api["default_input_device"],
            is_default_output=raw["index"] == api["default_output_device"]))
    return devices


def default_input_index(sounddevice: Any = None) -> int | None:
    sd = sounddevice or _sounddevice()
    index = sd.default.device[0]
    return None if index is None or index < 0 else int(index)


def match_device(spec: str | int | None, devices: Sequence[DeviceInfo], *,
                 kind: str = "input", default_index: int | None = None) -> DeviceInfo:
    """The device `spec` names: None → the default; an int (or digits) → that index; a
    string → the exact name, else the one device whose name contains it (case-insensitive).
    Several partial matches prefer the default host API's device."""
    usable = [d for d in devices if _channels(d, kind) > 0]
    if spec is None:
        chosen = [d for d in usable if d.index == default_index]
        if not chosen:
            raise DeviceNotFound(f"there is no default {kind} device; "
                                 f"choose one of: {_names(usable)}")
        return chosen[0]
    if isinstance(spec, int) or (isinstance(spec, str) and spec.strip().isdigit()):
        index = int(spec)
        for device in usable:
            if device.index == index:
                return device
        raise DeviceNotFound(f"no {kind} device with index {index}; choose one of: "
                             f"{_names(usable)}")
    exact = [d for d in usable if d.name == spec]
    if exact:
        return exact[0]
    wanted = spec.casefold()
    partial = [d for d in usable if wanted in d.name.casefold()]
    if len(partial) > 1:
        default_api = next((d.host_api for d in usable if d.index == default_index), None)
        preferred = [d for d in partial if d.host_api == default_api]
        partial = preferred if len(preferred) == 1 else partial
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise DeviceNotFound(f"{kind} device {spec!r} is ambiguous: {_names(partial)}")
    raise DeviceNotFound(f"no {kind} device named {spec!r}; choose one of: {_names(usable)}")


def choose_input_format(*, default_rate: float, max_channels: int,
                        supported: Callable[[float, int], bool],
                        preferred_rate: int = 16_000) -> tuple[float, int]:
    """The first (rate, channels) the device accepts: 16 kHz mono saves resampling; then the
    device's own rate in mono, then in its native channel count."""
    rates = [float(preferred_rate), float(default_rate), 48_000.0, 44_100.0]
    channel_options = [1, min(max_channels, 2), max_channels]
    tried: set[tuple[float, int]] = set()
    for rate in rates:
        for channels in channel_options:
            if channels <= 0 or rate <= 0 or (rate, channels) in tried:
                continue
            tried.add((rate, channels))
            if supported(rate, channels):
                return rate, channels
    raise AudioError(f"the device accepts none of these formats: "
                     f"{', '.join(f'{r:.0f} Hz x{c}' for r, c in sorted(tried))}")


def loopback_candidates(*, pulse_server: str | None = None) -> list[LoopbackCandidate]:
    """Outputs that can be recorded here: Linux → PulseAudio/PipeWire sinks (their
    monitors); Windows → WASAPI loopback devices; macOS → virtual devices (BlackHole…)."""
    if sys.platform.startswith("linux"):
        from smart_interview.audio.pulse import PulseTools

        tools = PulseTools(server=pulse_server)
        tools.require()
        default = tools.default_sink()
        return [LoopbackCandidate(device=s.name, description=s.description,
                                  host_api="PulseAudio", is_default=s.name == default,
                                  note=f"monitor {s.monitor}, {s.rate} Hz x{s.channels}")
                for s in tools.sinks()]
    if sys.platform == "win32":
        from smart_interview.audio.windows_loopback import wasapi_loopback_candidates

        return wasapi_loopback_candidates()
    if sys.platform == "darwin":
        from smart_interview.audio.mac_loopback import virtual_loopback_candidates

        return virtual_loopback_candidates(list_devices())
    return []


def _channels(device: DeviceInfo, kind: str) -> int:
    return device.max_input_channels if kind == "input" else device.max_output_channels


def _names(devices: Sequence[DeviceInfo]) -> str:
    return ", ".join(f"{d.index}: {d.name}" for d in devices) or "none"


def _sounddevice() -> Any:
    try:
        import sounddevice
    except OSError as exc:  # the PortAudio library itself is missing
        from smart_interview.audio.errors import BackendUnavailable

        raise BackendUnavailable(f"PortAudio is not available ({exc}); "
                                 "install libportaudio2") from exc
    return sounddevice


LOOPBACK_SUFFIX = " [Loopback]"


def tone_output_for(spec: str | None, *, platform: str,
                     devices: Sequence[DeviceInfo]) -> DeviceInfo | None:
    """The output the setup test tone plays on, for the system-audio choice `spec`; None
    means the default output.

    - Windows: `spec` is PyAudioWPatch's loopback name "<output> [Loopback]", which no
      sounddevice output carries. The tone goes to the WASAPI output of that name (MME
      truncates names to 31 characters and DirectSound lists them again, so only the
      WASAPI entry is certain), played at its mix rate.
    - macOS: `spec` is the capture device (a virtual input such as BlackHole) or None (the
      process tap). A tone sent straight into the capture device would prove nothing about
      where the call plays, so the tone goes to the default output and the interviewer
      source has to hear it there.
    """
    if spec is None or platform == "darwin":
        return None
    name = spec.removesuffix(LOOPBACK_SUFFIX).strip()
    outputs = [d for d in devices if d.max_output_channels > 0]
    if platform == "win32":
        outputs = [d for d in outputs if d.host_api == "Windows WASAPI"] or outputs
    for matches in ([d for d in outputs if d.name.casefold() == name.casefold()],
                    [d for d in outputs if name.casefold() in d.name.casefold()]):
        if len(matches) == 1:
            return matches[0]
        if matches:
            break
    names = ", ".join(d.name for d in outputs) or "none"
    raise DeviceNotFound(f"no single output named {name!r} to play the test sound on; "
                         f"outputs: {names}")
