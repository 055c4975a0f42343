"""One-off background jobs on the global QThreadPool (HTTP calls, model preparation, file
reading), reporting back to the GUI thread through Qt signals.

A job is a plain callable that takes a `JobControl`; it may report progress and should look at
`control.cancelled` between steps. Its result or its error arrives as a queued signal, so slots
run on the GUI thread. Errors become one message that says what to do next (`user_message`).
The live interview, which runs for a long time, has its own QThread worker in
`live_worker.py`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class JobCancelled(Exception):
    """Raised inside a job (or by the engine it runs) when the user cancelled it."""


class JobControl:
    """Handed to a running job: progress reporting and the cancel flag."""

    def __init__(self, signals: JobSignals) -> None:
        self._signals = signals
        self._cancel = threading.Event()

    def progress(self, done: int, total: int) -> None:
        self._signals.progress.emit(int(done), int(total))

    def message(self, text: str) -> None:
        self._signals.message.emit(text)

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise JobCancelled("cancelled")


class JobSignals(QObject):
    progress = Signal(int, int)
    message = Signal(str)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    done = Signal()
    """Emitted first, whatever the outcome, then exactly one of succeeded / failed /
    cancelled. (First, so a handler clearing "busy" state can never clear the state of a job
    the outcome handler, or the user, started in the meantime.)"""


class Job(QRunnable):
    def __init__(self, work: Callable[[JobControl], Any], *, name: str = "job") -> None:
        super().__init__()
        self.name = name
        self.signals = JobSignals()
        self.control = JobControl(self.signals)
        self._work = work
        self.setAutoDelete(False)

    def cancel(self) -> None:
        self.control.cancel()

    def run(self) -> None:
        try:
            outcome: tuple[str, Any] = ("succeeded", self._work(self.control))
        except JobCancelled:
            outcome = ("cancelled", None)
        except Exception as exc:  # the GUI shows every failure; nothing may die silently
            if self.control.cancelled() and _looks_cancelled(exc):
                outcome = ("cancelled", None)
            else:
                outcome = ("failed", user_message(exc))
        if outcome[0] == "succeeded" and self.control.cancelled():
            outcome = ("cancelled", None)
        try:
            self.signals.done.emit()
            if outcome[0] == "cancelled":
                self.signals.cancelled.emit()
            elif outcome[0] == "failed":
                self.signals.failed.emit(outcome[1])
            else:
                self.signals.succeeded.emit(outcome[1])
        except RuntimeError:
            pass  # the app is quitting and its objects are gone: nobody is listening
        finally:
            _RUNNING.discard(self)


_RUNNING: set[Job] = set()
"""Jobs in flight, kept alive until they report `done` (the pool does not own them)."""


def start_job(
    work: Callable[[JobControl], Any],
    *,
    name: str = "job",
    on_success: Callable[[Any], None] | None = None,
    on_error: Callable[[str], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    on_cancelled: Callable[[], None] | None = None,
    on_done: Callable[[], None] | None = None,
    pool: QThreadPool | None = None,
) -> Job:
    """Runs `work(control)` on the thread pool; the callbacks run on the GUI thread."""
    job = Job(work, name=name)
    for signal, callback in ((job.signals.succeeded, on_success),
                             (job.signals.failed, on_error),
                             (job.signals.progress, on_progress),
                             (job.signals.cancelled, on_cancelled),
                             (job.signals.done, on_done)):
        if callback is not None:
            signal.connect(_unless_gone(callback))
    _RUNNING.add(job)
    (pool or QThreadPool.globalInstance()).start(job)
    return job


def _unless_gone(callback: Callable[..., None]) -> Callable[..., None]:
    """A job may outlive the widget that started it (its window closed): then its result has
    nobody to go to, which is fine."""

    def call(*args: Any) -> None:
        try:
            callback(*args)
        except RuntimeError as exc:
            if "already deleted" not in str(exc):
                raise

    return call


def running_jobs() -> int:
    return len(_RUNNING)


def _looks_cancelled(exc: Exception) -> bool:
    return "cancel" in type(exc).__name__.lower() or "cancel" in str(exc).lower()


_NEXT_STEPS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("ConnectError", "ConnectTimeout", "NetworkError"),
     "Check that the server address in Settings is right and that you are online, then try "
     "again."),
    (("TimeoutException", "ReadTimeout"), "The server took too long to answer; try again."),
    (("PermissionError",), "Check that the file is readable and not open in another program."),
    (("FileNotFoundError",), "Pick the file again; it may have been moved or deleted."),
)


def user_message(exc: BaseException) -> str:
    """One sentence for the user. Engine errors already say what to do; others get a hint."""
    text = str(exc).strip() or type(exc).__name__
    names = {cls.__name__ for cls in type(exc).__mro__}
    for wanted, hint in _NEXT_STEPS:
        if names.intersection(wanted):
            return f"{text}. {hint}" if not text.endswith(".") else f"{text} {hint}"
    if type(exc).__module__.startswith("smart_interview"):
        return text[0].upper() + text[1:]
    return (
        f"Something went wrong: {text} ({type(exc).__name__}). Try again; if it keeps "
        "happening, write to support@trysmartinterview.com."
    )
