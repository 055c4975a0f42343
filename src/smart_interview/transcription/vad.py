"""Silero voice activity detection, streamed frame by frame.

The Silero v6 model ships inside faster-whisper as ONNX and runs on onnxruntime. faster-whisper's
own wrapper resets the recurrent state on every call, which suits whole files only; here each
stream keeps its own state: the LSTM's `h`/`c` and the last 64 samples of context, carried from
one 512-sample (32 ms) frame to the next. One `SileroVadModel` (the ONNX session) is shared by
all streams; each `VadStream` holds one stream's state. A frame costs ~0.1 ms.

Digital silence wears the state down: after 20 s of exact zeros (what a PulseAudio monitor
gives while nothing plays) Silero rated the next words 0.5-0.7 instead of 0.9-0.97, and soft
first words ("Eight. The press yard") fell under the threshold and were lost; after up to 3 s
it rates them as after none. So every 3 s of uninterrupted silence below -80 dBFS the state is
reset: the next speech always meets a state that has heard at most 3 s of silence.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

SAMPLE_RATE = 16_000
FRAME = 512
"""Samples per VAD frame (32 ms at 16 kHz)."""
FRAME_S = FRAME / SAMPLE_RATE
_CONTEXT = 64
_SILENT_PEAK = 1e-4
"""A frame whose samples all stay below this (-80 dBFS) is digital silence."""
_RESET_EVERY = 94
"""Silent frames (3 s) after which the state is reset, and again every as many."""


def bundled_model_path() -> Path:
    """The Silero ONNX file faster-whisper ships."""
    from faster_whisper.utils import get_assets_path

    return Path(get_assets_path()) / "silero_vad_v6.onnx"


class SileroVadModel:
    """The ONNX session; thread-safe, shared by every stream."""

    def __init__(self, session: Any) -> None:
        self._session = session
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: Path | None = None) -> SileroVadModel:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.inter_op_num_threads = 1
        options.intra_op_num_threads = 1
        options.log_severity_level = 4
        session = onnxruntime.InferenceSession(
            str(path or bundled_model_path()),
            providers=["CPUExecutionProvider"],
            sess_options=options,
        )
        return cls(session)

    def run(
        self, frames: np.ndarray, h: np.ndarray, c: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """frames: [n, 576] (context + frame), run as one sequence from state (h, c)."""
        with self._lock:
            probs, hn, cn = self._session.run(None, {"input": frames, "h": h, "c": c})
        return np.asarray(probs).reshape(-1), hn, cn

    def stream(self) -> VadStream:
        return VadStream(self)

    def probabilities(self, audio: np.ndarray) -> np.ndarray:
        """Speech probability of every whole 32 ms frame of a recording."""
        return self.stream().push(audio)


class VadStream:
    """One source's VAD state: push samples, get one probability per completed frame."""

    def __init__(self, model: SileroVadModel) -> None:
        self._model = model
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(_CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)
        self._silent_run = 0

    def push(self, samples: np.ndarray) -> np.ndarray:
        data = np.concatenate([self._pending, np.asarray(samples, dtype=np.float32).reshape(-1)])
        count = data.size // FRAME
        self._pending = data[count * FRAME :]
        if count == 0:
            return np.zeros(0, dtype=np.float32)
        frames = data[: count * FRAME].reshape(count, FRAME)
        probs = np.zeros(count, dtype=np.float32)
        run_from = 0
        for index, silent in enumerate(np.abs(frames).max(axis=1) < _SILENT_PEAK):
            self._silent_run = self._silent_run + 1 if silent else 0
            if self._silent_run and self._silent_run % _RESET_EVERY == 0:
                probs[run_from : index + 1] = self._run(frames[run_from : index + 1])
                run_from = index + 1
                self._h = np.zeros_like(self._h)
                self._c = np.zeros_like(self._c)
        if run_from < count:
            probs[run_from:] = self._run(frames[run_from:])
        return probs

    def _run(self, frames: np.ndarray) -> np.ndarray:
        count = frames.shape[0]
        contexts = np.empty((count, _CONTEXT), dtype=np.float32)
        contexts[0] = self._context
        if count > 1:
            contexts[1:] = frames[:-1, -_CONTEXT:]
        self._context = frames[-1, -_CONTEXT:].copy()
        batch = np.ascontiguousarray(np.concatenate([contexts, frames], axis=1))
        probs, self._h, self._c = self._model.run(batch, self._h, self._c)
        return probs.astype(np.float32)


def speech_regions(
    probs: np.ndarray,
    *,
    threshold: float = 0.5,
    neg_threshold: float = 0.35,
    min_silence_s: float = 0.5,
) -> list[tuple[float, float]]:
    """(start, end) seconds of speech from per-frame probabilities, with Silero's hysteresis:
    speech starts at the first frame >= threshold, ends at the first frame < neg_threshold
    that is followed by `min_silence_s` without speech."""
    regions: list[tuple[float, float]] = []
    start: int | None = None
    silent_from: int | None = None
    min_silence = max(1, round(min_silence_s / FRAME_S))
    for index, prob in enumerate(probs):
        if start is None:
            if prob >= threshold:
                start, silent_from = index, None
            continue
        if prob >= threshold:
            silent_from = None
        elif prob < neg_threshold and silent_from is None:
            silent_from = index
        if silent_from is not None and index - silent_from + 1 >= min_silence:
            regions.append((start * FRAME_S, silent_from * FRAME_S))
            start, silent_from = None, None
    if start is not None:
        end = silent_from if silent_from is not None else len(probs)
        regions.append((start * FRAME_S, end * FRAME_S))
    return regions
