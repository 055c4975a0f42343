"""The machinery every source shares (queueing, conversion, stop with tail, faults, reopen),
driven by a minimal source that hands over blocks from memory."""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
import pytest

from smart_interview.audio.errors import DeviceNotFound
from smart_interview.audio.source import CaptureSource
from tests.audio.recorder import Recorder
from tests.support.waiting import wait_until


class MemorySource(CaptureSource):
    """Hands over `audio` (frames × channels at `rate`) in 10 ms blocks from its own thread,
    as fast as possible; fails to open while `missing` is set."""

    def __init__(self, audio: np.ndarray, rate: int, *, first_block_delay: float = 0.0,
                 **kw: Any) -> None:
        super().__init__(**kw)
        self.audio = audio
        self.first_block_delay = first_block_delay
        self.rate = rate
        self.missing = False
        self.opened = 0
        self.attempts = 0  # calls to _open, failed ones included
        self._thread: threading.Thread | None = None
        self._halt = threading.Event()
        self.pushed = 0

    def _open(self) -> None:
        self.attempts += 1
        if self.missing:
            raise DeviceNotFound("memory device unplugged")
        self.opened += 1
        self.name = "memory"
        self._halt.clear()
        self._begin_stream(rate=self.rate, channels=self.audio.shape[1])
        self._thread = threading.Thread(target=self._feed, daemon=True)
        self._thread.start()

    def _feed(self) -> None:
        block = self.rate // 100
        if self._halt.wait(self.first_block_delay):
            return
        t = self._clock()
        for i in range(0, len(self.audio), block):
            if self._halt.is_set():
                return
            piece = self.audio[i:i + block]
            t += len(piece) / self.rate
            self._push_block(piece, observed_end=t)
            self.pushed += len(piece)

    def _close(self, *, drain: bool) -> None:
        if self._thread is not None:
            if not drain:
                self._halt.set()
            self._thread.join()


def _stereo(seconds: float, rate: int) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    mono = (0.3 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)
    return np.stack([mono, mono], axis=1)


def test_stop_delivers_every_sample_resampler_tail_included() -> None:
    rec = Recorder()
    source = MemorySource(_stereo(1.0, 44_100), 44_100, on_chunk=rec.on_chunk,
                          on_event=rec.on_event, label="mem")
    source.start()
    assert source.running
    source._thread.join()  # type: ignore[union-attr]
    source.stop()
    assert not source.running
    assert abs(rec.samples().size - 16_000) <= 1
    assert rec.max_gap() < 1e-9
    assert {c.source for c in rec.chunks} == {"mem"}
    assert all(c.samples.size == 320 for c in rec.chunks[:-1])
    assert rec.threads == {"capture-mem"}


def test_a_slow_consumer_gets_an_error_event_not_a_silent_drop() -> None:
    rec = Recorder()

    def slow(chunk: Any) -> None:
        time.sleep(0.01)
        rec.on_chunk(chunk)

    source = MemorySource(_stereo(3.0, 16_000), 16_000, on_chunk=slow, on_event=rec.on_event,
                          max_buffer_s=0.1)  # room for ~10 blocks
    source.start()
    source._thread.join()  # type: ignore[union-attr]
    source.stop()
    errors = [e for e in rec.events if e.kind == "error"]
    assert errors and "too slow" in errors[-1].message
    dropped = int(errors[-1].message.split(";")[1].split()[0])
    assert 0 < dropped == source._dropped_frames  # every dropped frame was reported
    # the rest arrived, and the timeline stayed continuous (lost time is filled with silence)
    assert rec.samples().size >= 48_000 - dropped
    assert rec.max_gap() < 1e-9


def test_a_failing_consumer_does_not_end_capture() -> None:
    rec = Recorder()
    calls = [0]

    def flaky(chunk: Any) -> None:
        calls[0] += 1
        if calls[0] == 3:
            raise ValueError("consumer bug")
        rec.on_chunk(chunk)

    source = MemorySource(_stereo(0.5, 16_000), 16_000, on_chunk=flaky, on_event=rec.on_event)
    source.start()
    source._thread.join()  # type: ignore[union-attr]
    source.stop()
    assert [e.kind for e in rec.events] == ["error"]
    assert "consumer bug" in rec.events[0].message
    assert len(rec.chunks) == calls[0] - 1 == 25 - 1


def test_fault_then_reopen_when_the_device_returns() -> None:
    rec = Recorder()
    source = MemorySource(_stereo(0.2, 16_000), 16_000, on_chunk=rec.on_chunk,
                          on_event=rec.on_event, retry_interval=0.05)
    source.start()
    source.missing = True
    source._fault("memory device unplugged")
    rec.wait_event("error", timeout=2)
    failed_from = source.attempts
    # five failed attempts, 0.05 s apart: the device stays away for at least 0.2 s
    wait_until(lambda: source.attempts >= failed_from + 5, timeout=2,
               message="five failed reopen attempts")
    assert source.opened == 1
    source.missing = False
    reopened = rec.wait_event("reopened", timeout=2)
    source.stop()
    assert source.opened == 2
    assert "back after" in reopened.message
    assert len(source.reopen_durations) == 1 and source.reopen_durations[0] >= 0.2


def test_stall_is_reported() -> None:
    rec = Recorder()
    source = MemorySource(_stereo(0.1, 16_000), 16_000, on_chunk=rec.on_chunk,
                          on_event=rec.on_event, stall_timeout=0.3, retry_interval=10)
    source.start()
    event = rec.wait_event("error", timeout=3)
    source.stop()
    assert "no audio" in event.message


def test_a_slow_first_block_is_not_a_stall() -> None:
    """A device may take longer to start than it may later pause (a Bluetooth headset
    switching profile): the first block gets `first_block_timeout`, later ones
    `stall_timeout`."""
    rec = Recorder()
    source = MemorySource(_stereo(0.1, 16_000), 16_000, first_block_delay=0.5,
                          on_chunk=rec.on_chunk, on_event=rec.on_event, stall_timeout=0.3,
                          first_block_timeout=1.0, retry_interval=10)
    started = time.monotonic()
    source.start()
    event = rec.wait_event("error", timeout=3)
    source.stop()
    assert "no audio" in event.message
    # no fault while waiting 0.5 s for the first block; then 0.3 s of quiet is one
    assert event.at - started >= 0.5 + 0.3
    assert [e.kind for e in rec.events] == ["error"]
    assert source.pushed == 1600


def test_a_device_that_never_starts_is_reported() -> None:
    rec = Recorder()
    source = MemorySource(_stereo(0.1, 16_000), 16_000, first_block_delay=30.0,
                          on_chunk=rec.on_chunk, on_event=rec.on_event, stall_timeout=0.2,
                          first_block_timeout=0.5, retry_interval=10)
    started = time.monotonic()
    source.start()
    event = rec.wait_event("error", timeout=3)
    source.stop()
    assert "no audio" in event.message and not rec.chunks
    assert 0.5 <= event.at - started < 1.5


def test_idle_fill_keeps_time_moving() -> None:
    rec = Recorder()
    source = MemorySource(np.zeros((0, 1), np.float32), 16_000, on_chunk=rec.on_chunk,
                          fill_idle=True)
    started = time.monotonic()
    source.start()
    rec.wait_samples(0.5, timeout=3)
    source.stop()
    assert rec.samples().size >= 8_000  # half a second of silence while "nothing plays"
    assert float(np.abs(rec.samples()).max()) == 0.0
    assert rec.chunks[0].start == pytest.approx(started, abs=0.1)
    assert rec.max_gap() < 1e-9


def test_lifecycle_errors() -> None:
    source = MemorySource(_stereo(0.1, 16_000), 16_000, on_chunk=lambda c: None)
    source.stop()  # stopping what never started is harmless
    source.missing = True
    with pytest.raises(DeviceNotFound):
        source.start()
    assert not source.running
    source.missing = False
    source.start()
    with pytest.raises(RuntimeError):
        source.start()
    source.stop()
    with pytest.raises(ValueError):
        MemorySource(_stereo(0.1, 16_000), 16_000, on_chunk=lambda c: None, chunk_ms=0)
