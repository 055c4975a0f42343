"""The one interface every capture source follows, and the machinery they share.

Threads: a device (PortAudio callback, a `parec` reader, a file player) hands raw blocks to
`_push_block`; they wait in a bounded queue; one capture thread per source converts them to
16 kHz mono float32, timestamps them and calls `on_chunk` and `on_event`. Both callbacks run
on that capture thread, never on the caller's, in capture order. A slow consumer makes the
queue grow up to `max_buffer_s` seconds; past that, blocks are dropped and an "error" event
says how much (never silently).

Faults (device gone, server restarted, no audio for `stall_timeout`) produce an "error"
event. A freshly opened device gets `first_block_timeout` (default: the larger of 5 s and
`stall_timeout`) for its first block: a Bluetooth headset switching to its headset profile, or
a PulseAudio monitor of an idle sink, can take a couple of seconds to start. After a fault
the source retries opening every `retry_interval` seconds and sends "reopened" when audio
flows again. `stop()` keeps capturing until the audio of the moment it was called
has arrived (at most `tail_grace` seconds), delivers every chunk, resampler tail included,
and only then returns.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from smart_interview.audio.conversion import SAMPLE_RATE, SILENT, Level, Timeline, level_of
from smart_interview.audio.pipeline import Block, StreamFormat, StreamPipeline

__all__ = ["SAMPLE_RATE", "AudioChunk", "CaptureEvent", "CaptureSource", "Level"]

_ELSEWHERE = {"MicSource": "mic", "FileSource": "file_source", "open_loopback": "loopback",
              "LoopbackSource": "loopback", "open_microphone": "microphone"}


def __getattr__(name: str) -> object:
    """The concrete sources live in their own modules; importing them from here works too
    (loaded on first use, so importing this module stays cheap)."""
    if name in _ELSEWHERE:
        import importlib

        return getattr(importlib.import_module(f"smart_interview.audio.{_ELSEWHERE[name]}"),
                       name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

EVENT_KINDS = ("error", "reopened", "device_changed", "silence_suspected", "ended")


@dataclass(frozen=True)
class AudioChunk:
    samples: np.ndarray  # float32, mono, 16 kHz
    start: float  # session-clock seconds of the first sample
    source: str  # "mic" | "loopback" | "file" or the label given to the source

    @property
    def duration(self) -> float:
        return self.samples.size / SAMPLE_RATE

    @property
    def end(self) -> float:
        return self.start + self.duration


@dataclass(frozen=True)
class CaptureEvent:
    kind: str  # one of EVENT_KINDS
    message: str
    at: float  # session clock


_END = object()
_BLOCKS_PER_SECOND = 100  # queue sizing assumes blocks of about 10 ms or more
LEVEL_WINDOW = SAMPLE_RATE // 10  # samples the meter level is measured over


class CaptureSource(ABC):
    """Start/stop capture of one audio stream, delivered as 16 kHz mono float32 chunks."""

    def __init__(self, *, on_chunk: Callable[[AudioChunk], None],
                 on_event: Callable[[CaptureEvent], None] | None = None,
                 clock: Callable[[], float] = time.monotonic, label: str = "audio",
                 chunk_ms: int = 20, max_buffer_s: float = 30.0, fill_idle: bool = False,
                 stall_timeout: float | None = None, first_block_timeout: float | None = None,
                 retry_interval: float = 1.0,
                 tail_grace: float = 0.5, max_drift: float = 0.05) -> None:
        if chunk_ms <= 0:
            raise ValueError("chunk_ms must be positive")
        self.name = ""
        self.label = label
        self._on_chunk = on_chunk
        self._on_event = on_event
        self._clock = clock
        self._chunk_size = SAMPLE_RATE * chunk_ms // 1000
        self._max_items = max(10, int(max_buffer_s * _BLOCKS_PER_SECOND))
        self._fill_idle = fill_idle
        self._idle_after = 0.25
        self._idle_margin = 0.15
        self._stall_timeout = stall_timeout
        self._first_block_timeout = (
            first_block_timeout if first_block_timeout is not None
            else None if stall_timeout is None else max(stall_timeout, 5.0))
        self._awaiting_first_block = False
        self._retry_interval = retry_interval
        self._tail_grace = tail_grace
        self._max_drift = max_drift
        self._level = SILENT
        self._recent: deque[np.ndarray] = deque()
        self._recent_len = 0
        self._running = False
        self._lifecycle = threading.Lock()
        self._device_lock = threading.RLock()  # held while opening/closing the device
        self._state_lock = threading.Lock()  # held only briefly, around `_live`
        self._stop_requested = threading.Event()
        self._retry_now = threading.Event()
        self._queue: queue.Queue[object] = queue.Queue(maxsize=self._max_items)
        self._worker: threading.Thread | None = None
        self._reopener: threading.Thread | None = None
        self._live = False  # device open and expected to deliver
        self._last_block_at = 0.0
        self._last_observed_end = float("-inf")
        self._dropped_frames = 0
        self._dropped_reported = 0
        self._timeline: Timeline | None = None
        self.samples_delivered = 0
        self.reopen_durations: list[float] = []

    # ----- the interface -----------------------------------------------------------------
    @property
    def level(self) -> Level:
        return self._level

    @property
    def running(self) -> bool:
        return self._running

    @property
    def drift(self) -> float:
        """Seconds the device clock has fallen behind the session clock since capture began
        (negative: it runs ahead). Comparing two sources' drift gives their mutual drift."""
        timeline = self._timeline
        return 0.0 if timeline is None else timeline.drift

    def start(self) -> None:
        with self._lifecycle:
            if self._running:
                raise RuntimeError(f"{self.label} capture is already running")
            self._stop_requested.clear()
            self._queue = queue.Queue(maxsize=self._max_items)
            self._worker = threading.Thread(target=self._work, name=f"capture-{self.label}",
                                            daemon=True)
            with self._device_lock:
                self._open()  # raises AudioError subclasses for the caller to show
                with self._state_lock:
                    self._live = True
            self._running = True
            self._worker.start()

    def stop(self) -> None:
        with self._lifecycle:
            if not self._running:
                return
            stop_at = self._clock()
            self._stop_requested.set()
            with self._device_lock:
                if self._live:
                    self._await_capture_through(stop_at)
                    with self._state_lock:
                        self._live = False
                    self._close(drain=True)
            self._retry_now.set()
            if self._reopener is not None and self._reopener is not threading.current_thread():
                self._reopener.join()
            self._queue.put(_END)
            if self._worker is not None and self._worker is not threading.current_thread():
                self._worker.join()
            self._running = False

    # ----- what subclasses implement -----------------------------------------------------
    @abstractmethod
    def _open(self) -> None:
        """Open the device and start it; call `_begin_stream` before the first block."""

    @abstractmethod
    def _close(self, *, drain: bool) -> None:
        """Stop the device. With `drain`, every block it captured must have been pushed
        with `_push_block` before this returns."""

    # ----- what subclasses call ----------------------------------------------------------
    def _begin_stream(self, *, rate: float, channels: int, slack: float = 0.0) -> None:
        """A (re)opened stream: its format, and how much its buffering may delay a block
        without frames being lost (see `Timeline`)."""
        self._last_block_at = self._clock()
        self._awaiting_first_block = True
        self._put(StreamFormat(rate=rate, channels=channels, opened_at=self._last_block_at,
                          slack=slack))

    def _push_block(self, frames: np.ndarray, *, observed_end: float | None = None) -> None:
        """Hands over one device block (frames × channels). `observed_end` is when its last
        frame was captured, on the session clock (default: now)."""
        now = self._clock()
        self._last_block_at = now
        self._awaiting_first_block = False
        end = now if observed_end is None else observed_end
        self._last_observed_end = end
        try:
            self._queue.put_nowait(Block(frames=frames, observed_end=end))
        except queue.Full:
            self._dropped_frames += len(frames)

    def _emit(self, kind: str, message: str) -> None:
        self._put(CaptureEvent(kind=kind, message=message, at=self._clock()))

    def _fault(self, message: str) -> None:
        """The device failed: report it, close it, and keep trying to reopen it. Safe to call
        from any thread, the device's own included; never blocks."""
        with self._state_lock:
            if not self._live or self._stop_requested.is_set():
                return
            self._live = False
        self._retry_now.clear()
        self._emit("error", message)
        self._reopener = threading.Thread(target=self._reopen_loop, args=(self._clock(),),
                                          name=f"reopen-{self.label}", daemon=True)
        self._reopener.start()

    def _idle_confirmed(self) -> bool:
        """Whether a pause in delivery means the device has nothing to send (so silence may
        be generated) rather than data being late (a busy machine). Sources that can tell
        override this; the default trusts the pause."""
        return True

    def _retry_soon(self) -> None:
        """A hint that the device may be back (e.g. the server announced it): retry now."""
        self._retry_now.set()

    @property
    def _is_live(self) -> bool:
        return self._live

    # ----- internals ---------------------------------------------------------------------
    def _put(self, item: object) -> None:
        with contextlib.suppress(queue.Full):
            self._queue.put(item, timeout=1.0)

    def _await_capture_through(self, moment: float) -> None:
        deadline = self._clock() + self._tail_grace
        while self._clock() < deadline and self._last_observed_end < moment:
            if self._clock() - self._last_block_at > self._idle_after:
                return  # nothing is flowing (idle loopback): nothing more will come
            time.sleep(0.005)

    def _reopen_loop(self, failed_at: float) -> None:
        with self._device_lock, contextlib.suppress(Exception):
            self._close(drain=False)
        while not self._stop_requested.is_set():
            self._retry_now.wait(self._retry_interval)
            self._retry_now.clear()
            with self._device_lock:
                if self._stop_requested.is_set():
                    return
                try:
                    self._open()
                except Exception:  # still gone; try again later
                    continue
                with self._state_lock:
                    self._live = True
            outage = self._clock() - failed_at
            self.reopen_durations.append(outage)
            self._emit("reopened", f"{self.name or self.label} is back after {outage:.1f} s")
            return

    def _work(self) -> None:
        pipeline: StreamPipeline | None = None
        while True:
            try:
                item = self._queue.get(timeout=0.05)
            except queue.Empty:
                item = None
            try:
                if item is None:
                    self._on_idle(pipeline)
                    continue
                self._report_drops()
                if item is _END:
                    if pipeline is not None:
                        self._deliver_all(pipeline.finish())
                    return
                if isinstance(item, StreamFormat):
                    if pipeline is not None:
                        self._deliver_all(pipeline.finish())
                    pipeline = StreamPipeline(item, chunk_size=self._chunk_size,
                                         max_drift=self._max_drift)
                    self._timeline = pipeline.timeline
                elif isinstance(item, Block):
                    if pipeline is not None:
                        self._deliver_all(pipeline.feed(item))
                elif isinstance(item, CaptureEvent):
                    self._notify(item)
            except Exception as exc:  # e.g. a block of the wrong shape: report, keep going
                self._notify(CaptureEvent(kind="error", at=self._clock(),
                                          message=f"{self.label}: cannot process audio: {exc!r}"))

    def _on_idle(self, pipeline: StreamPipeline | None) -> None:
        self._report_drops()
        if pipeline is None or not self._live:
            return
        now = self._clock()
        quiet = now - self._last_block_at
        if self._fill_idle and quiet > self._idle_after and self._idle_confirmed():
            self._deliver_all(pipeline.fill_to(now, margin=self._idle_margin))
        limit = self._first_block_timeout if self._awaiting_first_block else self._stall_timeout
        if limit is not None and quiet > limit:
            self._fault(f"{self.name or self.label}: no audio for {quiet:.1f} s")

    def _report_drops(self) -> None:
        dropped = self._dropped_frames
        if dropped > self._dropped_reported:
            self._dropped_reported = dropped
            self._notify(CaptureEvent(
                kind="error", at=self._clock(),
                message=f"{self.label}: consumer too slow, capture buffer full; "
                        f"{dropped} device frames dropped so far"))

    def _deliver_all(self, pieces: list[tuple[np.ndarray, float]]) -> None:
        for samples, start in pieces:
            chunk = AudioChunk(samples=samples, start=start, source=self.label)
            self._update_level(chunk.samples)
            self.samples_delivered += chunk.samples.size
            try:
                self._on_chunk(chunk)
            except Exception as exc:  # a consumer bug must not end the capture
                self._notify(CaptureEvent(kind="error", at=self._clock(),
                                          message=f"on_chunk raised {exc!r}"))

    def _update_level(self, samples: np.ndarray) -> None:
        """The meter level covers the last ~100 ms, so it does not flicker chunk to chunk."""
        self._recent.append(samples)
        self._recent_len += samples.size
        while len(self._recent) > 1 and self._recent_len - self._recent[0].size >= LEVEL_WINDOW:
            self._recent_len -= self._recent.popleft().size
        self._level = level_of(np.concatenate(self._recent))

    def _notify(self, event: CaptureEvent) -> None:
        if self._on_event is not None:
            with contextlib.suppress(Exception):
                self._on_event(event)
