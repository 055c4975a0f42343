"""Keeps a slow read of the server from undoing a newer write on this device.

The UI refreshes the account in the background while the user acts. A refresh that asked
for the CV before an upload, and hears "no CV" after the upload saved its copy, must not
delete that copy (the interview would then run without the CV the server has). Each local
write of a kind bumps a counter; a refresh notes the counter before its request and applies
its answer to the cache only if the counter has not moved.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class WriteOrder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._writes: dict[str, int] = {}

    def mark(self, kind: str) -> int:
        """Before a refresh's request: the writes of `kind` so far."""
        with self._lock:
            return self._writes.get(kind, 0)

    @contextmanager
    def write(self, kind: str) -> Iterator[None]:
        """A local write of `kind` (run the cache change inside): newer than any refresh in
        flight."""
        with self._lock:
            self._writes[kind] = self._writes.get(kind, 0) + 1
            yield

    @contextmanager
    def refresh(self, kind: str, mark: int) -> Iterator[bool]:
        """Yields whether a refresh that took `mark` may still change the cache (no local
        write of `kind` since); the cache change runs inside, so no write slips in between."""
        with self._lock:
            yield self._writes.get(kind, 0) == mark
