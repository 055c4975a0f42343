"""Comparing captured audio with what was played."""

from __future__ import annotations

import numpy as np


def best_lag(captured: np.ndarray, reference: np.ndarray) -> int:
    """Offset in `captured` where `reference` fits best (FFT cross-correlation)."""
    size = captured.size + reference.size
    n = 1 << (size - 1).bit_length()
    spectrum = np.fft.rfft(captured, n) * np.conj(np.fft.rfft(reference, n))
    corr = np.fft.irfft(spectrum, n)[: captured.size]
    return int(np.argmax(corr))


def correlation_at(captured: np.ndarray, reference: np.ndarray, lag: int) -> float:
    """Pearson correlation of `reference` with `captured[lag:]` (0 where it does not fit)."""
    if lag < 0:
        captured = np.concatenate([np.zeros(-lag, np.float32), captured])
        lag = 0
    window = captured[lag:lag + reference.size]
    if window.size < reference.size:
        return 0.0
    a = window - window.mean()
    b = reference - reference.mean()
    denom = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.dot(a, b) / denom) if denom else 0.0


LEAD = 16_000  # the capture may begin up to this many samples after the reference does


def correlation(captured: np.ndarray, reference: np.ndarray) -> tuple[float, int]:
    """Best correlation and the lag it is found at; the lag is negative when the capture
    began after the reference started (PulseAudio drops the first few milliseconds a null
    sink renders when it wakes up)."""
    padded = np.concatenate([np.zeros(LEAD, np.float32), captured])
    lag = best_lag(padded, reference)
    return correlation_at(padded, reference, lag), lag - LEAD


def correlation_near(captured: np.ndarray, reference: np.ndarray, center: int,
                     radius: int) -> float:
    """Best correlation of `reference` with `captured` at lags within `radius` of `center`."""
    lo = max(0, center - radius)
    region = captured[lo:lo + reference.size + 2 * radius]
    padded = np.zeros(reference.size + 2 * radius, dtype=np.float32)
    padded[: region.size] = region
    lag = lo + best_lag(padded, reference[: padded.size])
    lag = min(max(lag, lo), lo + 2 * radius)
    return correlation_at(np.concatenate([captured, np.zeros(reference.size, np.float32)]),
                          reference, lag)
