"""System audio on Windows: WASAPI loopback of the default output through PyAudioWPatch.

PyAudioWPatch lists, for every WASAPI output, a matching input named "<output> [Loopback]".
The loopback stream must use the output's shared-mode mix format (its default rate and channel
count). WASAPI calls back only while something plays, so an idle output would leave the stream
silent and timestamps stuck; the shared capture machinery fills those pauses with silence in
step with the clock.

A watcher checks every stream every `poll_interval` seconds:
- PortAudio's WASAPI thread ends when the device is unplugged or its format changes
  (AUDCLNT_E_DEVICE_INVALIDATED) and marks the stream inactive, with no callback to say so:
  an inactive stream is a fault ("error" event, then reopened when the device is back).
- With no device named, it follows the default output. PortAudio re-reads its device list
  only when the first instance of the process initialises it, so a fresh PyAudio instance
  beside the capture's own sees the old list; the default output is therefore asked from
  Windows (`windows_endpoints.default_output_name`, injectable as `default_output`). When it
  changes, the capture closes its instance (the last one), so the next one re-reads the list,
  and opens the new output's loopback with a "device_changed" event.
- Call apps on a headset usually play to the communications default (ERole eCommunications)
  or to a device picked inside the call app, not the console default. So when the captured
  output has been silent for `switch_after` seconds while another render endpoint's peak
  meter shows sound in two polls (`endpoint_peaks`, injectable; preferred in this order: the
  communications default, the console default, any other), the capture moves there
  ("device_changed" naming both); a device the user named is kept, and the other one is
  offered instead ("silence_suspected").

Blocks are `block_ms` (default 100 ms) long. PyAudio opens the stream at the device's
`defaultLowInputLatency` (about 3 ms), which leaves WASAPI a buffer of about two blocks: a
callback that waits longer than that for the GIL loses audio. PortAudio flags it
(`paInputOverflow`); such blocks are counted (`overflows`) and reported as an "error" event.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from smart_interview.audio.devices import LoopbackCandidate
from smart_interview.audio.errors import BackendUnavailable, DeviceNotFound, DeviceOpenError
from smart_interview.audio.source import CaptureSource

DeviceDict = Mapping[str, Any]
PLAYING_PEAK = 0.01
"""An endpoint whose peak meter reads this or more is playing something (about -40 dBFS)."""
SOUND_PEAK = 1e-4
"""A captured block with a sample this loud is not silence."""
LOOPBACK_SUFFIX = " [Loopback]"


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


def wasapi_block_end_age(time_info: Mapping[str, float] | None, *, frames: int,
                         rate: float) -> float | None:
    """How long ago the block's last frame was captured, from PortAudio's WASAPI time info.

    PortAudio's WASAPI host API does not report a capture time: it sets
    `inputBufferAdcTime = currentTime + padding`, where padding (`GetCurrentPadding`) is the
    audio waiting in the endpoint buffer, this block included, as the block is handed over.
    The newest of it was captured just now and this block is the oldest part, so its end
    was captured `padding - block length` ago. None when the numbers make no sense."""
    if not time_info:
        return None
    adc = float(time_info.get("input_buffer_adc_time", 0.0))
    now = float(time_info.get("current_time", 0.0))
    padding = adc - now
    if adc <= 0 or now <= 0 or not 0.0 <= padding < 2.0:
        return None
    return max(0.0, padding - frames / rate)


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
    def __init__(self, *, device: str | None = None, pyaudio: Any = None, block_ms: int = 100,
                 poll_interval: float = 1.0,
                 default_output: Callable[[], str | None] | None = None,
                 communications_output: Callable[[], str | None] | None = None,
                 endpoint_peaks: Callable[[], Mapping[str, float]] | None = None,
                 switch_after: float = 3.0, label: str = "loopback", **kw: Any) -> None:
        kw.setdefault("fill_idle", True)
        super().__init__(label=label, **kw)
        if block_ms < 100:
            raise ValueError("WASAPI loopback blocks must be 100 ms or longer")
        self._spec = device
        self._module = pyaudio
        self._block_ms = block_ms
        self._poll_interval = poll_interval
        self._default_output = default_output
        self._communications_output = communications_output
        self._endpoint_peaks = endpoint_peaks
        self._switch_after = switch_after
        self._target: str | None = None  # an output chosen because the call plays there
        self._last_sound = 0.0  # session time of the last captured block that was not silent
        self._heard_elsewhere: dict[str, int] = {}  # polls each other endpoint played in
        self._offered: set[str] = set()
        self._pa: Any = None
        self._stream: Any = None
        self._device: DeviceDict | None = None
        self._output_name: str | None = None  # the output whose loopback this is
        self._requested_output: str | None = None  # the default output Windows last named
        self._rate = 48_000
        self._channels = 2
        self._watcher: threading.Thread | None = None
        self.overflows = 0  # blocks PortAudio flagged paInputOverflow: audio was lost
        self._overflows_reported = 0

    def start(self) -> None:
        super().start()
        self._watcher = threading.Thread(target=self._watch, daemon=True,
                                         name=f"wasapi-watch-{self.label}")
        self._watcher.start()

    def stop(self) -> None:
        if self.running:
            self._report_overflows()
        super().stop()
        if self._watcher is not None:
            self._watcher.join(timeout=self._poll_interval + 5)
            self._watcher = None

    def _open(self) -> None:
        module = _pyaudio_module(self._module)
        self._module = module
        pa = module.PyAudio()  # re-reads the device list only if no other instance lives
        try:
            default, loopbacks = _default_output_and_loopbacks(pa, module)
            device = self._pick(default, loopbacks)
            rate, channels = stream_format(device)
            stream = pa.open(format=module.paFloat32, channels=channels, rate=rate, input=True,
                             input_device_index=int(device["index"]),
                             frames_per_buffer=max(1, rate * self._block_ms // 1000),
                             stream_callback=self._callback, start=False)
            self._rate, self._channels = rate, channels
            self._begin_stream(rate=rate, channels=channels)
            stream.start_stream()
        except Exception as exc:
            pa.terminate()
            if isinstance(exc, (DeviceNotFound, BackendUnavailable)):
                raise
            raise DeviceOpenError(f"cannot open WASAPI loopback: {exc}") from exc
        self._pa, self._stream, self._device = pa, stream, device
        self._output_name = str(device["name"]).removesuffix(LOOPBACK_SUFFIX)
        self.name = f"{device['name']} (system audio)"
        self._last_sound = self._clock()
        self._heard_elsewhere.clear()

    def _pick(self, default: DeviceDict | None, loopbacks: list[DeviceDict]) -> DeviceDict:
        if self._spec is None and self._target is not None:
            found = find_loopback_for_output({"name": self._target}, loopbacks)
            if found is not None:
                return found
        return pick_loopback(self._spec, default, loopbacks)

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
        if status & getattr(module, "paInputOverflow", 0x2):
            self.overflows += 1
        if in_data:
            frames = np.frombuffer(in_data, dtype=np.float32).reshape(-1, self._channels)
            now = self._clock()
            if frames.size and float(np.abs(frames).max()) >= SOUND_PEAK:
                self._last_sound = now
            age = wasapi_block_end_age(time_info, frames=frame_count, rate=self._rate)
            self._push_block(frames.copy(), observed_end=now if age is None else now - age)
        return None, module.paContinue

    # ----- the watcher -------------------------------------------------------------------
    def _watch(self) -> None:
        while not self._stop_requested.wait(self._poll_interval):
            self._report_overflows()
            stream = self._stream
            if self._is_live and stream is not None and not _is_active(stream):
                self._fault(f"{self.name} stopped: the device was removed or its format "
                            "changed")
                continue
            if self._spec is None:
                self._follow_default()
            self._look_for_the_call()

    def _report_overflows(self) -> None:
        count = self.overflows
        if count > self._overflows_reported:
            self._overflows_reported = count
            self._emit("error", f"{self.label}: the machine was too busy to collect system "
                                f"audio in time; {count} block(s) of {self._block_ms} ms "
                                "lost so far")

    def _follow_default(self) -> None:
        try:
            wanted = self._ask_default_output()
        except Exception:
            return  # Windows could not say this time; ask again at the next poll
        if wanted is None or wanted == self._requested_output:
            return
        self._requested_output = wanted
        if not self._is_live or wanted == self._output_name:
            return
        self._target = None  # the user chose a new default: follow it again
        if not self._switch(wanted, "now capturing {name}"):
            return
        if self._output_name != wanted:
            self._emit("error", f"Windows now plays to {wanted!r}, but its audio driver "
                                f"still lists only the old output; capturing {self.name}")

    def _switch(self, output: str, message: str) -> bool:
        """Reopens on the current choice; emits `message` (with {name}) if the capture moved.
        False when the capture is not live or could not reopen."""
        with self._device_lock:
            if self._stop_requested.is_set() or not self._is_live:
                return False
            previous = self.name
            self._close(drain=True)
            try:
                self._open()
            except Exception as exc:
                self._fault(f"cannot capture {output!r}: {exc}")
                return False
        if self.name != previous:
            self._emit("device_changed", message.format(name=self.name))
        return True

    def _look_for_the_call(self) -> None:
        """Moves to (or, for a named device, offers) another output when this one has been
        silent for `switch_after` s while that one plays."""
        mine = self._output_name
        if not self._is_live or mine is None:
            return
        if self._clock() - self._last_sound < self._switch_after:
            self._heard_elsewhere.clear()
            return
        try:
            peaks = self._ask_peaks()
        except Exception:
            return  # the meters could not be read this time
        playing = {name for name, peak in peaks.items() if name != mine and peak >= PLAYING_PEAK}
        for name in playing:
            self._heard_elsewhere[name] = self._heard_elsewhere.get(name, 0) + 1
        sure = [name for name in playing if self._heard_elsewhere[name] >= 2]
        if not sure:
            return
        preferred = [self._ask(self._communications_output, "communications"),
                     self._requested_output]
        choice = next((name for name in preferred if name in sure), sorted(sure)[0])
        role = ("the communications output" if choice == preferred[0]
                else "the default output" if choice == preferred[1] else "another output")
        if self._spec is not None:
            if choice not in self._offered:
                self._offered.add(choice)
                self._emit("silence_suspected",
                           f"{mine} is silent while {choice} ({role}) plays; if your call "
                           f"plays there, choose {choice} as the system-audio device in "
                           "Settings")
            return
        self._target = choice
        self._switch(choice, f"the call plays on {choice} ({role}), not on {mine}: "
                             "now capturing {name}")

    def _ask_peaks(self) -> Mapping[str, float]:
        if self._endpoint_peaks is None:
            from smart_interview.audio.windows_endpoints import render_endpoint_peaks

            self._endpoint_peaks = render_endpoint_peaks
        return self._endpoint_peaks()

    def _ask(self, getter: Callable[[], str | None] | None, role: str) -> str | None:
        try:
            if getter is None:
                from smart_interview.audio.windows_endpoints import default_output_name

                return default_output_name(role)
            return getter()
        except Exception:
            return None

    def _ask_default_output(self) -> str | None:
        if self._default_output is None:
            from smart_interview.audio.windows_endpoints import default_output_name

            self._default_output = default_output_name
        return self._default_output()


def _is_active(stream: Any) -> bool:
    try:
        return bool(stream.is_active())
    except Exception:
        return False
