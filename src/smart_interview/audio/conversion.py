"""Turning device audio (any rate, any channel count, int or float) into 16 kHz mono float32,
and keeping the capture timeline honest.

`StreamConverter` downmixes and resamples block by block with soxr's streaming resampler, so
its filter state carries across blocks (no clicks at block edges, no naive decimation). Mono
and stereo are averaged. Three channels and more (a 5.1 or 7.1 output) are averaged over the
channels that carry sound, those within 20 dB of the loudest (`downmix`): a stereo call on a
5.1 output plays on the front left and right only, and a plain average over six or eight
channels would hand it to the VAD 9.5 or 12 dB quieter than it plays.

`Timeline` maps device frames to the session clock. The first block anchors it; after that a
block's timestamp comes from the count of frames before it, so consecutive chunks are exactly
contiguous. Each block's arrival time is compared with where the frame count says it should
end: the smallest difference over a window (arrival jitter only ever makes blocks late) is the
drift of the device clock against the session clock. A device whose buffer fill level can
change (`slack`, e.g. ALSA through the PulseAudio plugin) may deliver that much later without
any frame being lost; lateness within the slack is not counted. When the device falls behind by
more than `max_drift` (it lost time, or its clock is slow) silence is inserted so the stream stays
continuous and in step with the clock; when it runs ahead the anchor moves back. A hole larger
than `gap_fill` (frames lost in a stalled driver or an overrun) is filled with silence once the
blocks after it confirm it (a block that was merely delayed is followed by ones that catch
up). While a device delivers nothing at all (an idle loopback) `idle_fill` keeps the timeline
moving, and the audio that resumes is placed where it was captured.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class Level:
    """Loudness of the latest audio, both as linear amplitudes in 0..1."""

    rms: float
    peak: float


SILENT = Level(rms=0.0, peak=0.0)


def level_of(samples: np.ndarray) -> Level:
    if samples.size == 0:
        return SILENT
    peak = float(np.max(np.abs(samples)))
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return Level(rms=rms, peak=peak)


def to_float_frames(block: np.ndarray) -> np.ndarray:
    """Any device block as float32 frames of shape (n, channels) in -1..1."""
    data = np.asarray(block)
    if data.ndim == 1:
        data = data[:, None]
    if data.dtype.kind == "f":
        return data.astype(np.float32, copy=False)
    if data.dtype.kind == "i":
        scale = float(2 ** (8 * data.dtype.itemsize - 1))
        return (data.astype(np.float32) / scale).astype(np.float32, copy=False)
    if data.dtype.kind == "u":  # 8-bit unsigned PCM
        half = float(2 ** (8 * data.dtype.itemsize - 1))
        return ((data.astype(np.float32) - half) / half).astype(np.float32, copy=False)
    raise ValueError(f"unsupported sample type {data.dtype}")


ACTIVE_CHANNEL_RATIO = 0.1
"""A channel within this RMS ratio (-20 dB) of the loudest one counts as carrying sound."""


def downmix(frames: np.ndarray) -> np.ndarray:
    """Float frames (n, channels) to mono at the level the sound plays: the channel itself
    for mono, the average for stereo, and for more channels the average of the channels
    within `ACTIVE_CHANNEL_RATIO` of the loudest (all of them when all are silent)."""
    channels = frames.shape[1]
    if channels == 1:
        return np.ascontiguousarray(frames[:, 0], dtype=np.float32)
    if channels == 2 or frames.shape[0] == 0:
        return frames.mean(axis=1, dtype=np.float32)
    rms = np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=0))
    loudest = float(rms.max())
    if loudest == 0.0:
        return frames.mean(axis=1, dtype=np.float32)
    active = rms >= ACTIVE_CHANNEL_RATIO * loudest
    return frames[:, active].mean(axis=1, dtype=np.float32)


class StreamConverter:
    """Downmix to mono, then resample to 16 kHz with a stateful soxr stream."""

    def __init__(self, *, in_rate: float, channels: int, out_rate: int = SAMPLE_RATE,
                 quality: str = "HQ") -> None:
        if in_rate <= 0 or channels <= 0:
            raise ValueError(f"bad input format: {in_rate} Hz, {channels} channels")
        self.in_rate = float(in_rate)
        self.channels = channels
        self.out_rate = out_rate
        self._resampler = None
        if abs(self.in_rate - out_rate) > 1e-6:
            import soxr

            self._resampler = soxr.ResampleStream(self.in_rate, out_rate, 1,
                                                  dtype="float32", quality=quality)

    def convert(self, block: np.ndarray) -> np.ndarray:
        frames = to_float_frames(block)
        if frames.shape[1] != self.channels:
            raise ValueError(f"expected {self.channels} channels, got {frames.shape[1]}")
        mono = np.ascontiguousarray(downmix(frames), dtype=np.float32)
        if self._resampler is None:
            return mono.copy()
        return np.asarray(self._resampler.resample_chunk(mono), dtype=np.float32)

    def flush(self) -> np.ndarray:
        """The samples the resampler still holds (its filter delay); call once at the end."""
        if self._resampler is None:
            return np.zeros(0, dtype=np.float32)
        tail = self._resampler.resample_chunk(np.zeros(0, dtype=np.float32), last=True)
        return np.asarray(tail, dtype=np.float32)


class CallbackTiming:
    """How long ago a callback's block ended, from PortAudio's time info (`inputBufferAdcTime`
    = capture time of the block's first frame, `currentTime` = now, both on the stream clock).

    Core Audio reports these well; ALSA through the PulseAudio plugin does not (it jumps by
    hundreds of milliseconds). WASAPI does not report a capture time at all: its
    `inputBufferAdcTime` is `currentTime` plus the padding still in the endpoint buffer, a
    moment in the future (see `windows_loopback.wasapi_block_end_age`); such a block fails
    the `0 <= lag` check below and falls back to arrival time. The times are trusted only while
    consecutive blocks' capture times advance by their length; once they do not, the stream
    falls back to arrival time for good (None)."""

    def __init__(self, *, rate: float, tolerance: float = 0.005) -> None:
        self.rate = rate
        self.tolerance = tolerance
        self.trusted = True
        self._previous: tuple[float, int] | None = None

    def block_end_age(self, *, adc: float, current: float, frames: int) -> float | None:
        if not self.trusted:
            return None
        lag = current - adc
        if adc <= 0 or not 0.0 <= lag < 1.0:
            self.trusted = False
            return None
        if self._previous is not None:
            previous_adc, previous_frames = self._previous
            if abs(adc - previous_adc - previous_frames / self.rate) > self.tolerance:
                self.trusted = False
                return None
        self._previous = (adc, frames)
        return max(0.0, lag - frames / self.rate)


class Reblocker:
    """Cuts a stream of arbitrary-length arrays into fixed-size chunks (the last may be short)."""

    def __init__(self, size: int) -> None:
        if size <= 0:
            raise ValueError("chunk size must be positive")
        self.size = size
        self._pending: list[np.ndarray] = []
        self._pending_len = 0

    def push(self, samples: np.ndarray) -> list[np.ndarray]:
        if samples.size:
            self._pending.append(samples)
            self._pending_len += samples.size
        if self._pending_len < self.size:
            return []
        joined = np.concatenate(self._pending)
        whole = (joined.size // self.size) * self.size
        out = [joined[i:i + self.size] for i in range(0, whole, self.size)]
        rest = joined[whole:]
        self._pending = [rest] if rest.size else []
        self._pending_len = rest.size
        return out

    def flush(self) -> np.ndarray:
        joined = (np.concatenate(self._pending) if self._pending
                  else np.zeros(0, dtype=np.float32))
        self._pending, self._pending_len = [], 0
        return joined


class Timeline:
    """Session-clock time of device frames; see the module docstring."""

    def __init__(self, *, rate: float, max_drift: float = 0.05, gap_fill: float = 0.2,
                 window: float = 2.0, slack: float = 0.0) -> None:
        self.rate = float(rate)
        self.max_drift = max_drift
        self.gap_fill = gap_fill
        # how much later than captured a block may arrive just because the device buffered it
        # (a buffer whose fill level changes); lateness within it is not lost time
        self.slack = slack
        self.window = window
        self.anchor: float | None = None
        self.frames = 0  # device frames placed so far, silence fill included
        self.corrected = 0.0  # sum of anchor moves (seconds)
        self.residual = 0.0  # drift seen in the last full window, not yet corrected
        self.filled_frames = 0
        self._resuming = False  # the last frames were idle fill: align the next block exactly
        self.hole_probe = 1.0
        self._probe: tuple[float, float] | None = None  # (since, smallest lateness)
        self._window_start: float | None = None
        self._window_min = float("inf")

    @property
    def drift(self) -> float:
        """How far the device clock has fallen behind the session clock, in seconds."""
        return self.corrected + self.residual

    def end_time(self) -> float | None:
        return None if self.anchor is None else self.anchor + self.frames / self.rate

    def time_of(self, frame: float) -> float:
        if self.anchor is None:
            raise RuntimeError("timeline not anchored yet")
        return self.anchor + frame / self.rate

    def calibrate(self, blocks: list[tuple[int, float]]) -> None:
        """Anchors the timeline on several first blocks at once, (frames, observed end) each:
        the earliest anchor they agree with, as a late block only ever looks later."""
        frames = 0
        best = float("inf")
        for n_frames, observed_end in blocks:
            frames += n_frames
            best = min(best, observed_end - frames / self.rate)
        if blocks:
            self.anchor = best
            self.frames = 0

    def place(self, n_frames: int, observed_end: float) -> int:
        """Registers a block of `n_frames` that ended at `observed_end` (session clock).
        Returns how many frames of silence to insert before it."""
        if self.anchor is None:
            self.anchor = observed_end - n_frames / self.rate
            self.frames = n_frames
            return 0
        expected_end = self.anchor + (self.frames + n_frames) / self.rate
        late = observed_end - expected_end
        if late > 0:
            late = max(0.0, late - self.slack)
        fill = 0
        if self._resuming and late > 0.005:
            fill = round(late * self.rate)  # sound resumes where the clock says
            self._reset_window()
        elif (hole := self._probe_hole(late, observed_end)) is not None:
            fill = round(hole * self.rate)  # frames were lost: keep in step with the clock
            self._reset_window()
        else:
            drift = self._observe(late, observed_end)
            if drift is not None and drift > self.max_drift:
                fill = round(drift * self.rate)  # the device clock is slow: keep in step
                self.corrected += drift
            elif drift is not None and drift < -self.max_drift and self.anchor is not None:
                self.anchor += drift  # the device runs fast: move its timestamps back
                self.corrected += drift
            elif drift is not None:
                self.residual = drift
        self._resuming = False
        self.frames += fill + n_frames
        self.filled_frames += fill
        return fill

    def idle_fill(self, now: float, *, margin: float) -> int:
        """Frames of silence that bring the timeline up to `now - margin` while the device
        delivers nothing (e.g. a loopback while nothing plays)."""
        end = self.end_time()
        if end is None:
            return 0
        missing = (now - margin) - end
        if missing <= 0:
            return 0
        fill = round(missing * self.rate)
        self.frames += fill
        self.filled_frames += fill
        self._resuming = True
        self._reset_window()
        return fill

    def _probe_hole(self, late: float, at: float) -> float | None:
        """A block later than `gap_fill` is either delayed (the blocks after it catch up) or
        follows a hole (they stay late). Watch `hole_probe` seconds, then say which."""
        if self._probe is None:
            if late <= self.gap_fill:
                return None
            self._probe = (at, late)
        else:
            self._probe = (self._probe[0], min(self._probe[1], late))
        started, smallest = self._probe
        if at - started < self.hole_probe:
            return None
        self._probe = None
        return smallest if smallest > self.gap_fill else None

    def _observe(self, late: float, at: float) -> float | None:
        """Adds one lateness sample; at the end of a window returns its minimum."""
        if self._window_start is None:
            self._window_start = at
        self._window_min = min(self._window_min, late)
        if at - self._window_start < self.window:
            return None
        drift = self._window_min
        self._reset_window()
        self.residual = 0.0
        return drift

    def _reset_window(self) -> None:
        self._window_start = None
        self._window_min = float("inf")
