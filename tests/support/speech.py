"""Speech made at test time with espeak-ng, so the suite carries its own inputs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np


def say(text: str, path: Path, *, rate: int = 16_000, voice: str = "en-us", wpm: int = 160,
        pad_s: float = 0.0) -> Path:
    """Writes `text` spoken by espeak-ng as a mono WAV at `rate` Hz (optionally padded with
    silence on both ends) and returns the path."""
    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        import pytest

        pytest.skip("espeak-ng and sox are needed to make test speech")
    raw = path.with_suffix(".espeak.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(raw), text], check=True)
    cmd = ["sox", str(raw), "-r", str(rate), "-c", "1", "-b", "16", str(path)]
    if pad_s:
        cmd += ["pad", str(pad_s), str(pad_s)]
    subprocess.run(cmd, check=True)
    raw.unlink()
    return path


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    import soundfile

    data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    return data.mean(axis=1), rate
