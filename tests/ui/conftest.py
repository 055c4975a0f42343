"""UI tests: Qt offscreen, a fresh SMART_INTERVIEW_HOME and a real file keyring per test.

The keyring is keyrings.alt's PlaintextKeyring in the test's temp HOME (a real keyring
backend writing a real file); the app accepts it only because the test says so with
`allow_insecure_keyring=True`, exactly as the product refuses it otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

KEYRING_BACKEND = "keyrings.alt.file.PlaintextKeyring"


@pytest.fixture
def ui_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("SMART_INTERVIEW_HOME", str(home / "smart-interview"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", KEYRING_BACKEND)
    return home


@pytest.fixture
def file_keyring(ui_home: Path) -> Any:
    from tests.support.keyrings import LockedPlaintextKeyring

    backend = LockedPlaintextKeyring()
    backend.file_path = str(ui_home / "keyring" / "keyring_pass.cfg")  # type: ignore[misc]
    return backend


@pytest.fixture
def make_window(qtbot: Any, ui_home: Path, file_keyring: Any) -> Iterator[Any]:
    """Builds the real main window on the temp home; closes it and waits for its jobs."""
    from smart_interview.app import gui
    from smart_interview.app.paths import AppPaths
    from smart_interview.ui.workers import running_jobs

    gui.make_application()
    windows: list[Any] = []

    def build(**options: Any) -> Any:
        options.setdefault("show_first_run", False)
        options.setdefault("allow_insecure_keyring", True)
        window = gui.build_window(AppPaths.under(ui_home / "smart-interview"),
                                  keyring_backend=file_keyring, **options)
        qtbot.addWidget(window)
        windows.append(window)
        return window

    yield build
    for window in windows:
        interview = window.interview
        if interview.state != "idle":
            interview.stop()
            qtbot.waitUntil(lambda iv=interview: iv.state == "idle", timeout=30_000)
        window.close()
    qtbot.waitUntil(lambda: running_jobs() == 0, timeout=30_000)
    for window in windows:
        window.context.services.shutdown()
