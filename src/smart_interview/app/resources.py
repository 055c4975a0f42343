"""Small helpers the benchmarks and tests share: where the shared data is, memory use."""

from __future__ import annotations

import os
import sys
from pathlib import Path

DATA_ENV = "SMART_INTERVIEW_DATA"


def shared_data_dir() -> Path | None:
    """$SMART_INTERVIEW_DATA, else a `shared/data` folder beside or above the working dir."""
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env) if Path(env).is_dir() else None
    here = Path.cwd().resolve()
    for base in (here, *here.parents):
        candidate = base.parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return None


def shared_speech_dir() -> Path | None:
    data = shared_data_dir()
    return data / "speech" if data and (data / "speech").is_dir() else None


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB."""
    if sys.platform == "win32":
        import psutil

        return float(psutil.Process().memory_info().peak_wset) / 1e6
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak / 1e3
