"""The live interview on its own QThread.

`LiveSessionWorker` is a QObject moved to a QThread. In that thread it builds the session
(loading the model can take a second), starts it, and later stops it (stopping drains the last
audio, which can take a moment), so the GUI thread never waits. The session's callbacks run on
the engines' own threads; the worker re-emits them as Qt signals, which Qt queues to the GUI
thread. `finished` is wired to `thread.quit` and `deleteLater`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from smart_interview.ui.workers import user_message


class LiveSession(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...


SessionBuilder = Callable[[Callable[[dict], None], Callable[[str, Any], None]], LiveSession]
"""builder(on_event, on_capture_event) → a session that is not started yet."""


class LiveSessionWorker(QObject):
    session_event = Signal(dict)
    """A transcript or answer event dict (type partial/final/question/talking_points/…)."""
    capture_event = Signal(str, str, str)
    """(source label "mic"/"loopback", kind, message) from the audio sources."""
    started = Signal(object)
    """The running session (for levels and device names)."""
    failed = Signal(str)
    finished = Signal()
    _stop_requested = Signal()
    _pause_requested = Signal(bool)

    def __init__(self, builder: SessionBuilder) -> None:
        super().__init__()
        self._builder = builder
        self.session: LiveSession | None = None
        self._stop_requested.connect(self._stop)
        self._pause_requested.connect(self._pause)

    @Slot()
    def run(self) -> None:
        try:
            self.session = self._builder(self.session_event.emit, self._on_capture)
            self.session.start()
        except Exception as exc:  # shown to the user with what to do next
            self.session = None
            self.failed.emit(user_message(exc))
            self.finished.emit()
            return
        self.started.emit(self.session)

    def _on_capture(self, source: str, event: Any) -> None:
        self.capture_event.emit(str(source), str(getattr(event, "kind", "")),
                                str(getattr(event, "message", "")))

    def request_stop(self) -> None:
        """Asks the worker thread to stop the session; `finished` follows."""
        self._stop_requested.emit()

    def request_pause(self, paused: bool) -> None:
        self._pause_requested.emit(paused)

    @Slot()
    def _stop(self) -> None:
        session, self.session = self.session, None
        if session is not None:
            try:
                session.stop()
            except Exception as exc:
                self.failed.emit(user_message(exc))
        self.finished.emit()

    @Slot(bool)
    def _pause(self, paused: bool) -> None:
        session = self.session
        method = getattr(session, "pause" if paused else "resume", None)
        if callable(method):
            with contextlib.suppress(Exception):
                method()


def start_live_worker(builder: SessionBuilder) -> tuple[LiveSessionWorker, QThread]:
    """Creates the worker on a new QThread, wired for clean shutdown, and starts it."""
    thread = QThread()
    thread.setObjectName("live-session")
    worker = LiveSessionWorker(builder)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    # quit() is thread-safe; a direct connection ends the thread even when the GUI event loop
    # has already returned (the app is quitting).
    worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
    worker.finished.connect(worker.deleteLater)
    global _REAPER
    if _REAPER is None:
        _REAPER = _ThreadReaper()
    _THREADS.add(thread)
    thread.finished.connect(_REAPER.reap)
    thread.start()
    return worker, thread


class _ThreadReaper(QObject):
    """Lives on the GUI thread and lets go of a live thread once it has really ended: a
    QThread destroyed while it runs aborts the process, so the last reference must not be
    dropped on the thread itself."""

    @Slot()
    def reap(self) -> None:
        thread = self.sender()
        if isinstance(thread, QThread) and thread.wait(5000):
            _THREADS.discard(thread)


_THREADS: set[QThread] = set()
_REAPER: _ThreadReaper | None = None


def wait_for_live_threads(timeout_ms: int = 10_000) -> bool:
    """At exit, after the event loop returned: lets running sessions finish stopping."""
    return all(thread.wait(timeout_ms) for thread in list(_THREADS))
