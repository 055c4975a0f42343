"""History: the interviews saved on this device (when history is on): a list with date,
dossier, duration, number of questions and an "interrupted" mark; search across transcripts; a
read-only view of one interview; export to Markdown or JSON; delete one or all; the retention
period. With history off it says so, with a button to turn it on.

The saved interviews are `app.history`'s encrypted files, read through `AppServices`; they are
small local files, so the page reads them on the GUI thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QSpinBox,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from smart_interview.app.history import HistoryStore, InterviewSummary
from smart_interview.app.history.export import (
    format_duration,
    format_time,
    to_json,
    to_markdown,
    write_private,
)
from smart_interview.ui.context import UiContext
from smart_interview.ui.theme import button, card, label
from smart_interview.ui.workers import user_message

EXPORTERS = {"md": to_markdown, "json": to_json}


def summary_line(item: InterviewSummary) -> str:
    """Two lines: when and for which job; then how long, how many questions, its state."""
    details = [format_duration(item.duration_s),
               f"{item.question_count} question{'' if item.question_count == 1 else 's'}"]
    if item.in_progress:
        details.append("in progress")
    elif item.interrupted:
        details.append("interrupted")
    return (f"{format_time(item.started_at)} · {item.dossier_title or 'No dossier'}\n"
            + " · ".join(details))


class HistoryView(QWidget):
    def __init__(self, context: UiContext) -> None:
        super().__init__()
        self.context = context
        self.summaries: list[InterviewSummary] = []
        self.confirm_box: QMessageBox | None = None
        page = QVBoxLayout(self)
        page.setContentsMargins(24, 20, 24, 20)
        page.setSpacing(12)
        page.addWidget(label("History", role="h1"))
        self.message = label("", role="hint", wrap=True)
        page.addWidget(self.message)
        self.states = QStackedWidget()
        self.states.addWidget(self._off_state())
        self.states.addWidget(self._on_state())
        page.addWidget(self.states, 1)
        context.settings_changed.connect(self.reload)
        self.reload()

    # -- layout ----------------------------------------------------------------------------

    def _off_state(self) -> QWidget:
        box = card()
        column = QVBoxLayout(box)
        column.setContentsMargins(20, 18, 20, 18)
        column.addWidget(label("History is off", role="h2"))
        column.addWidget(label(
            "Interviews are not kept on this device. Turn history on to keep each interview's "
            "transcript, questions and answers here, encrypted with a key in your system "
            "keyring and recorded as it happens, so a crash loses nothing. Nothing is ever "
            "sent to Smart Interview servers.", wrap=True))
        self.turn_on_button = button("Keep history on this device", kind="primary")
        self.turn_on_button.clicked.connect(self.turn_on)
        column.addWidget(self.turn_on_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addStretch(1)
        return box

    def _on_state(self) -> QWidget:
        widget = QWidget()
        column = QVBoxLayout(widget)
        column.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("Search transcripts, questions and answers")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.returnPressed.connect(self.reload)
        self.search_box.textChanged.connect(lambda text: self.reload() if not text else None)
        bar.addWidget(self.search_box, 1)
        bar.addWidget(label("Keep for", role="muted"))
        self.retention = QSpinBox()
        self.retention.setRange(0, 3650)
        self.retention.setSuffix(" days")
        self.retention.setSpecialValueText("ever")
        self.retention.editingFinished.connect(self._save_retention)
        bar.addWidget(self.retention)
        self.delete_all_button = button("Delete all", kind="danger")
        self.delete_all_button.clicked.connect(self.confirm_delete_all)
        bar.addWidget(self.delete_all_button)
        column.addLayout(bar)
        body = QHBoxLayout()
        self.list = QListWidget()
        self.list.setMinimumWidth(300)
        self.list.setMaximumWidth(420)
        self.list.setWordWrap(True)  # a long dossier title wraps instead of hiding the state
        self.list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.currentItemChanged.connect(lambda *_: self.open_selected())
        body.addWidget(self.list)
        detail = card()
        detail_column = QVBoxLayout(detail)
        detail_column.setContentsMargins(16, 14, 16, 14)
        self.viewer = QTextBrowser()
        self.viewer.setReadOnly(True)
        self.viewer.setOpenExternalLinks(False)
        detail_column.addWidget(self.viewer, 1)
        actions = QHBoxLayout()
        self.export_md_button = button("Export Markdown…")
        self.export_md_button.clicked.connect(lambda: self.choose_export("md"))
        self.export_json_button = button("Export JSON…")
        self.export_json_button.clicked.connect(lambda: self.choose_export("json"))
        self.delete_button = button("Delete", kind="danger")
        self.delete_button.clicked.connect(self.confirm_delete)
        for widget_ in (self.export_md_button, self.export_json_button):
            actions.addWidget(widget_)
        actions.addStretch(1)
        actions.addWidget(self.delete_button)
        detail_column.addLayout(actions)
        body.addWidget(detail, 1)
        column.addLayout(body, 1)
        return widget

    # -- state -----------------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        return bool(self.context.settings.ui.history_enabled)

    def activated(self) -> None:
        self.reload()

    def turn_on(self) -> None:
        self.context.settings.ui.history_enabled = True
        self.context.save_settings()  # settings_changed reloads the page

    def _save_retention(self) -> None:
        if self.retention.value() != self.context.settings.ui.history_retention_days:
            self.context.settings.ui.history_retention_days = self.retention.value()
            self.context.save_settings()

    def _store(self) -> HistoryStore | None:
        try:
            return self.context.services.history_store()
        except Exception as exc:  # keyring or disk: say what to do, keep the page usable
            self.message.setText(user_message(exc))
            return None

    def reload(self) -> None:
        """Lists the saved interviews (those matching the search, when there is one)."""
        self.retention.setValue(self.context.settings.ui.history_retention_days)
        store = self._store() if self.enabled or self._has_files() else None
        self.states.setCurrentIndex(1 if self.enabled or store is not None else 0)
        if store is None:
            self.summaries = []
            self._fill()
            return
        needle = self.search_box.text().strip()
        try:
            if needle:
                self.summaries = [hit.interview for hit in store.search(needle)]
            else:
                self.summaries = store.summaries()
        except Exception as exc:
            self.message.setText(user_message(exc))
            self.summaries = []
        else:
            self.message.setText(self._caption(needle))
        self._fill()

    def _has_files(self) -> bool:
        """Interviews kept before history was turned off stay listed until deleted."""
        from smart_interview.app.history.store import history_dir

        folder = history_dir(self.context.paths.data_dir)
        return folder.is_dir() and any(folder.iterdir())

    def _caption(self, needle: str) -> str:
        count = len(self.summaries)
        if needle:
            return f"{count} interview{'' if count == 1 else 's'} mention {needle!r}."
        if not self.enabled:
            return "History is off: these interviews were kept before it was turned off."
        return (f"{count} interview{'' if count == 1 else 's'} kept on this device, encrypted."
                if count else "No interviews kept yet. The next one will appear here.")

    def _fill(self) -> None:
        self.list.clear()
        for summary in self.summaries:
            item = QListWidgetItem(summary_line(summary))
            item.setData(Qt.ItemDataRole.UserRole, summary.id)
            self.list.addItem(item)
        if self.summaries:
            self.list.setCurrentRow(0)
        else:
            self.viewer.clear()
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = self.selected_id() is not None
        for widget in (self.export_md_button, self.export_json_button, self.delete_button):
            widget.setEnabled(chosen)
        self.delete_all_button.setEnabled(bool(self.summaries))

    def select(self, interview_id: str) -> bool:
        """Shows that interview (clearing the search); False when it is not listed."""
        if self.search_box.text():
            self.search_box.clear()  # reloads the whole list
        for row, summary in enumerate(self.summaries):
            if summary.id == interview_id:
                self.list.setCurrentRow(row)
                return True
        return False

    def selected_id(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    # -- one interview ---------------------------------------------------------------------

    def open_selected(self) -> None:
        """Shows the selected interview, read-only."""
        self._update_buttons()
        interview_id, store = self.selected_id(), None
        if interview_id is not None:
            store = self._store()
        if store is None or interview_id is None:
            self.viewer.clear()
            return
        in_progress = any(s.id == interview_id and s.in_progress for s in self.summaries)
        try:
            self.viewer.setMarkdown(to_markdown(store.load(interview_id),
                                                in_progress=in_progress))
        except Exception as exc:
            self.viewer.setPlainText(user_message(exc))

    def choose_export(self, kind: str) -> None:
        interview_id = self.selected_id()
        if interview_id is None:
            return
        suffix = {"md": "Markdown (*.md)", "json": "JSON (*.json)"}[kind]
        name, _ = QFileDialog.getSaveFileName(
            self, "Export interview", str(Path.home() / f"interview-{interview_id}.{kind}"),
            suffix)
        if name:
            self.export_to(Path(name), kind)

    def export_to(self, path: Path, kind: str) -> bool:
        """Writes the selected interview to `path` (readable by this user only)."""
        interview_id, store = self.selected_id(), self._store()
        if interview_id is None or store is None:
            return False
        try:
            write_private(path, EXPORTERS[kind](store.load(interview_id)))
        except Exception as exc:
            self.message.setText(f"Could not export to {path}: {user_message(exc)}")
            return False
        self.message.setText(f"Exported to {path}.")
        return True

    def confirm_delete(self) -> QMessageBox | None:
        interview_id = self.selected_id()
        if interview_id is None:
            return None
        return self._confirm("Delete this interview?",
                             "Its transcript, questions and answers are removed from this "
                             "device. This cannot be undone.", lambda: self.delete(interview_id))

    def confirm_delete_all(self) -> QMessageBox:
        return self._confirm("Delete all interviews?",
                             "Every saved interview and the key that encrypts them are removed "
                             "from this device. This cannot be undone.", self.delete_all)

    def _confirm(self, title: str, text: str, action: object) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text,
                          QMessageBox.StandardButton.Cancel, self)
        delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        box.buttonClicked.connect(
            lambda clicked: action() if clicked is delete and callable(action) else None)
        self.confirm_box = box
        box.open()
        return box

    def delete(self, interview_id: str) -> None:
        store = self._store()
        if store is None:
            return
        try:
            store.delete(interview_id)
        except Exception as exc:
            self.message.setText(user_message(exc))
            return
        self.reload()

    def delete_all(self) -> None:
        store = self._store()
        if store is None:
            return
        try:
            count = store.delete_all()
        except Exception as exc:
            self.message.setText(user_message(exc))
            return
        self.reload()
        self.message.setText(f"Deleted {count} interview{'' if count == 1 else 's'}.")
