"""A stand-in for the `sounddevice` module over PortAudio's Core Audio host API, with
PortAudio's process-wide life cycle:

- sounddevice calls `Pa_Initialize` once when it is imported; `Pa_Initialize` reads the
  device list only when the initialisation count goes from 0 to 1 (`pa_front.c`), so a device
  plugged in later is not listed until `sd._terminate()` + `sd._initialize()`;
- `Pa_Terminate` at count 0 closes every stream still open (`CloseOpenStreams`): an active
  stream is aborted and its finished callback runs;
- a device that disappears ends its stream: the finished callback runs, nothing is raised;
  when it comes back Core Audio gives it a new AudioDeviceID, so the entry PortAudio listed
  before cannot open it ("Invalid device") until the list is read again.
Audio is delivered when the test advances the clock (`System.advance`).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np

from tests.audio.fakes.pyaudiowpatch import Clock


@dataclass
class Input:
    name: str
    channels: int = 1
    rate: int = 48_000
    present: bool = True
    level: float = 0.0  # amplitude of the 440 Hz tone it records (0: digital silence)
    device_id: int = 1  # Core Audio's AudioDeviceID, new on every reconnection


class System:
    def __init__(self, clock: Clock, inputs: list[Input]) -> None:
        self.clock = clock
        self.inputs = inputs
        self.init_count = 0
        self.list_reads = 0
        self.devices: list[dict[str, Any]] = []
        self.streams: list[InputStream] = []
        self.module = SimpleNamespace(
            query_hostapis=self.query_hostapis, query_devices=self.query_devices,
            default=SimpleNamespace(device=[-1, -1]),
            check_input_settings=self.check_input_settings,
            InputStream=self.input_stream, _terminate=self.terminate,
            _initialize=self.initialise)
        self.initialise()  # `import sounddevice`

    def initialise(self) -> None:
        if self.init_count == 0:
            self.list_reads += 1
            self.devices = [
                {"index": i, "name": d.name, "hostapi": 0, "max_input_channels": d.channels,
                 "max_output_channels": 0, "default_samplerate": float(d.rate),
                 "device_id": d.device_id}
                for i, d in enumerate(x for x in self.inputs if x.present)]
            self.module.default.device = [0 if self.devices else -1, -1]
        self.init_count += 1

    def terminate(self) -> None:
        self.init_count -= 1
        if self.init_count == 0:
            for stream in list(self.streams):
                stream.abort()
                stream.close()

    def query_hostapis(self) -> list[dict[str, Any]]:
        self._check()
        return [{"name": "Core Audio", "default_input_device": self.module.default.device[0],
                 "default_output_device": -1}]

    def query_devices(self) -> list[dict[str, Any]]:
        self._check()
        return [{k: v for k, v in d.items() if k != "device_id"} for d in self.devices]

    def _check(self) -> None:
        if self.init_count == 0:
            raise RuntimeError("PortAudio not initialized")

    def _input(self, index: int) -> Input:
        self._check()
        if not 0 <= index < len(self.devices):
            raise RuntimeError("Invalid device [PaErrorCode -9996]")
        entry = self.devices[index]
        found = next(d for d in self.inputs if d.name == entry["name"])
        if not found.present or found.device_id != entry["device_id"]:
            raise RuntimeError("Invalid device [PaErrorCode -9996]")
        return found

    def check_input_settings(self, *, device: int, samplerate: float, channels: int,
                             dtype: str) -> None:
        found = self._input(device)
        if channels > found.channels:
            raise RuntimeError("Invalid number of channels [PaErrorCode -9998]")
        if round(samplerate) != found.rate:
            raise RuntimeError("Invalid sample rate [PaErrorCode -9997]")

    def input_stream(self, **options: Any) -> InputStream:
        stream = InputStream(self, self._input(options["device"]), **options)
        self.streams.append(stream)
        return stream

    def unplug(self, name: str) -> None:
        found = next(d for d in self.inputs if d.name == name)
        found.present = False
        for stream in list(self.streams):
            if stream.input is found and stream.active:
                stream.active = False
                stream.finished_callback()

    def replug(self, name: str) -> None:
        found = next(d for d in self.inputs if d.name == name)
        found.present = True
        found.device_id += 100

    def advance(self, seconds: float, *, step: float = 0.02) -> None:
        for _ in range(round(seconds / step)):
            with self.clock._lock:
                self.clock.now += step
            for stream in list(self.streams):
                stream.deliver(self.clock.now)


class InputStream:
    def __init__(self, system: System, found: Input, *, device: int, samplerate: float,
                 channels: int, blocksize: int, callback: Any, finished_callback: Any,
                 **_: Any) -> None:
        self.system = system
        self.input = found
        self.rate = samplerate
        self.channels = channels
        self.blocksize = blocksize
        self.callback = callback
        self.finished_callback = finished_callback
        self.active = False
        self.closed = False
        self._captured_to = 0.0
        self.blocks = 0

    def start(self) -> None:
        self.active = True
        self._captured_to = self.system.clock.now

    def stop(self) -> None:
        self._finish()

    def abort(self) -> None:
        self._finish()

    def _finish(self) -> None:
        if self.active:
            self.active = False
            self.finished_callback()

    def close(self) -> None:
        self._finish()
        self.closed = True
        if self in self.system.streams:
            self.system.streams.remove(self)

    def deliver(self, now: float) -> None:
        while self.active and now - self._captured_to >= self.blocksize / self.rate - 1e-9:
            t = self._captured_to + np.arange(self.blocksize) / self.rate
            self._captured_to += self.blocksize / self.rate
            tone = (self.input.level * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
            block = np.repeat(tone[:, None], self.channels, axis=1)
            pa_now = now + self.system.clock.offset
            info = SimpleNamespace(currentTime=pa_now,
                                   inputBufferAdcTime=pa_now - self.blocksize / self.rate)
            self.blocks += 1
            self.callback(block, self.blocksize, info,
                          SimpleNamespace(input_overflow=False))
