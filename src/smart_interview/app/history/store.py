"""The saved interviews on this device: list, open, search, delete, and the retention period.

One file per interview in `<data dir>/history/` (see `recorder`). Opening the store with
`open_history(...)` first deletes interviews older than the retention period. Nothing here
writes unless asked: with history off the app never opens the store or makes a recorder, so
no folder, file or key is created.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from smart_interview.app.history.errors import HistoryError, HistoryKeyError, InterviewNotFound
from smart_interview.app.history.keys import KeySource, fernet_for
from smart_interview.app.history.recorder import (
    FILE_SUFFIX,
    RECORDING_SUFFIX,
    InterviewRecorder,
    is_recording,
)
from smart_interview.app.history.records import (
    Interview,
    InterviewSummary,
    SavedSegment,
    build_interview,
)

HISTORY_DIR = "history"
_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{6}$")
_DAY = 86_400.0


@dataclass(frozen=True)
class SearchHit:
    interview: InterviewSummary
    segments: list[SavedSegment]


def history_dir(data_dir: Path) -> Path:
    return data_dir / HISTORY_DIR


def open_history(data_dir: Path, *, keys: KeySource, retention_days: int,
                 clock: Callable[[], float] = time.time) -> HistoryStore:
    """The store, after deleting interviews older than `retention_days` (0 keeps all)."""
    store = HistoryStore(history_dir(data_dir), keys=keys, clock=clock)
    store.prune(retention_days=retention_days)
    return store


def start_recording(*, enabled: bool, data_dir: Path, keys: KeySource, dossier_title: str = "",
                    dossier_id: str | None = None, retention_days: int = 0,
                    clock: Callable[[], float] = time.time) -> InterviewRecorder | None:
    """A recorder for a new interview when history is on; None (and nothing touched: no
    folder, no file, no keyring entry) when it is off."""
    if not enabled:
        return None
    store = open_history(data_dir, keys=keys, retention_days=retention_days, clock=clock)
    return store.recorder(dossier_title=dossier_title, dossier_id=dossier_id)


class HistoryStore:
    def __init__(self, folder: Path, *, keys: KeySource,
                 clock: Callable[[], float] = time.time) -> None:
        self.folder = folder
        self._keys = keys
        self._clock = clock

    def recorder(self, *, dossier_title: str = "", dossier_id: str | None = None
                 ) -> InterviewRecorder:
        """Starts recording a new interview (creates the folder and, once, the key)."""
        return InterviewRecorder(self.folder, keys=self._keys, dossier_title=dossier_title,
                                 dossier_id=dossier_id, clock=self._clock)

    def ids(self) -> list[str]:
        """Saved interview ids, newest first."""
        if not self.folder.is_dir():
            return []
        found = [p.name[: -len(FILE_SUFFIX)] for p in self.folder.glob(f"*{FILE_SUFFIX}")]
        return sorted((i for i in found if _ID.match(i)), reverse=True)

    def summaries(self) -> list[InterviewSummary]:
        """Every saved interview, newest first."""
        return [self.summary(i) for i in self.ids()]

    def summary(self, interview_id: str) -> InterviewSummary:
        """One interview's summary; one still being recorded is marked in progress."""
        summary = self.load(interview_id).summary()
        if summary.interrupted and is_recording(self._path(interview_id)):
            return replace(summary, in_progress=True)
        return summary

    def load(self, interview_id: str) -> Interview:
        path = self._path(interview_id)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise InterviewNotFound(f"no saved interview with id {interview_id!r}") from None
        except OSError as exc:
            raise HistoryError(f"could not read saved interview {interview_id}: {exc}") from exc
        return self._decode(interview_id, raw)

    def search(self, text: str) -> list[SearchHit]:
        """Interviews whose transcript contains `text` (case-insensitive), with the segments
        that match; questions and answers that match count too."""
        needle = text.casefold().strip()
        if not needle:
            return []
        hits = []
        for interview_id in self.ids():
            interview = self.load(interview_id)
            segments = [s for s in interview.segments if needle in s.text.casefold()]
            in_answers = any(needle in f"{q.text}\n{q.answer}".casefold()
                             for q in interview.questions)
            if segments or in_answers:
                hits.append(SearchHit(interview=self.summary(interview_id), segments=segments))
        return hits

    def delete(self, interview_id: str) -> None:
        path = self._path(interview_id)
        if not path.exists():
            raise InterviewNotFound(f"no saved interview with id {interview_id!r}")
        path.unlink()
        path.with_suffix(RECORDING_SUFFIX).unlink(missing_ok=True)

    def delete_all(self) -> int:
        """Deletes every saved interview and the history key; returns how many were deleted."""
        ids = self.ids()
        for interview_id in ids:
            path = self._path(interview_id)
            path.unlink(missing_ok=True)
            path.with_suffix(RECORDING_SUFFIX).unlink(missing_ok=True)
        self._keys.delete()
        return len(ids)

    def prune(self, *, retention_days: int) -> list[str]:
        """Deletes interviews that started more than `retention_days` ago; 0 keeps all."""
        if retention_days <= 0:
            return []
        cutoff = self._clock() - retention_days * _DAY
        removed = []
        for interview_id in self.ids():
            if _started_at(interview_id) < cutoff:
                self._path(interview_id).unlink(missing_ok=True)
                removed.append(interview_id)
        return removed

    def _path(self, interview_id: str) -> Path:
        if not _ID.match(interview_id):
            raise InterviewNotFound(
                f"{interview_id!r} is not an interview id (see `smart-interview history list`)")
        return self.folder / f"{interview_id}{FILE_SUFFIX}"

    def _decode(self, interview_id: str, raw: bytes) -> Interview:
        from cryptography.fernet import InvalidToken

        fernet = fernet_for(self._keys, create=False)
        if fernet is None:
            raise HistoryKeyError(
                "The key that opens saved interviews is not in the system keyring (it was "
                "removed, or this is another user account or machine), so they cannot be "
                "read. Delete them with `smart-interview history delete --all`.")
        records: list[dict[str, Any]] = []
        unreadable = 0
        for line in raw.split(b"\n"):
            if not line.strip():
                continue
            try:
                record = json.loads(fernet.decrypt(line))
            except (InvalidToken, ValueError):
                unreadable += 1
                continue
            if isinstance(record, dict):
                records.append(record)
        if not records:
            raise HistoryKeyError(
                f"Saved interview {interview_id} cannot be opened with the key in the system "
                "keyring (the key was changed or replaced). Restore the keyring entry "
                "'history-key' of service 'smart-interview', or delete the interview.")
        try:
            return build_interview(records, unreadable=unreadable)
        except (ValueError, KeyError, TypeError) as exc:
            raise HistoryError(f"saved interview {interview_id} is damaged: {exc}") from exc


def _started_at(interview_id: str) -> float:
    stamp = datetime.strptime(interview_id[:15], "%Y%m%d-%H%M%S")
    return stamp.replace(tzinfo=timezone.utc).timestamp()
