"""The History page on a real store (encrypted files on a temp home, the test keyring): off
state, list, search, open, export, delete one and all, retention."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QMessageBox

from smart_interview.app.history.store import history_dir
from smart_interview.app.settings import Settings
from smart_interview.models.answers import AnswerDone, QuestionDetected
from smart_interview.models.transcript import Segment, Speaker


def record(services: Any, *, title: str, question: str, answer: str,
           finished: bool = True) -> str:
    recorder = services.history_store().recorder(dossier_title=title)
    recorder.on_event(Segment(Speaker.INTERVIEWER, question, 1.0, 3.0, final=True))
    recorder.on_event(QuestionDetected(emitted_at=3.1, id="q1", text=question,
                                       kind="technical"))
    recorder.on_event(Segment(Speaker.CANDIDATE, "Let me think about that.", 4.0, 5.0,
                              final=True))
    recorder.on_event(AnswerDone(emitted_at=4.0, question_id="q1", text=answer))
    if finished:
        recorder.close()
    else:  # the app died: the file has no end record, the OS dropped its lock
        os.close(recorder._fd)
        recorder._fd = None
        recorder._recording.release()
    return str(recorder.interview_id)


def confirm(box: QMessageBox | None) -> None:
    assert box is not None and box.isVisible()
    [delete] = [b for b in box.buttons() if b.text() == "Delete"]
    delete.click()


def test_the_history_page_lists_searches_opens_exports_and_deletes(
        make_window: Any, qtbot: Any, tmp_path: Path) -> None:
    window = make_window()
    page = window.history
    context = window.context
    window.show_page("history")
    assert page.states.currentIndex() == 0  # off: the page says so and offers to turn it on
    page.turn_on_button.click()
    assert context.settings.ui.history_enabled
    assert Settings.load(context.paths.settings_file).ui.history_enabled
    assert page.states.currentIndex() == 1 and page.list.count() == 0

    services = context.services
    first = record(services, title="Platform Engineer at Contoso",
                   question="How would you run Kubernetes upgrades?",
                   answer="Blue-green node pools.")
    second = record(services, title="Data Engineer at Initech",
                    question="Why do you want to work here?", answer="The data.",
                    finished=False)
    page.reload()
    assert page.list.count() == 2
    lines = {page.list.item(i).text() for i in range(2)}
    assert any("Platform Engineer at Contoso" in line and "1 question" in line
               and "interrupted" not in line for line in lines)
    assert any("Data Engineer at Initech" in line and line.endswith("interrupted")
               for line in lines)

    page.search_box.setText("kubernetes")
    page.search_box.returnPressed.emit()
    assert page.list.count() == 1 and page.selected_id() == first
    assert "Blue-green node pools." in page.viewer.toPlainText()
    assert "How would you run Kubernetes upgrades?" in page.viewer.toPlainText()

    markdown, exported = tmp_path / "out.md", tmp_path / "out.json"
    assert page.export_to(markdown, "md") and page.export_to(exported, "json")
    assert "Blue-green node pools." in markdown.read_text(encoding="utf-8")
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert data["id"] == first and data["questions"][0]["answer"] == "Blue-green node pools."
    assert oct(exported.stat().st_mode & 0o777) == "0o600"

    page.search_box.clear()
    assert page.list.count() == 2
    page.list.setCurrentRow([page.list.item(i).data(256) for i in range(2)].index(second))
    assert "interrupted" in page.viewer.toPlainText()
    confirm(page.confirm_delete())
    assert page.list.count() == 1 and page.selected_id() == first
    folder = history_dir(context.paths.data_dir)
    assert sorted(p.name for p in folder.iterdir()) == [f"{first}.interview"]

    cancelled = page.confirm_delete_all()
    cancelled.button(QMessageBox.StandardButton.Cancel).click()
    assert page.list.count() == 1
    confirm(page.confirm_delete_all())
    assert page.list.count() == 0 and list(folder.iterdir()) == []
    assert services.history_keys().load() is None  # the key went with them


def test_an_interview_being_recorded_is_in_progress_not_interrupted(
        make_window: Any, qtbot: Any) -> None:
    window = make_window()
    page = window.history
    window.context.settings.ui.history_enabled = True
    window.context.save_settings()
    recorder = window.context.services.history_store().recorder(
        dossier_title="A very long dossier title: Senior Staff Platform Reliability Engineer "
                      "at Contoso Interplanetary Freight")
    recorder.on_event(Segment(Speaker.INTERVIEWER, "Why Rust?", 1.0, 2.0, final=True))
    window.show()
    window.show_page("history")
    assert page.list.count() == 1, page.message.text()
    line = page.list.item(0).text()
    assert line.endswith("in progress") and "interrupted" not in line, line
    assert page.select(recorder.interview_id)
    assert "in progress (being recorded now)" in page.viewer.toPlainText()
    assert page.list.horizontalScrollBar().maximum() == 0  # nothing hidden sideways
    recorder.close()
    page.reload()
    done = page.list.item(0).text()
    assert "in progress" not in done and "interrupted" not in done, done


def test_the_retention_period_is_shown_and_saved(make_window: Any) -> None:
    window = make_window()
    context = window.context
    context.settings.ui.history_enabled = True
    context.save_settings()
    page = window.history
    assert page.retention.value() == context.settings.ui.history_retention_days
    page.retention.setValue(7)
    page.retention.editingFinished.emit()
    assert Settings.load(context.paths.settings_file).ui.history_retention_days == 7
