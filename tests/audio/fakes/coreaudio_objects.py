"""Objects of the pyobjc `CoreAudio` / `dispatch` stand-in (`coreaudio_tap.py`): a serial
dispatch queue, the AudioBufferList a block receives, the property address and
`CATapDescription`, shaped as pyobjc exposes them."""

from __future__ import annotations

import queue
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass


class DispatchQueue:
    """A serial queue: one thread named after its label runs the submitted work in order."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._work: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name=label, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (job := self._work.get()) is not None:
            job()

    def run_sync(self, job: Callable[[], None]) -> None:
        done = threading.Event()

        def wrapped() -> None:
            try:
                job()
            finally:
                done.set()

        self._work.put(wrapped)
        assert done.wait(10), f"queue {self.label} is stuck"

    def close(self) -> None:
        self._work.put(None)


@dataclass
class AudioBuffer:
    """pyobjc's `CoreAudio.AudioBuffer` (Modules/_CoreAudio_AudioBuffer.m): `mData` is a
    memoryview onto the HAL's memory, not a copy, or None for a NULL pointer."""

    mNumberChannels: int
    mDataByteSize: int
    mData: memoryview | None


class AudioBufferList:
    """pyobjc's `CoreAudio.AudioBufferList` (Modules/_CoreAudio_AudioBufferList.m): a
    sequence — `len()` is mNumberBuffers, `[i]` the i-th AudioBuffer — with no `mBuffers`
    or `mNumberBuffers` attribute."""

    def __init__(self, buffers: list[AudioBuffer]) -> None:
        self._buffers = buffers

    def __len__(self) -> int:
        return len(self._buffers)

    def __getitem__(self, index: int) -> AudioBuffer:
        if not 0 <= index < len(self._buffers):
            raise IndexError("index out of range")
        return self._buffers[index]


@dataclass
class AudioObjectPropertyAddress:
    mSelector: int
    mScope: int
    mElement: int


class _UUID:
    def __init__(self) -> None:
        self.value = str(uuid.uuid4()).upper()

    def UUIDString(self) -> str:
        return self.value


class CATapDescription:
    def __init__(self) -> None:
        self.excluded: list[int] | None = None
        self.private = False
        self.name = ""
        self.mute = 0
        self._uuid = _UUID()

    @classmethod
    def alloc(cls) -> CATapDescription:
        return cls()

    def initStereoGlobalTapButExcludeProcesses_(self, processes: list[int]) -> CATapDescription:
        assert all(isinstance(p, int) for p in processes), "an NSArray of AudioObjectIDs"
        self.excluded = list(processes)
        return self

    def setPrivate_(self, value: bool) -> None:
        self.private = bool(value)

    def setName_(self, value: str) -> None:
        self.name = value

    def setMuteBehavior_(self, value: int) -> None:
        self.mute = value

    def UUID(self) -> _UUID:
        return self._uuid
