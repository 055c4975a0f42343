"""System audio on Windows: WASAPI loopback of the default output through PyAudioWPatch.

PyAudioWPatch lists, for every WASAPI output, a matching input named "<output> [Loopback]".
The loopback stream must use the output's shared-mode mix format (its default rate and channel
count). WASAPI calls back only while something plays, so an idle output would leave the stream
silent and timestamps stuck; the shared capture machinery fills those pauses with silence in
step with the clock. A watcher re-reads the default output every `poll_interval` seconds (a
new PyAudio instance is the only way PortAudio sees a changed device list) and moves to the new
default output with a "device_changed" event.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from smart_interview.audio.conversion import CallbackTiming
from smart_interview.audio.devices import LoopbackCandidate
from smart_interview.audio.errors import BackendUnavailable, DeviceNotFound, DeviceOpenError
from smart_interview.audio.source import CaptureSource

DeviceDict = Mapping[str, Any]


def find_loopback_for_output(output: DeviceDict,
                             loopbacks: Iterable[DeviceDict]) -> DeviceDict | None:
    """The loopback twin of an output device: "<name> [Loopback]" exactly, else one whose name
    starts with or contains the output's name."""
    if output.get("isLoopbackDevice"):
        return output
    candidates = list(loopbacks)
    name = str(output["name"])
    for wanted in (f"{name} [Loopback]",):
        for device in candidates:
            if device["name"] == wanted:
                return device
    for device in candidates:
        if str(device["name"]).startswith(name):
            return device
    for device in candidates:
        if name in str(device["name"]):
            return device
    return None


def pick_loopback(spec: str | None, default_output: DeviceDict | None,
                  loopbacks: Iterable[DeviceDict]) -> DeviceDict:
    """`spec` None → the default output's loopback; else by index or (part of) its name."""
    candidates = list(loopbacks)
    if spec is None:
        if default_output is None:
            raise DeviceNotFound("Windows reports no default output device")
        found = find_loopback_for_output(default_output, candidates)
        if found is None:
            raise DeviceNotFound(f"no WASAPI loopback for the default output "
                                 f"{default_output['name']!r}")
        return found
    if spec.strip().isdigit():
        matches = [d for d in candidates if int(d["index"]) == int(spec)]
    else:
        matches = [d for d in candidates if spec.casefold() in str(d["name"]).casefold()]
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(str(d["name"]) for d in candidates) or "none"
    problem = "is ambiguous" if matches else "matches no loopback device"
    raise DeviceNotFound(f"{spec!r} {problem}; loopback devices: {names}")


def stream_format(device: DeviceDict) -> tuple[int, int]:
    """(rate, channels) of the output's shared-mode mix format, which loopback must use."""
    rate = round(float(device["defaultSampleRate"]))
    channels = int(device["maxInputChannels"])
    if rate <= 0 or channels <= 0:
        raise DeviceOpenError(f"{device['name']}: unusable format {rate} Hz x{channels}")
    return rate, channels


def adc_lag(time_info: Mapping[str, float] | None) -> float | None:
    """Seconds between the block's capture and the callback, if PortAudio reported both."""
    if not time_info:
        return None
    adc = time_info.get("input_buffer_adc_time", 0.0)
    now = time_info.get("current_time", 0.0)
    lag = now - adc
    return lag if adc > 0 and 0.0 <= lag < 1.0 else None


def _pyaudio_module(module: Any = None) -> Any:
    if module is not None:
        return module
    try:
        import pyaudiowpatch
    except ImportError as exc:
        raise BackendUnavailable("system audio capture on Windows needs PyAudioWPatch "
                                 "(pip install PyAudioWPatch)") from exc
    return pyaudiowpatch


def _default_output_and_loopbacks(pa: Any, pyaudio: Any) -> tuple[DeviceDict | None,
                                                                  list[DeviceDict]]:
    try:
        wasapi = pa.get_host_api_info_by_type(pyaudio.paWASAPI)
    except OSError as exc:
        raise BackendUnavailable("WASAPI is not available on this system") from exc
    index = wasapi.get("defaultOutputDevice", -1)
    default = pa.get_device_info_by_index(index) if index is not None and index >= 0 else None
    return default, list(pa.get_loopback_device_info_generator())


def wasapi_loopback_candidates(pyaudio: Any = None) -> list[LoopbackCandidate]:
    module = _pyaudio_module(pyaudio)
    pa = module.PyAudio()
    try:
        default, loopbacks = _default_output_and_loopbacks(pa, module)
        default_loopback = (find_loopback_for_output(default, loopbacks)
                            if default is not None else None)
        return [LoopbackCandidate(
            device=str(d["name"]), description=str(d["name"]), host_api="Windows WASAPI",
            is_default=default_loopback is not None and d["index"] == default_loopback["index"],
            note=f"{int(d['defaultSampleRate'])} Hz x{d['maxInputChannels']}")
            for d in loopbacks]
    finally:
        pa.terminate()


class WindowsWasapiLoopback(CaptureSource):
    def __init__(self, *, device: str | None = None, pyaudio: Any = None, block_ms: int = 20,
                 poll_interval: float = 2.0, label: str = "loopback", **kw: Any) -> None:
        kw.setdefault("fill_idle", True)
        super().__init__(label=label, **kw)
        self._spec = device
        self._module = pyaudio
        self._block_ms = block_ms
        self._poll_interval = poll_interval
        self._pa: Any = None
        self._stream: Any = None
        self._device: DeviceDict | None = None
        self._rate = 48_000
        self._channels = 2
        self._timing = CallbackTiming(rate=48_000.0)
        self._watcher: threading.Thread | None = None

    def start(self) -> None:
        super().start()
        if self._spec is None:
            self._watcher = threading.Thread(target=self._follow_default, daemon=True,
                                             name=f"wasapi-default-{self.label}")
            self._watcher.start()

    def stop(self) -> None:
        super().stop()
        if self._watcher is not None:
            self._watcher.join(timeout=self._poll_interval + 5)
            self._watcher = None

    def _open(self) -> None:
        module = _pyaudio_module(self._module)
        self._module = module
        pa = module.PyAudio()  # fresh instance: sees devices plugged in since the last one
        try:
            default, loopbacks = _default_output_and_loopbacks(pa, module)
            device = pick_loopback(self._spec, default, loopbacks)
            rate, channels = stream_format(device)
            self._begin_stream(rate=rate, channels=channels)
            self._rate, self._channels = rate, channels
            self._timing = CallbackTiming(rate=rate)
            stream = pa.open(format=module.paFloat32, channels=channels, rate=rate, input=True,
                             input_device_index=int(device["index"]),
                             frames_per_buffer=max(1, rate * self._block_ms // 1000),
                             stream_callback=self._callback)
            stream.start_stream()
        except Exception as exc:
            pa.terminate()
            if isinstance(exc, (DeviceNotFound, BackendUnavailable)):
                raise
            raise DeviceOpenError(f"cannot open WASAPI loopback: {exc}") from exc
        self._pa, self._stream, self._device = pa, stream, device
        self.name = f"{device['name']} (system audio)"

    def _close(self, *, drain: bool) -> None:
        stream, pa = self._stream, self._pa
        self._stream = self._pa = None
        with contextlib.suppress(Exception):
            if stream is not None:
                stream.stop_stream()  # Pa_StopStream: pending callbacks complete first
                stream.close()
        with contextlib.suppress(Exception):
            if pa is not None:
                pa.terminate()

    def _callback(self, in_data: bytes | None, frame_count: int,
                  time_info: Mapping[str, float] | None, status: int) -> tuple[None, int]:
        module = self._module
        if in_data:
            frames = np.frombuffer(in_data, dtype=np.float32).reshape(-1, self._channels)
            now = self._clock()
            age = None
            if adc_lag(time_info) is not None and time_info is not None:
                age = self._timing.block_end_age(adc=time_info["input_buffer_adc_time"],
                                                 current=time_info["current_time"],
                                                 frames=frame_count)
            self._push_block(frames.copy(), observed_end=now if age is None else now - age)
        return None, module.paContinue

    def _follow_default(self) -> None:
        while not self._stop_requested.wait(self._poll_interval):
            try:
                module = _pyaudio_module(self._module)
                pa = module.PyAudio()
                try:
                    default, loopbacks = _default_output_and_loopbacks(pa, module)
                    wanted = (find_loopback_for_output(default, loopbacks)
                              if default is not None else None)
                finally:
                    pa.terminate()
            except Exception:
                continue
            current = self._device
            stream = self._stream
            if self._is_live and stream is not None and not stream.is_active():
                self._fault(f"{self.name} stopped")
                continue
            if wanted is None or current is None or wanted["name"] == current["name"]:
                continue
            with self._device_lock:
                if self._stop_requested.is_set() or not self._is_live:
                    continue
                self._close(drain=True)
                try:
                    self._open()
                except Exception as exc:
                    self._fault(f"cannot capture the new default output: {exc}")
                    continue
            self._emit("device_changed", f"now capturing {self.name}")
