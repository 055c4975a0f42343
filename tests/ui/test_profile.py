"""Profile & CV through the widgets, against the embedded backend (real server, real SQLite):
upload → preview → confirm → summary shown; paste and drag-and-drop; the delete confirmation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent

from smart_interview.sync.cv_text import extract_text
from tests.ui.documents import CV_LINES, JOB_DESCRIPTION, make_docx

WAIT = 30_000


def _open_profile(make_window: Any, qtbot: Any) -> Any:
    window = make_window()
    window.show()
    window.show_page("profile")
    profile = window.profile
    qtbot.waitUntil(lambda: "Local account" in profile.account_panel.state.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: profile.job is None, timeout=WAIT)
    return window, profile


def _upload_file(profile: Any, qtbot: Any, path: Path) -> Any:
    dialog = profile.open_upload()
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    dialog.read_file(str(path))
    qtbot.waitUntil(lambda: dialog.stack.currentIndex() == 1, timeout=WAIT)
    return dialog


def test_upload_preview_confirm_shows_summary(make_window: Any, qtbot: Any,
                                              tmp_path: Path) -> None:
    window, profile = _open_profile(make_window, qtbot)
    assert profile.cv is None and "Upload your CV" in profile.cv_caption.text()
    cv_file = make_docx(tmp_path / "dana.docx")

    dialog = _upload_file(profile, qtbot, cv_file)
    expected = extract_text(cv_file)
    assert dialog.preview_text.toPlainText() == expected
    assert "exactly the text that will be stored" in dialog.preview_caption.text()
    assert f"{len(expected):,} characters" in dialog.preview_caption.text()
    assert "Rate limiter" in expected or "rate limiter" in expected

    with qtbot.waitSignal(dialog.uploaded, timeout=WAIT):
        dialog.confirm_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
    stored = window.context.services.account().cv()
    assert stored is not None and stored.text == expected and stored.file_name == "dana.docx"
    assert "dana.docx" in profile.cv_caption.text()
    assert profile.upload_button.text() == "Replace CV" and profile.delete_button.isVisible()
    qtbot.waitUntil(lambda: profile.summary_state.text().startswith("✓ Ready"), timeout=WAIT)
    assert profile.summary_text.text().strip()
    profile.stored_toggle.click()
    assert profile.stored_text.toPlainText() == expected


def test_paste_and_drop_both_reach_the_preview(make_window: Any, qtbot: Any,
                                               tmp_path: Path) -> None:
    _window, profile = _open_profile(make_window, qtbot)
    dialog = profile.open_upload()
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    dialog.confirm_button.click()  # nothing to confirm yet: no upload, no crash
    dialog.paste_button.click()
    assert "Paste the text" in dialog.source_message.text()
    dialog.paste_edit.setPlainText("\n".join(CV_LINES) + "\n\n\n")
    dialog.paste_button.click()
    qtbot.waitUntil(lambda: dialog.stack.currentIndex() == 1, timeout=WAIT)
    assert dialog.preview_text.toPlainText().startswith("Dana Whitfield")
    assert "pasted" in dialog.preview_caption.text()
    dialog.back_button.click()
    assert dialog.stack.currentIndex() == 0

    cv_file = make_docx(tmp_path / "dropped.docx")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(cv_file))])
    area = dialog.drop_area
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    area.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    # Qt delivers drops only inside a real drag session; the handler is what the test drives.
    area.dropEvent(drop)
    qtbot.waitUntil(lambda: dialog.stack.currentIndex() == 1, timeout=WAIT)
    assert "dropped.docx" in dialog.preview_caption.text()
    dialog.cancel_button.click()
    assert profile.context.services.account().cv() is None


def test_unreadable_file_says_what_to_do(make_window: Any, qtbot: Any, tmp_path: Path) -> None:
    _window, profile = _open_profile(make_window, qtbot)
    bad = tmp_path / "cv.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not really a pdf")
    dialog = profile.open_upload()
    dialog.read_file(str(bad))
    qtbot.waitUntil(lambda: dialog.job is None and "Reading" not in
                    dialog.source_message.text(), timeout=WAIT)
    assert dialog.stack.currentIndex() == 0
    assert dialog.source_message.text() and dialog.source_message.property("role") == "error"


def _upload(profile: Any, qtbot: Any, tmp_path: Path) -> None:
    dialog = _upload_file(profile, qtbot, make_docx(tmp_path / "dana.docx"))
    with qtbot.waitSignal(dialog.uploaded, timeout=WAIT):
        dialog.confirm_button.click()


def test_delete_cv_confirmation_keeps_dossier_snapshots(make_window: Any, qtbot: Any,
                                                        tmp_path: Path) -> None:
    window, profile = _open_profile(make_window, qtbot)
    _upload(profile, qtbot, tmp_path)
    account = window.context.services.account()
    cv_text = account.cv().text
    dossier = account.create_dossier(job_title="Senior Backend Engineer",
                                     company="Northwind Logistics",
                                     job_description=JOB_DESCRIPTION)
    profile.reload()
    qtbot.waitUntil(lambda: len(profile.dossiers) == 1, timeout=WAIT)

    dialog = profile.open_delete()
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    text = dialog.full_text()
    assert "permanently deletes your CV" in text and "“dana.docx”" in text
    assert "its summary" in text
    assert "1 existing dossier keep the copy of the CV they were built from" in text
    assert "support@trysmartinterview.com" in text
    assert dialog.delete_dossiers.isVisible() and not dialog.delete_dossiers.isChecked()

    with qtbot.waitSignal(dialog.deleted, timeout=WAIT):
        dialog.delete_button.click()
    assert account.cv() is None
    kept = account.dossier(dossier.id)
    assert kept.cv_snapshot == cv_text
    assert "1 dossier(s) keep their CV snapshot" in profile.message.text()
    assert profile.upload_button.text() == "Upload CV" and not profile.delete_button.isVisible()


def test_delete_cv_and_dossiers_together(make_window: Any, qtbot: Any, tmp_path: Path) -> None:
    window, profile = _open_profile(make_window, qtbot)
    _upload(profile, qtbot, tmp_path)
    account = window.context.services.account()
    for company in ("Northwind Logistics", "Contoso"):
        account.create_dossier(job_title="Backend Engineer", company=company,
                               job_description=JOB_DESCRIPTION)
    profile.reload()
    qtbot.waitUntil(lambda: len(profile.dossiers) == 2, timeout=WAIT)
    dialog = profile.open_delete()
    assert "Your 2 existing dossiers keep" in dialog.full_text()
    dialog.delete_dossiers.setChecked(True)
    assert dialog.delete_button.text() == "Delete CV and dossiers"
    with qtbot.waitSignal(dialog.deleted, timeout=WAIT):
        dialog.delete_button.click()
    assert account.cv() is None
    assert account.dossiers().items == []
    assert "2 dossier(s) deleted too" in profile.message.text()
