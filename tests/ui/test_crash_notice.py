"""The app died mid-interview (a real process, a real fatal error): the next start says so,
names the crash report, opens the saved interview from History, and asks only once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QMessageBox

ROOT = Path(__file__).resolve().parents[2]

INTERVIEW_THEN_ABORT = """
import os, sys
from pathlib import Path
from smart_interview.app.crash_guard import CrashGuard
from smart_interview.app.history import KeyringKey, start_recording
from smart_interview.models.transcript import Segment, Speaker
from smart_interview.sync.secrets import SecretStore
from tests.support.keyrings import file_keyring_at

home = Path(sys.argv[1])
guard = CrashGuard(home / "smart-interview" / "logs")
guard.install()
keys = KeyringKey(SecretStore(file_keyring_at(Path(sys.argv[2])), allow_insecure_backend=True))
recorder = start_recording(enabled=True, data_dir=home / "smart-interview" / "data", keys=keys,
                           dossier_title="Platform Engineer at Contoso")
recorder.on_event(Segment(Speaker.INTERVIEWER, "How do you roll out Kubernetes upgrades?",
                          1.0, 3.0, final=True))
guard.interview_started(recorder.interview_id)
print(recorder.interview_id, flush=True)
os.abort()
"""


def test_the_next_start_tells_of_the_crash_and_opens_the_saved_interview(
        make_window: Any, qtbot: Any, ui_home: Path, file_keyring: Any) -> None:
    died = subprocess.run(
        [sys.executable, "-c", INTERVIEW_THEN_ABORT, str(ui_home), file_keyring.file_path],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}"},
        capture_output=True, text=True, timeout=60, check=False)
    assert died.returncode != 0, died.stderr
    interview_id = died.stdout.strip()

    window = make_window()
    window.context.settings.ui.history_enabled = True
    window.show()
    qtbot.waitUntil(lambda: window.crash_notice is not None and window.crash_notice.isVisible(),
                    timeout=10_000)
    notice: QMessageBox = window.crash_notice
    assert "stopped unexpectedly during the interview" in notice.text()
    assert "saved in History" in notice.text()
    assert "crash-" in notice.text() and "Fatal Python error: Aborted" in notice.detailedText()

    [opener] = [b for b in notice.buttons() if b.text() == "Open the interview"]
    opener.click()
    qtbot.waitUntil(lambda: not notice.isVisible(), timeout=5_000)
    assert window.current_page() == "history"
    assert window.history.selected_id() == interview_id
    assert "Kubernetes upgrades" in window.history.viewer.toPlainText()
    line = window.history.list.currentItem().text()
    assert line.endswith("interrupted") and "in progress" not in line

    assert window.context.services.previous_crash() is None  # told once
    assert window.tell_previous_crash() is None


def test_a_clean_last_run_shows_no_notice(make_window: Any, qtbot: Any) -> None:
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    assert window.crash_notice is None
    assert window.tell_previous_crash() is None
