"""Uploading the CV: choose a file (or drop it, or paste the text) → preview exactly the text
that will be stored → confirm. Reading the file and the upload run on the thread pool."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QPlainTextEdit,
    QProgressBar,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from smart_interview.models.account import Cv
from smart_interview.ui.context import UiContext
from smart_interview.ui.theme import button, label, set_role
from smart_interview.ui.workers import Job, JobControl, start_job

FILE_FILTER = "CV files (*.pdf *.docx *.txt *.md);;All files (*)"


class _DropArea(QFrame):
    dropped = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.setAcceptDrops(True)
        self.setProperty("card", True)
        self.setMinimumHeight(170)
        column = QVBoxLayout(self)
        column.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = label("Drop your CV here", role="h2")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint = label("PDF, Word (.docx) or text. It is read on this device first; you see the "
                     "text before anything is uploaded.", role="hint", wrap=True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.choose_button = button("Choose a file…", kind="primary")
        column.addWidget(title)
        column.addWidget(hint)
        column.addWidget(self.choose_button, 0, Qt.AlignmentFlag.AlignCenter)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = [u for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.dropped.emit(urls[0].toLocalFile())
            event.acceptProposedAction()


class CvUploadDialog(QDialog):
    uploaded = Signal(Cv)
    """The stored `Cv`."""

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.preview: Any = None
        self.job: Job | None = None
        self.setWindowTitle("Upload your CV")
        self.resize(720, 620)
        column = QVBoxLayout(self)
        column.setContentsMargins(20, 18, 20, 18)
        self.stack = QStackedWidget()
        column.addWidget(self.stack, 1)

        # step 1: source
        source = QWidget()
        source_column = QVBoxLayout(source)
        source_column.addWidget(label("Upload your CV", role="h1"))
        source_column.addWidget(label(
            "One CV per account: a new upload replaces the old one. It is kept until you delete "
            "it, and is sent to an AI provider only to make your CV summary and dossiers.",
            role="muted", wrap=True))
        self.tabs = QTabWidget()
        self.drop_area = _DropArea()
        self.drop_area.choose_button.clicked.connect(self.choose_file)
        self.drop_area.dropped.connect(self.read_file)
        self.tabs.addTab(self.drop_area, "From a file")
        paste = QWidget()
        paste_column = QVBoxLayout(paste)
        self.paste_edit = QPlainTextEdit()
        self.paste_edit.setPlaceholderText("Paste the text of your CV here…")
        paste_column.addWidget(self.paste_edit, 1)
        self.paste_button = button("Preview pasted text", kind="primary")
        self.paste_button.clicked.connect(self.preview_pasted)
        paste_column.addWidget(self.paste_button, 0, Qt.AlignmentFlag.AlignRight)
        self.tabs.addTab(paste, "Paste text")
        source_column.addWidget(self.tabs, 1)
        self.source_message = label("", role="error", wrap=True)
        source_column.addWidget(self.source_message)
        self.stack.addWidget(source)

        # step 2: preview
        preview = QWidget()
        preview_column = QVBoxLayout(preview)
        preview_column.addWidget(label("Check the text", role="h1"))
        self.preview_caption = label("", role="muted", wrap=True)
        preview_column.addWidget(self.preview_caption)
        self.preview_text = QPlainTextEdit()
        self.preview_text.setReadOnly(True)
        preview_column.addWidget(self.preview_text, 1)
        self.preview_message = label("", role="hint", wrap=True)
        preview_column.addWidget(self.preview_message)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.hide()
        preview_column.addWidget(self.progress)
        self.stack.addWidget(preview)

        buttons = QHBoxLayout()
        self.back_button = button("Back")
        self.back_button.clicked.connect(self.back)
        self.cancel_button = button("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.confirm_button = button("Confirm and upload", kind="primary")
        self.confirm_button.clicked.connect(self.confirm)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.confirm_button)
        column.addLayout(buttons)
        self._show_step(0)

    # -- steps -----------------------------------------------------------------------------

    def _show_step(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        self.back_button.setVisible(index == 1)
        self.confirm_button.setVisible(index == 1)

    def back(self) -> None:
        self.preview = None
        self._show_step(0)

    def choose_file(self) -> None:
        dialog = QFileDialog(self, "Choose your CV", str(Path.home()), FILE_FILTER)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.read_file)
        dialog.open()

    def read_file(self, path: str) -> Job:
        file_path = Path(path)
        services = self.context.services

        def work(_control: JobControl) -> Any:
            return services.preview_cv_file(file_path)

        self.source_message.setText(f"Reading {file_path.name}…")
        set_role(self.source_message, "hint")
        return self._start(work, on_success=self._show_preview, on_error=self._source_failed)

    def preview_pasted(self) -> Job | None:
        text = self.paste_edit.toPlainText()
        if not text.strip():
            self._source_failed("Paste the text of your CV first.")
            return None
        services = self.context.services
        return self._start(lambda _c: services.preview_cv_text(text),
                           on_success=self._show_preview, on_error=self._source_failed)

    def _show_preview(self, preview: Any) -> None:
        self.preview = preview
        self.source_message.setText("")
        self.preview_text.setPlainText(preview.text)
        source = f"from {preview.file_name}" if preview.file_name else "pasted"
        self.preview_caption.setText(
            f"This is exactly the text that will be stored ({preview.characters:,} characters, "
            f"{source}). Nothing has been uploaded yet.")
        self.preview_message.setText("Uploading replaces any CV you stored before.")
        set_role(self.preview_message, "hint")
        self._show_step(1)

    def _source_failed(self, message: str) -> None:
        self.source_message.setText(message)
        set_role(self.source_message, "error")

    def confirm(self) -> Job | None:
        if self.preview is None:
            return None
        preview = self.preview
        services = self.context.services
        self.progress.show()
        self.confirm_button.setEnabled(False)
        self.back_button.setEnabled(False)
        self.preview_message.setText("Uploading…")
        return self._start(lambda _c: services.account().upload_cv(preview),
                           on_success=self._uploaded, on_error=self._upload_failed)

    def _uploaded(self, cv: Cv) -> None:
        self.progress.hide()
        self.uploaded.emit(cv)
        self.context.account_changed.emit()
        self.accept()

    def _upload_failed(self, message: str) -> None:
        self.progress.hide()
        self.confirm_button.setEnabled(True)
        self.back_button.setEnabled(True)
        self.preview_message.setText(f"{message} Your text is still here; press Confirm to try "
                                     "again.")
        set_role(self.preview_message, "error")

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
        self.reject()

    def _start(self, work: Any, *, on_success: Any, on_error: Any) -> Job:
        def finished() -> None:
            self.job = None

        self.job = start_job(work, name="cv", on_success=on_success, on_error=on_error,
                             on_done=finished)
        return self.job
