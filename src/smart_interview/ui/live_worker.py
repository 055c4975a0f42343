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
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from smart_interview.models.answers import AnswerEvent
from smart_interview.models.interview import InterviewEvent, SessionStarted
from smart_interview.models.transcript import AudioLevel, CaptureNotice, Speaker, TranscriptUpdate
from smart_interview.ui.workers import user_message


class InterviewRunner(Protocol):
    """What the worker needs of an interview session (`app.InterviewSession`)."""

    def start(self) -> SessionStarted: ...
    def stop(self) -> None: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def source_level(self, speaker: Speaker) -> AudioLevel | None: ...


SessionBuilder = Callable[[Callable[[InterviewEvent], None]], InterviewRunner]
"""builder(on_event) → a session that is not started yet."""


class LiveSessionWorker(QObject):
    transcript = Signal(TranscriptUpdate)
    """Partial or final text of one speaker."""
    answer = Signal(AnswerEvent)
    """A question, its talking points, or a piece / the end / the failure of its answer."""
    capture = Signal(CaptureNotice)
    """Something about an audio source (lost, back, silent, ended)."""
    started = Signal(SessionStarted)
    """Capture runs: the sources' names, the context in use, the answer provider."""
    failed = Signal(str)
    finished = Signal()
    _stop_requested = Signal()
    _pause_requested = Signal(bool)

    def __init__(self, builder: SessionBuilder) -> None:
        super().__init__()
        self._builder = builder
        self.session: InterviewRunner | None = None
        self._stop_requested.connect(self._stop)
        self._pause_requested.connect(self._pause)

    @Slot()
    def run(self) -> None:
        try:
            self.session = self._builder(self._on_event)
            self.session.start()
        except Exception as exc:  # shown to the user with what to do next
            self.session = None
            self.failed.emit(user_message(exc))
            self.finished.emit()

    def _on_event(self, event: InterviewEvent) -> None:
        """Runs on the session's threads; Qt queues each signal to the GUI thread."""
        if isinstance(event, TranscriptUpdate):
            self.transcript.emit(event)
        elif isinstance(event, AnswerEvent):
            self.answer.emit(event)
        elif isinstance(event, CaptureNotice):
            self.capture.emit(event)
        elif isinstance(event, SessionStarted):
            self.started.emit(event)

    def level(self, speaker: Speaker) -> AudioLevel | None:
        """GUI thread: the latest loudness of a speaker's source (None: not running)."""
        session = self.session
        return None if session is None else session.source_level(speaker)

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
        if session is None:
            return
        with contextlib.suppress(Exception):
            if paused:
                session.pause()
            else:
                session.resume()


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
    # The worker is kept alive here too: the view lets go of it in a slot of the worker's own
    # `finished`, while the worker's thread may still be returning from `run`; dropping the
    # last Python reference then would delete the object under that thread.
    _THREADS[thread] = worker
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
            _THREADS.pop(thread, None)


_THREADS: dict[QThread, LiveSessionWorker] = {}
_REAPER: _ThreadReaper | None = None


def wait_for_live_threads(timeout_ms: int = 10_000) -> bool:
    """At exit, after the event loop returned: lets running sessions finish stopping."""
    return all(thread.wait(timeout_ms) for thread in list(_THREADS))
