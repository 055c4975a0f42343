"""Reading any common audio file (wav, flac, mp3, ogg, m4a; 8-48 kHz; mono or stereo) as the
16 kHz mono float32 samples Whisper takes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from smart_interview.transcription.errors import AudioDecodeError

SAMPLE_RATE = 16_000


def read_audio(path: Path) -> np.ndarray:
    """Decodes, downmixes and resamples with FFmpeg (PyAV, shipped with faster-whisper)."""
    if not path.exists():
        raise AudioDecodeError(f"{path}: no such file")
    if not path.is_file():
        raise AudioDecodeError(f"{path}: not a file")
    if path.stat().st_size == 0:
        raise AudioDecodeError(f"{path}: the file is empty")
    from faster_whisper.audio import decode_audio

    try:
        audio = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except PermissionError as exc:
        raise AudioDecodeError(f"{path}: cannot read the file (permission denied)") from exc
    except Exception as exc:  # PyAV raises its own error types per container/codec
        raise AudioDecodeError(
            f"{path}: not a readable audio file ({type(exc).__name__}); "
            "use wav, flac, mp3, ogg or m4a"
        ) from exc
    if audio.size == 0:
        raise AudioDecodeError(f"{path}: the file holds no audio samples")
    return np.asarray(audio, dtype=np.float32)
