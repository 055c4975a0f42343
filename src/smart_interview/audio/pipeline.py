"""One open stream's way from device blocks to timed 16 kHz chunks: conversion (downmix,
resampling), the timeline (timestamps, drift, silence fill) and fixed-size chunking. Used by
the capture thread of `CaptureSource`; pure, no threads."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from smart_interview.audio.conversion import SAMPLE_RATE, Reblocker, StreamConverter, Timeline

Piece = tuple[np.ndarray, float]  # 16 kHz mono samples and the session time of the first


@dataclass(frozen=True)
class StreamFormat:
    """A (re)opened device stream: what its blocks look like and how much its buffering may
    delay a block without frames being lost (`Timeline.slack`)."""

    rate: float
    channels: int
    opened_at: float
    slack: float = 0.0


@dataclass(frozen=True)
class Block:
    frames: np.ndarray  # frames × channels at the stream's rate
    observed_end: float  # session time its last frame was captured (or arrived)


class StreamPipeline:
    """One open stream's conversion state: converter, timeline and chunking.

    The first `CALIBRATION_S` of a stream are held back until the timeline is anchored on all
    of them (`Timeline.calibrate`): a first block that happens to arrive late (a busy machine
    while devices start) would otherwise put every later timestamp late, and correcting that
    afterwards makes a jump."""

    CALIBRATION_S = 0.5

    def __init__(self, fmt: StreamFormat, *, chunk_size: int, max_drift: float) -> None:
        self.format = fmt
        self.converter = StreamConverter(in_rate=fmt.rate, channels=fmt.channels)
        self.timeline = Timeline(rate=fmt.rate, max_drift=max_drift, slack=fmt.slack)
        self.reblocker = Reblocker(chunk_size)
        self.out_samples = 0
        self._held: list[Block] = []
        self._held_frames = 0

    def feed(self, block: Block) -> list[Piece]:
        if self.timeline.anchor is None:
            self._held.append(block)
            self._held_frames += len(block.frames)
            if self._held_frames < self.CALIBRATION_S * self.format.rate:
                return []
            return self._release()
        return self._place(block)

    def _release(self) -> list[Piece]:
        held, self._held, self._held_frames = self._held, [], 0
        if not held:
            return []
        self.timeline.calibrate([(len(b.frames), b.observed_end) for b in held])
        chunks: list[Piece] = []
        for block in held:
            chunks += self._place(block)
        return chunks

    def _place(self, block: Block) -> list[Piece]:
        frames = block.frames
        fill = self.timeline.place(len(frames), block.observed_end)
        out: list[np.ndarray] = []
        if fill:
            out.append(self.converter.convert(self._zeros(fill)))
        out.append(self.converter.convert(frames))
        return self._chunks(out)

    def fill_to(self, now: float, *, margin: float) -> list[Piece]:
        chunks = self._release()
        if self.timeline.anchor is None:
            self.timeline.place(0, self.format.opened_at)
        fill = self.timeline.idle_fill(now, margin=margin)
        if fill:
            chunks += self._chunks([self.converter.convert(self._zeros(fill))])
        return chunks

    def finish(self) -> list[Piece]:
        chunks = self._release()
        chunks += self._chunks([self.converter.flush()])
        tail = self.reblocker.flush()
        if tail.size and self.timeline.anchor is not None:
            chunks.append(self._chunk(tail))
        return chunks

    def _zeros(self, frames: int) -> np.ndarray:
        return np.zeros((frames, self.format.channels), dtype=np.float32)

    def _chunks(self, pieces: list[np.ndarray]) -> list[Piece]:
        chunks: list[Piece] = []
        for piece in pieces:
            for samples in self.reblocker.push(piece):
                chunks.append(self._chunk(samples))
        return chunks

    def _chunk(self, samples: np.ndarray) -> Piece:
        start = self.timeline.time_of(0) + self.out_samples / SAMPLE_RATE
        self.out_samples += samples.size
        return np.ascontiguousarray(samples, dtype=np.float32), start
