"""A stand-in for the `pyaudiowpatch` module that behaves like PortAudio's WASAPI host API
under PyAudioWPatch, driven by a test clock.

What it reproduces, and where that behaviour is written down:
- `Pa_Initialize` builds the device list only when the process-wide initialisation count goes
  from 0 to 1; later `PyAudio()` instances share that list until every instance has called
  `terminate()` (PortAudio `src/common/pa_front.c`, `Pa_Initialize` / `Pa_Terminate`).
- PyAudioWPatch lists, for every WASAPI output, an input twin named "<output> [Loopback]"
  with `isLoopbackDevice` True, the output's `defaultSampleRate` and its channel count as
  `maxInputChannels` (`get_loopback_device_info_generator`).
- A loopback stream opens in shared mode only with the endpoint's mix format: its rate and
  channel count; PortAudio converts the sample format, so paFloat32 and paInt16 are both
  accepted. Anything else fails like PyAudio does: `OSError(errno, PortAudio error text)`.
- WASAPI loopback delivers packets only while something plays on the output. PortAudio
  hands them to the callback in blocks of `frames_per_buffer` with
  `input_buffer_adc_time = current_time + padding` (`pa_win_wasapi.c`,
  `WaspiHostProcessingLoop`), padding being the audio in the endpoint buffer, this block
  included.
- The endpoint buffer holds about two blocks (the stream is opened at
  `defaultLowInputLatency`); a callback that is late by more loses the oldest audio, and the
  next callback carries `paInputOverflow`.
- On `AUDCLNT_E_DEVICE_INVALIDATED` (unplug, format change) PortAudio's WASAPI thread ends:
  no more callbacks, `is_active()` False, and nothing else is said.
- Windows keeps one default output per ERole: `default` (eConsole) and `communications`
  (eCommunications), which call apps on a headset play to; they are separate settings in the
  Sound control panel and change independently (`default_output_name` /
  `communications_output_name` stand in for `IMMDeviceEnumerator::GetDefaultAudioEndpoint`).
- `IAudioMeterInformation::GetPeakValue` of a render endpoint is the peak (0..1) of what it
  plays right now, whether or not anything captures it (`endpoint_peaks`, over the last 50 ms).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

paFloat32 = 0x1
paInt16 = 0x8
paWASAPI = 13
paContinue = 0
paInputOverflow = 0x2

_INVALID_DEVICE = (-9996, "Invalid device")
_INVALID_CHANNELS = (-9998, "Invalid number of channels")
_INVALID_RATE = (-9997, "Invalid sample rate")
_BAD_FORMAT = (-9994, "Sample format not supported")
_NOT_INITIALISED = (-10000, "PortAudio not initialized")


class Clock:
    """The session clock of the test; PortAudio's own clock runs `offset` seconds ahead."""

    def __init__(self, start: float = 1000.0, *, offset: float = 5000.0) -> None:
        self.now = start
        self.offset = offset
        self._lock = threading.Lock()
        self._reads: dict[str, int] = {}
        self._read = threading.Condition(self._lock)

    def __call__(self) -> float:
        with self._lock:
            name = threading.current_thread().name
            self._reads[name] = self._reads.get(name, 0) + 1
            self._read.notify_all()
            return self.now

    def reads_by(self, prefix: str) -> int:
        with self._lock:
            return sum(n for name, n in self._reads.items() if name.startswith(prefix))

    def wait_read_by(self, prefix: str, *, after: int, timeout: float = 5.0) -> None:
        """Waits until a thread whose name starts with `prefix` has read the clock again."""
        def read() -> bool:
            return sum(n for name, n in self._reads.items() if name.startswith(prefix)) > after

        with self._read:
            assert self._read.wait_for(read, timeout=timeout), f"{prefix} never read the clock"


Signal = Callable[[np.ndarray], np.ndarray]
"""Session times (s) → samples (mono, -1..1) of what plays at those times."""


@dataclass
class Endpoint:
    """A WASAPI render endpoint as Windows sees it."""

    name: str
    rate: int = 48_000
    channels: int = 2
    present: bool = True
    playing: list[tuple[float, float, Signal]] = field(default_factory=list)

    def play(self, start: float, end: float, signal: Signal) -> None:
        self.playing.append((start, end, signal))

    def sound(self, t0: float, frames: int) -> tuple[np.ndarray, np.ndarray]:
        """(which of the frames from t0 play, their samples)."""
        times = t0 + np.arange(frames) / self.rate
        played = np.zeros(frames, dtype=bool)
        samples = np.zeros(frames, dtype=np.float32)
        for start, end, signal in self.playing:
            inside = (times >= start) & (times < end)
            if inside.any():
                played |= inside
                samples[inside] = signal(times[inside])
        return played, samples


class System:
    """Windows' audio endpoints and default output, and the process's PortAudio state."""

    def __init__(self, clock: Clock, endpoints: list[Endpoint], *, default: str) -> None:
        self.clock = clock
        self.endpoints = {e.name: e for e in endpoints}
        self.default = default
        self.communications: str | None = default
        self.init_count = 0
        self.device_list: list[dict[str, Any]] = []
        self.default_index = -1
        self.list_reads = 0
        self.streams: list[Stream] = []
        self.opens: list[dict[str, Any]] = []
        self.lock = threading.RLock()

    # --- what the IMMDevice API answers (injected as the loopback's `default_output`) ---
    def default_output_name(self) -> str | None:
        endpoint = self.endpoints.get(self.default)
        return endpoint.name if endpoint is not None and endpoint.present else None

    def communications_output_name(self) -> str | None:
        endpoint = self.endpoints.get(self.communications or "")
        return endpoint.name if endpoint is not None and endpoint.present else None

    def endpoint_peaks(self) -> dict[str, float]:
        """{name: peak} of every present render endpoint, over the last 50 ms."""
        peaks = {}
        for endpoint in self.endpoints.values():
            if endpoint.present:
                frames = endpoint.rate // 20
                _, samples = endpoint.sound(self.clock.now - frames / endpoint.rate, frames)
                peaks[endpoint.name] = float(np.abs(samples).max(initial=0.0))
        return peaks

    # --- what the test does to Windows ---
    def set_default(self, name: str) -> None:
        self.default = name
        # the audio engine moves playback to the new default output; the old one goes quiet
        for endpoint in self.endpoints.values():
            if endpoint.name != name:
                endpoint.playing.clear()

    def invalidate(self, name: str, *, unplug: bool = True) -> None:
        """AUDCLNT_E_DEVICE_INVALIDATED for every stream on `name`."""
        with self.lock:
            if unplug:
                self.endpoints[name].present = False
            for stream in self.streams:
                if stream.endpoint.name == name:
                    stream.invalidated = True

    def replug(self, name: str) -> None:
        self.endpoints[name].present = True

    def advance(self, seconds: float, *, step: float = 0.01) -> None:
        """Moves time forward; the WASAPI threads capture and call back on the way."""
        target = self.clock.now + seconds
        while self.clock.now < target - 1e-9:
            with self.clock._lock:
                self.clock.now = min(target, self.clock.now + step)
            for stream in list(self.streams):
                stream.tick(self.clock.now)

    # --- PortAudio ---
    def initialise(self) -> None:
        with self.lock:
            if self.init_count == 0:  # Pa_Initialize → InitializeHostApis: the list is read
                self.list_reads += 1
                self.device_list, self.default_index = [], -1
                for endpoint in self.endpoints.values():
                    if not endpoint.present:
                        continue
                    output = _info(len(self.device_list), endpoint, loopback=False)
                    self.device_list.append(output)
                    if endpoint.name == self.default:
                        self.default_index = output["index"]
                for endpoint in self.endpoints.values():
                    if endpoint.present:
                        self.device_list.append(_info(len(self.device_list), endpoint,
                                                      loopback=True))
            self.init_count += 1

    def terminate(self) -> None:
        with self.lock:
            if self.init_count == 0:
                return
            self.init_count -= 1
            if self.init_count == 0:  # Pa_Terminate closes every stream still open
                for stream in list(self.streams):
                    stream.close()

    def module(self) -> Any:
        """The object to pass where the code expects `import pyaudiowpatch`."""
        return _Module(self)


def _info(index: int, endpoint: Endpoint, *, loopback: bool) -> dict[str, Any]:
    return {"index": index, "structVersion": 2,
            "name": f"{endpoint.name} [Loopback]" if loopback else endpoint.name,
            "hostApi": 0, "maxInputChannels": endpoint.channels if loopback else 0,
            "maxOutputChannels": 0 if loopback else endpoint.channels,
            "defaultLowInputLatency": 0.003, "defaultLowOutputLatency": 0.003,
            "defaultHighInputLatency": 0.01, "defaultHighOutputLatency": 0.01,
            "defaultSampleRate": float(endpoint.rate), "isLoopbackDevice": loopback}


class _Module:
    paFloat32 = paFloat32
    paInt16 = paInt16
    paWASAPI = paWASAPI
    paContinue = paContinue
    paInputOverflow = paInputOverflow

    def __init__(self, system: System) -> None:
        self._system = system

    def PyAudio(self) -> PyAudio:
        return PyAudio(self._system)


class PyAudio:
    def __init__(self, system: System) -> None:
        self._system = system
        self._alive = True
        system.initialise()

    def _check(self) -> None:
        if not self._alive:
            raise OSError(*_NOT_INITIALISED)

    def terminate(self) -> None:
        if self._alive:
            self._alive = False
            self._system.terminate()

    def get_host_api_info_by_type(self, host_api: int) -> dict[str, Any]:
        self._check()
        if host_api != paWASAPI:
            raise OSError(-9979, "Host API not found")
        return {"index": 0, "type": paWASAPI, "name": "Windows WASAPI",
                "deviceCount": len(self._system.device_list),
                "defaultInputDevice": -1, "defaultOutputDevice": self._system.default_index}

    def get_device_info_by_index(self, index: int) -> dict[str, Any]:
        self._check()
        if not 0 <= index < len(self._system.device_list):
            raise OSError(*_INVALID_DEVICE)
        return dict(self._system.device_list[index])

    def get_loopback_device_info_generator(self) -> Any:
        self._check()
        return (dict(d) for d in self._system.device_list if d["isLoopbackDevice"])

    def open(self, rate: int, channels: int, format: int, input: bool = False,
             output: bool = False, input_device_index: int | None = None,
             frames_per_buffer: int = 1024, start: bool = True,
             stream_callback: Callable[..., Any] | None = None, **_: Any) -> Stream:
        self._check()
        system = self._system
        system.opens.append({"rate": rate, "channels": channels, "format": format,
                             "device": input_device_index,
                             "frames_per_buffer": frames_per_buffer})
        if not input or input_device_index is None:
            raise OSError(*_INVALID_DEVICE)
        info = self.get_device_info_by_index(input_device_index)
        endpoint = system.endpoints[info["name"].removesuffix(" [Loopback]")]
        if not endpoint.present:
            raise OSError(*_INVALID_DEVICE)  # the list is stale: the device is gone
        if format not in (paFloat32, paInt16):
            raise OSError(*_BAD_FORMAT)
        if channels != endpoint.channels or channels != info["maxInputChannels"]:
            raise OSError(*_INVALID_CHANNELS)
        if rate != endpoint.rate or rate != round(info["defaultSampleRate"]):
            raise OSError(*_INVALID_RATE)  # shared mode takes only the mix format
        stream = Stream(system, endpoint, rate=rate, channels=channels, sample_format=format,
                        frames_per_buffer=frames_per_buffer, callback=stream_callback)
        with system.lock:
            system.streams.append(stream)
        if start:
            stream.start_stream()
        return stream


class Stream:
    def __init__(self, system: System, endpoint: Endpoint, *, rate: int, channels: int,
                 sample_format: int, frames_per_buffer: int,
                 callback: Callable[..., Any] | None) -> None:
        self.system = system
        self.endpoint = endpoint
        self.rate = rate
        self.channels = channels
        self.sample_format = sample_format
        self.frames_per_buffer = frames_per_buffer
        self.capacity = 2 * frames_per_buffer  # endpoint buffer at defaultLowInputLatency
        self.callback = callback
        self.started = False
        self.closed = False
        self.invalidated = False
        self.busy_until = float("-inf")  # the callback thread waits (for the GIL) until then
        self.callbacks = 0
        self.lost_frames = 0
        self._overflowed = False
        self._captured_to: float | None = None  # session time captured up to
        self._buffer: list[np.ndarray] = []  # played frames waiting, oldest first
        self._buffer_ends: list[float] = []  # capture time of the end of each frame run
        self._lock = threading.Lock()

    def start_stream(self) -> None:
        if self.closed:
            raise OSError(-9988, "Invalid stream pointer")
        self.started = True
        self._captured_to = self.system.clock.now

    def stop_stream(self) -> None:
        with self._lock:  # Pa_StopStream returns after the callback in progress
            self.started = False

    def close(self) -> None:
        with self._lock:
            self.started = False
            self.closed = True
        with self.system.lock:
            if self in self.system.streams:
                self.system.streams.remove(self)

    def is_active(self) -> bool:
        return self.started and not self.closed and not self.invalidated

    def _buffered(self) -> int:
        return sum(len(b) for b in self._buffer)

    def tick(self, now: float) -> None:
        with self._lock:
            if not self.is_active() or self._captured_to is None:
                return
            frames = round((now - self._captured_to) * self.rate)
            if frames <= 0:
                return
            played, samples = self.endpoint.sound(self._captured_to, frames)
            self._captured_to += frames / self.rate
            # only what plays reaches the loopback buffer; idle time leaves no packets
            runs = np.flatnonzero(np.diff(np.concatenate([[0], played.astype(np.int8), [0]])))
            for begin, end in zip(runs[::2], runs[1::2], strict=True):
                block = np.repeat(samples[begin:end, None], self.channels, axis=1)
                self._buffer.append(block)
                self._buffer_ends.append(self._captured_to - (frames - end) / self.rate)
            while self._buffered() > self.capacity:  # the oldest audio is overwritten
                excess = self._buffered() - self.capacity
                if len(self._buffer[0]) <= excess:
                    self.lost_frames += len(self._buffer.pop(0))
                    self._buffer_ends.pop(0)
                else:
                    self._buffer[0] = self._buffer[0][excess:]
                    self.lost_frames += excess
                self._overflowed = True
            if now < self.busy_until:
                return
            while self._buffered() >= self.frames_per_buffer and self.is_active():
                self._deliver(now)

    def _deliver(self, now: float) -> None:
        padding = self._buffered() / self.rate
        block, taken = [], 0
        block_end = 0.0
        while taken < self.frames_per_buffer:
            head = self._buffer[0]
            need = self.frames_per_buffer - taken
            if len(head) <= need:
                block.append(self._buffer.pop(0))
                block_end = self._buffer_ends.pop(0)
                taken += len(head)
            else:
                block.append(head[:need])
                self._buffer[0] = head[need:]
                block_end = self._buffer_ends[0] - (len(head) - need) / self.rate
                taken += need
        frames = np.concatenate(block).astype(np.float32)
        data = (frames.tobytes() if self.sample_format == paFloat32
                else (frames * 32767).astype(np.int16).tobytes())
        pa_now = now + self.system.clock.offset
        time_info = {"input_buffer_adc_time": pa_now + padding, "current_time": pa_now,
                     "output_buffer_dac_time": 0.0}
        status = paInputOverflow if self._overflowed else 0
        self._overflowed = False
        self.callbacks += 1
        self.last_block_end = block_end
        if self.callback is not None:
            self.callback(data, self.frames_per_buffer, time_info, status)
