"""The message shown at start when the app died during the last interview: when it happened,
what was kept, where the crash report is, and a button that opens the saved interview."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtWidgets import QMessageBox, QWidget

from smart_interview.app.crash_guard import PreviousCrash


def describe(crash: PreviousCrash, *, history_on: bool) -> str:
    started = datetime.fromtimestamp(crash.started_at).strftime("%a %d %b at %H:%M")
    minutes = max(0, round((crash.last_seen_at - crash.started_at) / 60))
    lines = [f"Smart Interview stopped unexpectedly during the interview that started "
             f"{started}" + (f", at least {minutes} min in." if minutes else ".")]
    if crash.interview_id and history_on:
        lines.append("Everything transcribed until then is saved in History.")
    elif crash.interview_id:
        lines.append("What was transcribed until then is in History (history is off now).")
    else:
        lines.append("History was off, so the transcript of that interview was not kept.")
    if crash.crash_log is not None:
        lines.append(f"A crash report was saved to {crash.crash_log}. Please attach it when "
                     "you report the problem.")
    return "\n\n".join(lines)


def show_crash_notice(parent: QWidget, crash: PreviousCrash, *, history_on: bool,
                      open_interview: Callable[[str], None],
                      dismissed: Callable[[], None]) -> QMessageBox:
    """Opens the notice (window-modal, not blocking); `dismissed` runs once it is closed."""
    box = QMessageBox(QMessageBox.Icon.Warning, "The last interview was interrupted",
                      describe(crash, history_on=history_on), QMessageBox.StandardButton.Close,
                      parent)
    box.setObjectName("CrashNotice")
    opener = None
    if crash.interview_id:
        opener = box.addButton("Open the interview", QMessageBox.ButtonRole.AcceptRole)
    report = crash.read_crash_log()
    if report:
        box.setDetailedText(report)
    interview_id = crash.interview_id

    def clicked(button: object) -> None:
        if opener is not None and button is opener and interview_id:
            open_interview(interview_id)

    box.buttonClicked.connect(clicked)
    box.finished.connect(lambda _result: dismissed())
    box.open()
    return box
