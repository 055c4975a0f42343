"""What survives the app dying in the middle of an interview.

`CrashGuard(log_dir)`:
- `install()` points `faulthandler` at `crash-<pid>.log` in the app's log folder. The file
  stays open; a fatal error (a segfault, an abort such as "none_dealloc" from a C extension)
  writes every thread's Python stack into it, so the user has something to report.
- `interview_started(...)` writes `interview-<pid>.json` (atomically) beside it, and
  `interview_stopped()` removes it. A mark whose process is gone is an interview that never
  stopped: `previous_crash()` returns it (with the crash log of that process when it holds a
  traceback), and `dismiss(crash)` removes it once the user has been told.
- `close()` turns `faulthandler` off and deletes this run's crash log when it stayed empty.

A process is known by its id and start time (psutil), so a recycled process id is not
mistaken for the app still running. Nothing here imports Qt.
"""

from __future__ import annotations

import contextlib
import faulthandler
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

CRASH_LOGS_KEPT = 5


@dataclass(frozen=True)
class PreviousCrash:
    """An interview whose process ended without stopping it."""

    marker: Path
    started_at: float
    """Wall-clock seconds when the interview started."""
    last_seen_at: float
    """When the mark was last written (the interview lasted at least until then)."""
    interview_id: str | None
    """The saved interview in History, when history was on."""
    crash_log: Path | None
    """The traceback the process wrote as it died, when it wrote one."""

    def read_crash_log(self, limit: int = 20_000) -> str:
        if self.crash_log is None:
            return ""
        try:
            return self.crash_log.read_text(errors="replace")[-limit:]
        except OSError:
            return ""


def _process_started(pid: int) -> float | None:
    import psutil

    try:
        return float(psutil.Process(pid).create_time())
    except (psutil.Error, OSError):
        return None


class CrashGuard:
    def __init__(self, log_dir: Path, *, pid: int | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.log_dir = log_dir
        self.pid = os.getpid() if pid is None else pid
        self._clock = clock
        self._log: IO[str] | None = None
        self._was_enabled = False
        self._interview: dict[str, object] | None = None

    @property
    def crash_log(self) -> Path:
        return self.log_dir / f"crash-{self.pid}.log"

    @property
    def marker(self) -> Path:
        return self.log_dir / f"interview-{self.pid}.json"

    def install(self) -> Path:
        """Sends fatal-error tracebacks of every thread to this run's crash log."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._prune_logs()
        self._was_enabled = faulthandler.is_enabled()
        self._log = open(self.crash_log, "w", encoding="utf-8")  # noqa: SIM115 - kept open
        faulthandler.enable(self._log, all_threads=True)
        return self.crash_log

    def close(self) -> None:
        """A clean exit: faulthandler off, this run's empty crash log and mark removed."""
        if self._log is not None:
            faulthandler.disable()
            if self._was_enabled and sys.__stderr__ is not None:
                faulthandler.enable(sys.__stderr__, all_threads=True)
            self._log.close()
            self._log = None
            with contextlib.suppress(OSError):
                if self.crash_log.stat().st_size == 0:
                    self.crash_log.unlink()
        self.interview_stopped()

    # -- the running interview -------------------------------------------------------------

    def interview_started(self, interview_id: str | None) -> None:
        now = self._clock()
        self._interview = {"pid": self.pid, "process_started": _process_started(self.pid),
                           "started_at": now, "last_seen_at": now,
                           "interview_id": interview_id}
        self._write_marker()

    def interview_alive(self) -> None:
        """Moves the mark's last-seen time on (call now and then while the interview runs)."""
        if self._interview is not None:
            self._interview["last_seen_at"] = self._clock()
            self._write_marker()

    def interview_stopped(self) -> None:
        self._interview = None
        with contextlib.suppress(FileNotFoundError):
            self.marker.unlink()

    def _write_marker(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        partial = self.marker.with_suffix(".tmp")
        partial.write_text(json.dumps(self._interview), encoding="utf-8")
        os.replace(partial, self.marker)

    # -- after a crash ---------------------------------------------------------------------

    def previous_crash(self) -> PreviousCrash | None:
        """The newest interview left running by a process that is gone, if any."""
        found: list[PreviousCrash] = []
        for path in self.log_dir.glob("interview-*.json"):
            crash = self._read_marker(path)
            if crash is not None:
                found.append(crash)
        return max(found, key=lambda c: c.started_at) if found else None

    def dismiss(self, crash: PreviousCrash) -> None:
        """The user has been told: every mark of a gone process is removed (the crash log
        stays, for a report)."""
        for path in self.log_dir.glob("interview-*.json"):
            if path == crash.marker or self._read_marker(path) is not None:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()

    def _read_marker(self, path: Path) -> PreviousCrash | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            pid = int(data["pid"])
            started_at = float(data["started_at"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if pid == self.pid or self._still_running(pid, data.get("process_started")):
            return None
        log = self.log_dir / f"crash-{pid}.log"
        has_log = log.is_file() and log.stat().st_size > 0
        interview_id = data.get("interview_id")
        return PreviousCrash(marker=path, started_at=started_at,
                             last_seen_at=float(data.get("last_seen_at") or started_at),
                             interview_id=str(interview_id) if interview_id else None,
                             crash_log=log if has_log else None)

    @staticmethod
    def _still_running(pid: int, process_started: object) -> bool:
        started = _process_started(pid)
        if started is None:
            return False
        if not isinstance(process_started, (int, float)):
            return True
        return abs(started - float(process_started)) < 1.0

    def _prune_logs(self) -> None:
        """Empty crash logs of gone processes go; of the others, the newest few stay."""
        logs = []
        for path in self.log_dir.glob("crash-*.log"):
            try:
                pid = int(path.stem.split("-", 1)[1])
                stat = path.stat()
            except (ValueError, OSError):
                continue
            if _process_started(pid) is not None and pid != self.pid:
                continue  # another running instance's log
            if stat.st_size == 0:
                path.unlink(missing_ok=True)
            else:
                logs.append((stat.st_mtime, path))
        for _mtime, path in sorted(logs, reverse=True)[CRASH_LOGS_KEPT:]:
            path.unlink(missing_ok=True)
