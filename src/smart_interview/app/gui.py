"""Builds the desktop app: QApplication, theme, settings, engine access, the main window."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from smart_interview.app.paths import AppPaths
    from smart_interview.ui.main_window import MainWindow


def build_window(
    paths: AppPaths | None = None,
    *,
    show_first_run: bool | None = None,
    **service_options: Any,
) -> MainWindow:
    """The main window on `paths` (default: this user's), with real engines behind it.
    A QApplication must exist. `service_options` go to `AppServices` (tests use them)."""
    from smart_interview.app import wiring
    from smart_interview.app.services import AppServices
    from smart_interview.ui.context import UiContext
    from smart_interview.ui.main_window import MainWindow

    paths = (paths or wiring.app_paths()).ensure()
    settings = wiring.load_settings(paths)
    services = AppServices(paths=paths, settings=settings, **service_options)
    context = UiContext(paths=paths, settings=settings, services=services)
    window = MainWindow(context, show_first_run=show_first_run)
    window.closing.connect(services.shutdown)
    return window


def make_application(argv: Sequence[str] | None = None) -> QApplication:
    from PySide6.QtWidgets import QApplication

    from smart_interview.ui.theme import apply_theme

    app = QApplication.instance() or QApplication(list(argv or sys.argv[:1]))
    assert isinstance(app, QApplication)
    if app.property("smart_interview_ready"):
        return app  # once per process: changing the style under live widgets is unsafe
    app.setApplicationName("Smart Interview")
    app.setOrganizationName("Smart Interview")
    app.setApplicationDisplayName("Smart Interview")
    apply_theme(app)
    app.setProperty("smart_interview_ready", True)
    return app


def main(argv: Sequence[str] | None = None) -> int:
    from smart_interview.app.privacy import apply_process_privacy

    apply_process_privacy()  # before any library (onnxruntime, huggingface_hub) starts
    return open_app(argv)


def open_app(argv: Sequence[str] | None = None, *, show_first_run: bool | None = None,
             start_interview: bool = False) -> int:
    """Opens the main window and runs until it closes. A fatal error on the way leaves its
    traceback in the log folder, and a running interview is marked (`app.crash_guard`), so
    the next start can tell the user and open what was saved."""
    from smart_interview.app import wiring
    from smart_interview.app.crash_guard import CrashGuard

    paths = wiring.app_paths().ensure()
    crash_guard = CrashGuard(paths.log_dir)
    crash_guard.install()
    try:
        app = make_application(argv)
        window = build_window(paths, show_first_run=show_first_run, crash_guard=crash_guard)
        window.show()
        if start_interview:
            window.start_interview_when_ready()
        return run_event_loop(app)
    finally:
        crash_guard.close()


def run_event_loop(app: QApplication) -> int:
    """Runs the app; after the last window closed, gives running jobs a moment to finish."""
    from PySide6.QtCore import QThreadPool

    from smart_interview.ui.live_worker import wait_for_live_threads

    code = int(app.exec())
    wait_for_live_threads()
    QThreadPool.globalInstance().waitForDone(3000)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
