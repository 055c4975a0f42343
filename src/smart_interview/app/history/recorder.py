"""Records one interview as it happens, so a crash loses at most the record being written.

`InterviewRecorder.on_event(event)` takes what the interview produces — final transcript
segments (a `Segment`, or any event carrying one as `.segment`, with its `utterance` number
when it has one), revised turns (a `TranscriptUpdate` with `replaces`: one revision record,
resolved when the file is read), `SegmentRevised`, and the answer events `QuestionDetected`
(an early question and its final share an id), `QuestionWithdrawn`, `TalkingPointsReady`,
`AnswerDone`, `AnswerFailed` — and
appends one encrypted record for each to the interview's file, then flushes it to the disk
(`os.fsync`) before returning. Partial segments and streamed answer deltas are not kept: the
final segment and the finished answer carry the same text.

Each record is one line: a Fernet token (AES-128-CBC + HMAC-SHA256, URL-safe base64, so it never
contains a newline) made with the history key from the keyring. The file is created with mode
0600 in a folder with mode 0700. A record cut short by a crash fails its HMAC and is skipped
when the file is read back. `close()` appends the end record; a file without one is shown as
interrupted. While the recorder is open it holds a lock on `<id>.recording` beside the file, so
the store tells an interview still running (in this process or another) from one cut off by a
crash (`is_recording`).

A write that fails (disk full, folder removed) does not stop the interview: the recorder stops
writing and keeps the error in `error`.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from smart_interview.app.history.keys import KeySource, fernet_for
from smart_interview.app.history.records import FORMAT_VERSION

FILE_SUFFIX = ".interview"
RECORDING_SUFFIX = ".recording"


def recording_lock(path: Path) -> Any:
    """The lock an open recorder holds for the interview file at `path`."""
    from filelock import FileLock

    return FileLock(str(path.with_suffix(RECORDING_SUFFIX)), mode=0o600)


def is_recording(path: Path) -> bool:
    """Whether an open recorder (of any process on this device) is writing `path`."""
    from filelock import Timeout

    lock_path = path.with_suffix(RECORDING_SUFFIX)
    if not lock_path.exists():
        return False
    probe = recording_lock(path)
    try:
        probe.acquire(timeout=0)
    except Timeout:
        return True
    except OSError:
        return False
    probe.release()
    lock_path.unlink(missing_ok=True)  # left by a recorder that died: the interview stopped
    return False


@dataclass(frozen=True)
class SegmentRevised:
    """A final segment whose text was decoded again (speaker and start identify it)."""

    speaker: str
    text: str
    start: float
    end: float


def new_interview_id(now: float) -> str:
    stamp = datetime.fromtimestamp(now, tz=timezone.utc).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{secrets.token_hex(3)}"


def ensure_private_dir(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    return folder


class InterviewRecorder:
    def __init__(self, folder: Path, *, keys: KeySource, dossier_title: str = "",
                 dossier_id: str | None = None, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        fernet = fernet_for(keys, create=True)
        assert fernet is not None
        self._fernet = fernet
        self._lock = threading.Lock()
        self.error: OSError | None = None
        started = clock()
        self.interview_id = new_interview_id(started)
        ensure_private_dir(folder)
        self.path = folder / f"{self.interview_id}{FILE_SUFFIX}"
        self._fd: int | None = os.open(
            self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        self._recording = recording_lock(self.path)
        self._recording.acquire(timeout=0)
        _fsync_dir(folder)
        self._append({"kind": "start", "version": FORMAT_VERSION, "id": self.interview_id,
                      "started_at": started, "dossier_title": dossier_title,
                      "dossier_id": dossier_id})

    @property
    def closed(self) -> bool:
        return self._fd is None

    def on_event(self, event: Any) -> None:
        record = self._record_for(event)
        if record is not None:
            self._append({"kind": record.pop("kind"), "at": self._clock(), **record})

    def close(self) -> None:
        """Writes the end record and closes the file; later events are ignored."""
        self._append({"kind": "end", "at": self._clock()})
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
                self._recording.release()
                self.path.with_suffix(RECORDING_SUFFIX).unlink(missing_ok=True)

    def __enter__(self) -> InterviewRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _record_for(self, event: Any) -> dict[str, Any] | None:
        from smart_interview.models.answers import (
            AnswerDone,
            AnswerFailed,
            QuestionDetected,
            QuestionWithdrawn,
            TalkingPointsReady,
        )
        from smart_interview.models.transcript import Segment

        segment = getattr(event, "segment", event)
        if isinstance(segment, Segment):
            replaces = tuple(getattr(event, "replaces", ()))
            if replaces:
                return _revision_record(segment, replaces, getattr(event, "utterance", -1))
            if not segment.final or not segment.text.strip():
                return None
            record = {"kind": "segment", "speaker": segment.speaker.value,
                      "text": segment.text, "start": segment.start, "end": segment.end}
            utterance = getattr(event, "utterance", -1)
            if isinstance(utterance, int) and utterance >= 0:
                record["utterance"] = utterance
            return record
        if isinstance(event, SegmentRevised):
            return {"kind": "revision", "speaker": event.speaker, "text": event.text,
                    "start": event.start, "end": event.end}
        if isinstance(event, QuestionDetected):
            return {"kind": "question", "question_id": event.id, "text": event.text,
                    "question_kind": event.kind, "early": event.early}
        if isinstance(event, QuestionWithdrawn):
            return {"kind": "question_withdrawn", "question_id": event.question_id}
        if isinstance(event, TalkingPointsReady):
            return {"kind": "talking_points", "question_id": event.question_id,
                    "points": [p.text for p in event.points]}
        if isinstance(event, AnswerDone):
            return {"kind": "answer", "question_id": event.question_id,
                    "text": event.text}
        if isinstance(event, AnswerFailed):
            return {"kind": "answer_failed", "question_id": event.question_id,
                    "message": event.message}
        return None

    def _append(self, record: dict[str, Any]) -> None:
        line = self._fernet.encrypt(json.dumps(record, ensure_ascii=False).encode()) + b"\n"
        with self._lock:
            if self._fd is None or self.error is not None:
                return
            try:
                written = 0
                while written < len(line):
                    written += os.write(self._fd, line[written:])
                os.fsync(self._fd)
            except OSError as exc:
                self.error = exc


def _revision_record(segment: Any, replaces: tuple[int, ...],
                     utterance: int) -> dict[str, Any] | None:
    """A revised turn: appended like any record; the reader puts it in place of the finals
    whose utterance numbers it lists (the file itself is never rewritten)."""
    if not segment.text.strip():
        return None
    return {"kind": "revision", "speaker": segment.speaker.value, "text": segment.text,
            "start": segment.start, "end": segment.end, "utterance": utterance,
            "replaces": [int(n) for n in replaces]}


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
