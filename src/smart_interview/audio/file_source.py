"""Replays an audio file as if it were being captured live: for demos, tests and benchmarks.

The file is decoded once (soundfile; formats it cannot read, such as m4a, through the FFmpeg
decoder faster-whisper ships) and converted to 16 kHz mono with soxr. A player thread then
hands out `chunk_ms` chunks: in real time (chunk k is delivered once its last sample "has been
captured", i.e. at `clock_at_start + (k + 1) * chunk_ms`) or as fast as the consumer takes
them. Either way `start = clock_at_start + sample_offset / 16000`, and an "ended" event
follows the last chunk.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from smart_interview.audio.conversion import SAMPLE_RATE, StreamConverter
from smart_interview.audio.errors import AudioFileError
from smart_interview.audio.source import AudioChunk, CaptureEvent, CaptureSource


def read_file(path: Path) -> np.ndarray:
    """The whole file as 16 kHz mono float32."""
    if not path.is_file():
        raise AudioFileError(f"{path}: no such file")
    try:
        import soundfile

        data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except Exception:
        return _decode_with_ffmpeg(path)
    if data.size == 0:
        raise AudioFileError(f"{path}: the file holds no audio")
    converter = StreamConverter(in_rate=rate, channels=data.shape[1])
    samples = np.concatenate([converter.convert(data), converter.flush()])
    return samples.astype(np.float32, copy=False)


def _decode_with_ffmpeg(path: Path) -> np.ndarray:
    try:
        from faster_whisper.audio import decode_audio

        samples = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as exc:
        raise AudioFileError(f"{path}: not a readable audio file ({type(exc).__name__}); "
                             "use wav, flac, ogg, mp3 or m4a") from exc
    if samples.size == 0:
        raise AudioFileError(f"{path}: the file holds no audio")
    return np.asarray(samples, dtype=np.float32)


class FileSource(CaptureSource):
    def __init__(self, path: Path, *, realtime: bool = True, chunk_ms: int = 20,
                 label: str = "file", **kw: Any) -> None:
        super().__init__(label=label, chunk_ms=chunk_ms, **kw)
        self.path = Path(path)
        self.realtime = realtime
        self.name = self.path.name
        self._samples: np.ndarray | None = None
        self._player: threading.Thread | None = None
        self._halt = threading.Event()
        self._done = threading.Event()
        self._ran = False

    @property
    def duration(self) -> float:
        if self._samples is None:
            self._samples = read_file(self.path)
        return self._samples.size / SAMPLE_RATE

    def start(self) -> None:
        if self._running:
            raise RuntimeError(f"{self.label} replay is already running")
        if self._samples is None:
            self._samples = read_file(self.path)
        self._halt.clear()
        self._done.clear()
        self._running = True
        self._player = threading.Thread(target=self._play, args=(self._clock(),),
                                        name=f"replay-{self.label}", daemon=True)
        self._player.start()

    def stop(self) -> None:
        """Ends the replay early: the chunk being delivered completes, the rest is skipped."""
        if self._player is None:
            return
        self._halt.set()
        if self._player is not threading.current_thread():
            self._player.join()
        self._running = False

    def wait(self, timeout: float | None = None) -> bool:
        """Blocks until the whole file was delivered (and "ended" sent); False on timeout."""
        return self._done.wait(timeout)

    def _open(self) -> None:  # the player thread replaces the device machinery
        raise NotImplementedError

    def _close(self, *, drain: bool) -> None:
        raise NotImplementedError

    def _play(self, started: float) -> None:
        samples = self._samples
        assert samples is not None
        size = self._chunk_size
        wait: Callable[[float], bool] = self._halt.wait
        try:
            for offset in range(0, samples.size, size):
                piece = samples[offset:offset + size]
                if self.realtime:
                    due = started + (offset + piece.size) / SAMPLE_RATE
                    delay = due - self._clock()
                    if self._halt.is_set() or (delay > 0 and wait(delay)):
                        break  # stopped: what is not yet due was not yet "captured"
                elif self._halt.is_set():
                    break
                chunk = AudioChunk(samples=piece.copy(), start=started + offset / SAMPLE_RATE,
                                   source=self.label)
                self._update_level(piece)
                self.samples_delivered += piece.size
                try:
                    self._on_chunk(chunk)
                except Exception as exc:
                    self._notify(CaptureEvent(kind="error", message=f"on_chunk raised {exc!r}",
                                              at=self._clock()))
            self._notify(CaptureEvent(kind="ended", at=self._clock(),
                                      message=f"{self.name}: {self.samples_delivered} samples "
                                              "delivered"))
        finally:
            self._running = False
            self._done.set()
