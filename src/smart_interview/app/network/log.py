"""What left the machine: one entry per HTTP request, kept in memory for this run of the app.

`NetworkLog` is thread-safe. Each entry is an immutable snapshot; an entry is published to the
subscribers when its request starts and again when it ends (a streamed response ends when its
stream is closed), so a page can list requests as they happen. Subscribers are plain callables,
called on the thread that made the request; they must return quickly and not raise (an
exception from one is swallowed so it cannot break a request).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum


class Purpose(str, Enum):
    ACCOUNT = "account"
    CV = "cv"
    DOSSIER = "dossier"
    ANSWER = "answer"
    MODEL = "model"

    @property
    def backend(self) -> bool:
        """Requests to Smart Interview's own servers (the backend the account lives on)."""
        return self in (Purpose.ACCOUNT, Purpose.CV, Purpose.DOSSIER)

    @property
    def plural(self) -> str:
        return {"account": "account", "cv": "CV", "dossier": "dossiers", "answer": "answers",
                "model": "models"}[self.value]


class Outcome(str, Enum):
    IN_PROGRESS = "in progress"
    COMPLETE = "complete"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class NetworkEntry:
    id: int
    started_at: float
    """Wall-clock time (seconds since the epoch) the request started."""
    purpose: Purpose
    method: str
    host: str
    """Host, with the port when it is not the scheme's default."""
    path: str
    """The URL path; the query string is never kept."""
    bytes_sent: int = 0
    """Request line, headers and body as HTTP/1.1 would write them."""
    bytes_received: int = 0
    """Status line, headers and body as received (before any decompression)."""
    status: int | None = None
    duration_s: float | None = None
    outcome: Outcome = Outcome.IN_PROGRESS
    error: str = ""

    @property
    def finished(self) -> bool:
        return self.outcome is not Outcome.IN_PROGRESS


Subscriber = Callable[[NetworkEntry], None]


class NetworkLog:
    def __init__(self, *, clock: Callable[[], float] = time.time,
                 timer: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._timer = timer
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._entries: dict[int, NetworkEntry] = {}
        self._timers: dict[int, float] = {}
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Calls `subscriber(entry)` for every new or finished entry; returns the unsubscriber."""
        with self._lock:
            self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            with self._lock:
                if subscriber in self._subscribers:
                    self._subscribers.remove(subscriber)

        return unsubscribe

    def entries(self, *, since: int = 0) -> list[NetworkEntry]:
        """Entries in the order their requests started; `since` skips ids up to it."""
        with self._lock:
            return [e for i, e in sorted(self._entries.items()) if i > since]

    def last_id(self) -> int:
        """Pass this to `entries(since=...)` later to see only what happened in between."""
        with self._lock:
            return max(self._entries, default=0)

    # --- recording (used by the door's transport) ---------------------------------------------

    def start(self, *, purpose: Purpose, method: str, host: str, path: str) -> NetworkEntry:
        with self._lock:
            entry = NetworkEntry(id=next(self._ids), started_at=self._clock(), purpose=purpose,
                                 method=method, host=host, path=path)
            self._entries[entry.id] = entry
            self._timers[entry.id] = self._timer()
        self._publish(entry)
        return entry

    def update(self, entry_id: int, *, sent: int = 0, received: int = 0,
               status: int | None = None) -> None:
        with self._lock:
            entry = self._entries[entry_id]
            self._entries[entry_id] = replace(
                entry, bytes_sent=entry.bytes_sent + sent,
                bytes_received=entry.bytes_received + received,
                status=entry.status if status is None else status)

    def finish(self, entry_id: int, *, outcome: Outcome, error: str = "") -> None:
        with self._lock:
            entry = self._entries[entry_id]
            if entry.finished:
                return
            entry = replace(entry, outcome=outcome, error=error,
                            duration_s=self._timer() - self._timers.pop(entry_id))
            self._entries[entry_id] = entry
        self._publish(entry)

    def _publish(self, entry: NetworkEntry) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            try:
                subscriber(entry)
            except Exception:  # a broken listener must never break the request
                continue


def summary(entries: Iterable[NetworkEntry], *, label: str = "This session") -> str:
    """One line, e.g. "This interview: 0 requests to Smart Interview servers · 3 to
    api.openai.com (answers)"."""
    entries = list(entries)
    backend = sum(1 for e in entries if e.purpose.backend)
    parts = [f"{backend} {_requests(backend)} to Smart Interview servers"]
    others: dict[tuple[str, Purpose], int] = {}
    for entry in entries:
        if not entry.purpose.backend:
            key = (entry.host, entry.purpose)
            others[key] = others.get(key, 0) + 1
    for (host, purpose), count in sorted(others.items(), key=lambda kv: (-kv[1], kv[0][0])):
        parts.append(f"{count} to {host} ({purpose.plural})")
    return f"{label}: " + " · ".join(parts)


def render_table(entries: Iterable[NetworkEntry]) -> str:
    """A plain-text table for the terminal, one request a row."""
    header = ("time", "purpose", "method", "host", "path", "sent", "received", "status",
              "ms", "result")
    rows = [header]
    for e in entries:
        rows.append((
            datetime.fromtimestamp(e.started_at).strftime("%H:%M:%S"),
            e.purpose.value, e.method, e.host, e.path, format_size(e.bytes_sent),
            format_size(e.bytes_received), "" if e.status is None else str(e.status),
            "" if e.duration_s is None else f"{e.duration_s * 1000:.0f}",
            e.outcome.value + (f" ({e.error})" if e.error else ""),
        ))
    if len(rows) == 1:
        return "No network requests."
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    numeric = {5, 6, 7, 8}
    lines = []
    for row in rows:
        cells = [cell.rjust(w) if i in numeric else cell.ljust(w)
                 for i, (cell, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def render_report(entries: Iterable[NetworkEntry], *, label: str = "This session") -> str:
    """The table followed by the one-line summary, as `--network-log` prints it."""
    entries = list(entries)
    return f"{render_table(entries)}\n\n{summary(entries, label=label)}"


def _requests(count: int) -> str:
    return "request" if count == 1 else "requests"


def format_size(count: int) -> str:
    """Bytes for people: "812 B", "14.2 kB", "3.1 MB"."""
    if count < 10_000:
        return f"{count} B"
    if count < 10_000_000:
        return f"{count / 1000:.1f} kB"
    return f"{count / 1_000_000:.1f} MB"
