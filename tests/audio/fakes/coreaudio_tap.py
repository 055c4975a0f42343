"""A stand-in for pyobjc's `CoreAudio` module (plus the bits of `objc` and `dispatch` the tap
source uses), behaving like the Core Audio HAL with process taps (macOS 14.2+), driven by a
test clock.

What it reproduces, and where that behaviour is written down:
- pyobjc calling conventions (pyobjc-framework-CoreAudio tests): out-parameters are passed as
  None and come back in a tuple with the OSStatus first (`AudioHardwareCreateProcessTap`,
  `AudioHardwareCreateAggregateDevice`, `AudioDeviceCreateIOProcIDWithBlock`,
  `AudioObjectGetPropertyData` → (status, size, bytes)); the aggregate dictionary key
  constants are the C strings of `AudioHardware.h`, exposed as *bytes* (b"uid", b"master",
  b"taps"…). A CFString property arrives as the CFStringRef's pointer bytes.
- `AudioHardwareCreateAggregateDevice` needs a dictionary whose keys are strings: a UID, a
  main sub-device that exists, and every tap of the tap list by its UUID; otherwise it answers
  kAudioHardwareIllegalOperationError ('nope', "the requested operation couldn't be
  completed", AudioHardwareBase.h). Any call can be told to refuse with a status (`refuse`).
- A global tap (`initStereoGlobalTapButExcludeProcesses:`) hears every process's output on
  every device except the excluded process objects, as stereo Float32 at the rate of the
  default output when it was made (`kAudioTapPropertyFormat`, an AudioStreamBasicDescription).
- Without the "System Audio Recording" permission the tap is still created and the IOProc
  still runs, but every sample is 0.0: no error anywhere (Apple's sample code; reports from
  apps that shipped taps).
- The IOProc block runs on the dispatch queue it was given, once per 512-frame IO cycle of the
  aggregate's main sub-device, and its AudioBufferList memory is reused after the block
  returns (the HAL's IO buffers): a block that keeps a reference instead of copying sees the
  next cycle's data (here: garbage).
- `ioproc_fires=False`: Core Audio accepts and starts the IOProc, but it never runs (seen when
  coreaudiod cannot resolve the permission for the process).
- Processes answer `kAudioProcessPropertyIsRunningOutput` while they play.
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tests.audio.fakes.coreaudio_objects import (
    AudioBuffer,
    AudioBufferList,
    AudioObjectPropertyAddress,
    CATapDescription,
    DispatchQueue,
)
from tests.audio.fakes.pyaudiowpatch import Clock


def fourcc(text: str) -> int:
    return int.from_bytes(text.encode("latin-1"), "big")


NOPE, BAD_OBJECT, UNKNOWN_PROPERTY, BAD_SIZE = (fourcc("nope"), fourcc("!obj"), fourcc("who?"),
                                                fourcc("!siz"))
IO_FRAMES = 512


@dataclass
class Output:
    uid: str
    name: str
    rate: int = 48_000
    present: bool = True


@dataclass
class Sound:
    output: int
    pid: int
    start: float
    samples: np.ndarray  # mono, at the output's rate


@dataclass
class Tap:
    excluded: list[int]
    uuid: str
    private: bool
    rate: int


@dataclass
class Aggregate:
    composition: dict[str, Any]
    main: int
    taps: list[int]
    procs: dict[int, tuple[Any, Callable[..., None]]] = field(default_factory=dict)
    started: set[int] = field(default_factory=set)
    position: float = 0.0  # session time the IO cycles have reached


class System:
    """Core Audio as one process sees it: outputs, processes, taps, aggregates."""

    def __init__(self, clock: Clock, outputs: dict[int, Output], *, default: int,
                 own_pid: int = 4242) -> None:
        self.clock = clock
        self.outputs = outputs
        self.default = default
        self.own_pid = own_pid
        self.processes = {own_pid: 0x300, 501: 0x301, 777: 0x302}  # pid → process object
        self.permission = True
        self.ioproc_fires = True
        self.refuse: dict[str, int] = {}
        self.sounds: list[Sound] = []
        self.taps: dict[int, Tap] = {}
        self.aggregates: dict[int, Aggregate] = {}
        self.block_threads: set[str] = set()
        self.calls: list[str] = []
        self._ids = iter(range(0x500, 0x10000))
        self._strings: dict[int, str] = {}
        self._queues: list[DispatchQueue] = []
        self.lock = threading.RLock()

    # --- what the test does -----------------------------------------------------------
    def play(self, output: int, start: float, samples: np.ndarray, *, pid: int = 501) -> None:
        self.sounds.append(Sound(output, pid, start, samples.astype(np.float32)))

    def set_default(self, output: int) -> None:
        self.default = output

    def advance(self, seconds: float, *, step: float = 0.01) -> None:
        target = self.clock.now + seconds
        while self.clock.now < target - 1e-9:
            with self.clock._lock:
                self.clock.now = min(target, self.clock.now + step)
            for aggregate in list(self.aggregates.values()):
                self._cycle(aggregate)

    def close(self) -> None:
        for q in self._queues:
            q.close()

    def playing(self, pid: int) -> bool:
        now = self.clock.now
        return any(s.pid == pid and s.start <= now < s.start + len(s.samples)
                   / self.outputs[s.output].rate for s in self.sounds)

    # --- the HAL's IO cycles -------------------------------------------------------------
    def _cycle(self, aggregate: Aggregate) -> None:
        output = self.outputs[aggregate.main]
        if not aggregate.started or not output.present or not self.ioproc_fires:
            aggregate.position = self.clock.now
            return
        while aggregate.position + IO_FRAMES / output.rate <= self.clock.now + 1e-9:
            start = aggregate.position
            aggregate.position += IO_FRAMES / output.rate
            mono = self._tapped(aggregate, start, output.rate)
            stereo = np.repeat(mono[:, None], 2, axis=1).astype(np.float32)
            memory = bytearray(stereo.tobytes())
            buffers = AudioBufferList([AudioBuffer(2, len(memory), memoryview(memory))])
            for proc_id in sorted(aggregate.started):
                if proc_id not in aggregate.procs:
                    continue
                queue_ref, block = aggregate.procs[proc_id]
                queue_ref.run_sync(lambda b=block, bl=buffers: self._call(b, bl))
            memory[:] = b"\xff" * len(memory)  # the HAL reuses its IO buffers

    def _call(self, block: Callable[..., None], buffers: AudioBufferList) -> None:
        self.block_threads.add(threading.current_thread().name)
        block(None, buffers, None, None, None)

    def _tapped(self, aggregate: Aggregate, start: float, rate: int) -> np.ndarray:
        mono = np.zeros(IO_FRAMES, np.float32)
        if not self.permission:
            return mono  # denied: digital silence, no error
        excluded = {p for t in aggregate.taps for p in self.taps[t].excluded}
        for sound in self.sounds:
            if self.processes.get(sound.pid) in excluded:
                continue
            sound_rate = self.outputs[sound.output].rate
            first = round((start - sound.start) * sound_rate)
            idx = first + np.arange(IO_FRAMES)
            inside = (idx >= 0) & (idx < len(sound.samples))
            mono[inside] += sound.samples[idx[inside]]
        return mono

    # --- module stand-ins ----------------------------------------------------------------
    def coreaudio(self) -> Any:
        return _CoreAudio(self)

    def objc(self) -> Any:
        system = self

        class _Objc:
            @staticmethod
            def objc_object(*, c_void_p: int) -> str:
                return system._strings[c_void_p]

        return _Objc()

    def dispatch(self) -> Any:
        system = self

        class _Dispatch:
            @staticmethod
            def dispatch_queue_create(label: bytes, attributes: Any) -> DispatchQueue:
                created = DispatchQueue(label.decode())
                system._queues.append(created)
                return created

        return _Dispatch()

    def cfstring(self, text: str) -> bytes:
        pointer = next(self._ids) << 12
        self._strings[pointer] = text
        return pointer.to_bytes(8, "little")

    def next_id(self) -> int:
        return next(self._ids)


class _CoreAudio:
    CATapDescription = CATapDescription
    AudioObjectPropertyAddress = AudioObjectPropertyAddress
    CATapUnmuted = 0
    kAudioObjectPropertyScopeGlobal = fourcc("glob")
    kAudioObjectPropertyElementMain = 0
    kAudioObjectPropertyName = fourcc("lnam")
    kAudioHardwarePropertyDefaultOutputDevice = fourcc("dOut")
    kAudioHardwarePropertyTranslatePIDToProcessObject = fourcc("id2p")
    kAudioHardwarePropertyProcessObjectList = fourcc("prs#")
    kAudioProcessPropertyIsRunningOutput = fourcc("piro")
    kAudioDevicePropertyDeviceUID = fourcc("uid ")
    kAudioTapPropertyFormat = fourcc("tfmt")
    kAudioAggregateDeviceUIDKey = b"uid"
    kAudioAggregateDeviceNameKey = b"name"
    kAudioAggregateDeviceSubDeviceListKey = b"subdevices"
    kAudioAggregateDeviceMainSubDeviceKey = b"master"
    kAudioAggregateDeviceIsPrivateKey = b"private"
    kAudioAggregateDeviceIsStackedKey = b"stacked"
    kAudioAggregateDeviceTapListKey = b"taps"
    kAudioAggregateDeviceTapAutoStartKey = b"tapautostart"
    kAudioSubDeviceUIDKey = b"uid"
    kAudioSubTapUIDKey = b"uid"
    kAudioSubTapDriftCompensationKey = b"drift"

    def __init__(self, system: System) -> None:
        self._s = system

    def _refused(self, name: str) -> int:
        self._s.calls.append(name)
        return self._s.refuse.get(name, 0)

    def AudioObjectGetPropertyData(self, obj: int, address: AudioObjectPropertyAddress,
                                   qualifier_size: int, qualifier: bytes | None, size: int,
                                   out: None) -> tuple[int, int, bytes | None]:
        s, sel = self._s, address.mSelector
        value: bytes | None = None
        if obj == 1 and sel == self.kAudioHardwarePropertyDefaultOutputDevice:
            value = struct.pack("<I", s.default)
        elif obj == 1 and sel == self.kAudioHardwarePropertyTranslatePIDToProcessObject:
            assert qualifier is not None and qualifier_size == 4, "the pid is the qualifier"
            value = struct.pack("<I", s.processes.get(struct.unpack("<i", qualifier)[0], 0))
        elif obj == 1 and sel == self.kAudioHardwarePropertyProcessObjectList:
            value = b"".join(struct.pack("<I", p) for p in s.processes.values())
        elif obj in s.processes.values() and sel == self.kAudioProcessPropertyIsRunningOutput:
            pid = next(p for p, o in s.processes.items() if o == obj)
            value = struct.pack("<I", int(s.playing(pid)))
        elif obj in s.outputs and sel in (self.kAudioDevicePropertyDeviceUID,
                                          self.kAudioObjectPropertyName):
            output = s.outputs[obj]
            value = s.cfstring(output.uid if sel == self.kAudioDevicePropertyDeviceUID
                               else output.name)
        elif obj in s.taps and sel == self.kAudioTapPropertyFormat:
            # 'lpcm', float | packed, 8 bytes per stereo frame, 32 bits
            value = struct.pack("<dIIIIIIII", float(s.taps[obj].rate), fourcc("lpcm"), 9, 8,
                                1, 8, 2, 32, 0)
        elif obj not in (1, *s.outputs, *s.taps, *s.aggregates, *s.processes.values()):
            return BAD_OBJECT, 0, None
        else:
            return UNKNOWN_PROPERTY, 0, None
        if size < len(value) and sel != self.kAudioHardwarePropertyProcessObjectList:
            return BAD_SIZE, 0, None
        return 0, len(value), value[:size]

    def AudioHardwareCreateProcessTap(self, description: Any, out: None) -> tuple[int, int]:
        status = self._refused("AudioHardwareCreateProcessTap")
        if status:
            return status, 0
        assert isinstance(description, CATapDescription) and description.excluded is not None
        tap = self._s.next_id()
        self._s.taps[tap] = Tap(description.excluded, description.UUID().UUIDString(),
                                description.private, self._s.outputs[self._s.default].rate)
        return 0, tap

    def AudioHardwareDestroyProcessTap(self, tap: int) -> int:
        self._s.calls.append("AudioHardwareDestroyProcessTap")
        return 0 if self._s.taps.pop(tap, None) is not None else BAD_OBJECT

    def AudioHardwareCreateAggregateDevice(self, composition: dict[Any, Any],
                                           out: None) -> tuple[int, int]:
        status = self._refused("AudioHardwareCreateAggregateDevice")
        if status:
            return status, 0
        s = self._s
        if not all(isinstance(k, str) for k in composition):
            return NOPE, 0  # NSData keys: no "uid", no "master" to be found
        by_uid = {o.uid: oid for oid, o in s.outputs.items() if o.present}
        taps_by_uuid = {t.uuid: tid for tid, t in s.taps.items()}
        listed = composition.get("taps", [])
        if (not isinstance(composition.get("uid"), str) or composition.get("master") not in by_uid
                or not listed or any(t.get("uid") not in taps_by_uuid for t in listed)):
            return NOPE, 0
        device = s.next_id()
        s.aggregates[device] = Aggregate(dict(composition), by_uid[composition["master"]],
                                         [taps_by_uuid[t["uid"]] for t in listed],
                                         position=s.clock.now)
        return 0, device

    def AudioHardwareDestroyAggregateDevice(self, device: int) -> int:
        self._s.calls.append("AudioHardwareDestroyAggregateDevice")
        with self._s.lock:
            return 0 if self._s.aggregates.pop(device, None) is not None else BAD_OBJECT

    def AudioDeviceCreateIOProcIDWithBlock(self, out: None, device: int, queue_ref: Any,
                                           block: Callable[..., None]) -> tuple[int, int]:
        status = self._refused("AudioDeviceCreateIOProcIDWithBlock")
        if status or device not in self._s.aggregates:
            return status or BAD_OBJECT, 0
        proc = self._s.next_id()
        self._s.aggregates[device].procs[proc] = (queue_ref, block)
        return 0, proc

    def AudioDeviceStart(self, device: int, proc: int) -> int:
        status = self._refused("AudioDeviceStart")
        if status or device not in self._s.aggregates:
            return status or BAD_OBJECT
        aggregate = self._s.aggregates[device]
        aggregate.started.add(proc)
        aggregate.position = self._s.clock.now
        return 0

    def AudioDeviceStop(self, device: int, proc: int) -> int:
        aggregate = self._s.aggregates.get(device)
        if aggregate is None:
            return BAD_OBJECT
        aggregate.started.discard(proc)
        return 0

    def AudioDeviceDestroyIOProcID(self, device: int, proc: int) -> int:
        aggregate = self._s.aggregates.get(device)
        if aggregate is None or aggregate.procs.pop(proc, None) is None:
            return BAD_OBJECT
        return 0
