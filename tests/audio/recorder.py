"""Collects what a capture source delivers, with arrival times, and waits for events."""

from __future__ import annotations

import threading
import time

import numpy as np

from smart_interview.audio.source import AudioChunk, CaptureEvent


class Recorder:
    def __init__(self) -> None:
        self.chunks: list[AudioChunk] = []
        self.arrivals: list[float] = []
        self.events: list[CaptureEvent] = []
        self.threads: set[str] = set()
        self._changed = threading.Condition()

    def on_chunk(self, chunk: AudioChunk) -> None:
        with self._changed:
            self.chunks.append(chunk)
            self.arrivals.append(time.monotonic())
            self.threads.add(threading.current_thread().name)
            self._changed.notify_all()

    def on_event(self, event: CaptureEvent) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def wait_event(self, kind: str, *, timeout: float, after: int = 0) -> CaptureEvent:
        """The first event of `kind` among events[after:], waiting up to `timeout`."""
        def found() -> CaptureEvent | None:
            return next((e for e in self.events[after:] if e.kind == kind), None)

        with self._changed:
            self._changed.wait_for(lambda: found() is not None, timeout=timeout)
            event = found()
        assert event is not None, f"no {kind!r} event within {timeout} s; got {self.events}"
        return event

    def wait_audio(self, *, since: float, peak: float, timeout: float) -> float:
        """Waits for a chunk starting after `since` whose peak exceeds `peak`; returns its
        start."""
        def found() -> float | None:
            for chunk in reversed(self.chunks):
                if chunk.start < since:
                    return None
                if float(np.abs(chunk.samples).max(initial=0.0)) > peak:
                    return chunk.start
            return None

        with self._changed:
            self._changed.wait_for(lambda: found() is not None, timeout=timeout)
            start = found()
        assert start is not None, f"no audio louder than {peak} after {since} in {timeout} s"
        return start

    def wait_samples(self, seconds: float, *, timeout: float) -> None:
        """Waits until at least `seconds` of audio were delivered."""
        wanted = round(seconds * 16_000)
        with self._changed:
            ok = self._changed.wait_for(
                lambda: sum(c.samples.size for c in self.chunks) >= wanted, timeout=timeout)
        assert ok, f"less than {seconds} s of audio within {timeout} s"

    def samples(self) -> np.ndarray:
        if not self.chunks:
            return np.zeros(0, np.float32)
        return np.concatenate([c.samples for c in self.chunks])

    def max_gap(self) -> float:
        """Largest |start(n+1) - end(n)| between consecutive chunks."""
        pairs = zip(self.chunks, self.chunks[1:], strict=False)
        return max((abs(b.start - a.end) for a, b in pairs), default=0.0)

    def time_at(self, sample_index: int) -> float:
        """Session time of a sample of `samples()` (chunks are contiguous; a negative index
        counts back from the first chunk)."""
        if sample_index < 0:
            return self.chunks[0].start + sample_index / 16_000
        seen = 0
        for chunk in self.chunks:
            if sample_index < seen + chunk.samples.size:
                return chunk.start + (sample_index - seen) / 16_000
            seen += chunk.samples.size
        raise IndexError(sample_index)
