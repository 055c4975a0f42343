"""Dossiers through the widgets against the embedded backend: create (typed and from a file),
list, view (Candidate Match, cover letter, CV snapshot), use for the interview, delete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QMessageBox

from tests.ui.documents import CV_LINES, JOB_DESCRIPTION, make_text

WAIT = 30_000


def _dossiers_page(make_window: Any, qtbot: Any, *, with_cv: bool = True) -> Any:
    window = make_window()
    window.show()
    account = window.context.services.account()
    if with_cv:
        preview = account.preview_cv_text("\n".join(CV_LINES))
        account.upload_cv(preview)
    window.show_page("dossiers")
    view = window.dossiers
    qtbot.waitUntil(lambda: view.list_job is None and view.new_button.isEnabled(),
                    timeout=WAIT)
    return window, view


def test_create_view_use_and_delete(make_window: Any, qtbot: Any) -> None:
    window, view = _dossiers_page(make_window, qtbot)
    assert view.list.count() == 0 and "No dossiers yet" in view.message.text()

    dialog = view.open_create()
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    dialog.create_button.click()
    assert "Fill in the job title, the company, the job description" in dialog.message.text()
    dialog.job_title.setText("Senior Backend Engineer")
    dialog.company.setText("Northwind Logistics")
    dialog.job_description.setPlainText(JOB_DESCRIPTION)
    with qtbot.waitSignal(dialog.created, timeout=WAIT):
        dialog.create_button.click()
    qtbot.waitUntil(lambda: view.list.count() == 1, timeout=WAIT)
    assert "Senior Backend Engineer" in view.list.item(0).text()

    detail = view.detail
    qtbot.waitUntil(lambda: detail.dossier is not None and detail.dossier.status == "ready",
                    timeout=60_000)
    dossier = detail.dossier
    assert detail.title.text() == "Senior Backend Engineer"
    assert "Northwind Logistics" in detail.subtitle.text()
    assert [detail.tabs.tabText(i) for i in range(detail.tabs.count())] == [
        "Candidate Match", "Cover letter", "Job description", "CV snapshot"]
    match_html = detail.match_view.toHtml()
    assert f">{dossier.match.score}<" in match_html and "/ 100 match" in match_html
    assert any(item.skill in detail.match_view.toPlainText() for item in dossier.match.matched)
    assert detail.letter_view.toPlainText() == (dossier.cover_letter or "No cover letter.")
    assert detail.jd_view.toPlainText() == JOB_DESCRIPTION
    assert detail.snapshot_view.toPlainText() == dossier.cv_snapshot
    assert detail.snapshot_view.toPlainText().startswith("Dana Whitfield")

    detail.use_button.click()
    assert window.context.settings.ui.selected_dossier_id == dossier.id
    assert window.current_page() == "interview"
    assert "Senior Backend Engineer at Northwind Logistics" in \
        window.interview.dossier_label.text()

    window.show_page("dossiers")
    qtbot.waitUntil(lambda: view.list_job is None and view.detail.dossier is not None,
                    timeout=WAIT)
    assert "★ next interview" in view.list.item(0).text()
    box = view.confirm_delete(dossier.id)
    qtbot.waitUntil(box.isVisible, timeout=WAIT)
    assert "CV snapshot" in box.text()
    delete = next(b for b in box.buttons()
                  if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole)
    delete.click()
    qtbot.waitUntil(lambda: view.list.count() == 0, timeout=WAIT)
    assert window.context.settings.ui.selected_dossier_id is None
    assert window.context.services.account().dossiers().items == []
    assert "No dossier selected" in window.interview.dossier_label.text()


def test_job_description_from_a_file(make_window: Any, qtbot: Any, tmp_path: Path) -> None:
    _window, view = _dossiers_page(make_window, qtbot)
    dialog = view.open_create()
    dialog.read_file(str(make_text(tmp_path / "job.txt", JOB_DESCRIPTION)))
    qtbot.waitUntil(lambda: dialog.job_description.toPlainText() != "", timeout=WAIT)
    assert "Northwind Logistics" in dialog.job_description.toPlainText()


def test_without_a_cv_the_error_says_what_to_do(make_window: Any, qtbot: Any) -> None:
    _window, view = _dossiers_page(make_window, qtbot, with_cv=False)
    dialog = view.open_create()
    dialog.job_title.setText("Engineer")
    dialog.company.setText("Contoso")
    dialog.job_description.setPlainText(JOB_DESCRIPTION)
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.message.property("role") == "error", timeout=WAIT)
    assert "Upload a CV first" in dialog.message.text()
    assert "Profile & CV" in dialog.message.text()
    assert dialog.isVisible() and dialog.create_button.isEnabled()
