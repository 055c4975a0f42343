"""Local interview history: off by default; when on, each finished interview's transcript,
questions and answers are saved as one JSON file in the app's data dir on this device (never
synced), and files older than the retention period are deleted."""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import asdict, is_dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HISTORY_DIR = "history"


def history_dir(data_dir: Path) -> Path:
    return data_dir / HISTORY_DIR


def save_interview(data_dir: Path, *, transcript: list[Any], answers: list[Any],
                   dossier_title: str = "", now: float | None = None) -> Path:
    """Writes one interview atomically (readable by this user only) and returns its path."""
    moment = time.time() if now is None else now
    folder = history_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.fromtimestamp(moment, tz=timezone.utc)
    record = {
        "saved_at": stamp.isoformat(),
        "dossier": dossier_title,
        "transcript": [_plain(line) for line in transcript],
        "questions": [_plain(item) for item in answers],
    }
    target = folder / f"interview-{stamp.strftime('%Y%m%d-%H%M%S')}.json"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".interview-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(record, handle, indent=2, ensure_ascii=False)
    os.chmod(tmp, 0o600)
    os.replace(tmp, target)
    return target


def prune(data_dir: Path, *, retention_days: int, now: float | None = None) -> list[Path]:
    """Deletes saved interviews older than `retention_days`; returns what was deleted."""
    folder = history_dir(data_dir)
    if not folder.is_dir():
        return []
    cutoff = (time.time() if now is None else now) - retention_days * 86_400
    removed = []
    for path in folder.glob("interview-*.json"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _plain(item: Any) -> Any:
    return asdict(item) if is_dataclass(item) and not isinstance(item, type) else item
