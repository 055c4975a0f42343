"""Creating an Interview Dossier: job title, company and the job description (pasted or read
from a file). The server copies the current CV into it and writes the match and cover letter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from smart_interview.models.account import Dossier
from smart_interview.ui.action_dialog import ActionDialog
from smart_interview.ui.context import UiContext
from smart_interview.ui.theme import button, label
from smart_interview.ui.workers import Job, JobControl, start_job

JD_FILTER = "Job descriptions (*.txt *.md *.pdf *.docx);;All files (*)"


class DossierCreateDialog(ActionDialog):
    created = Signal(Dossier)
    """The new `Dossier` (status "pending" at first)."""

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(context, title="New interview dossier", action="Create dossier",
                         action_kind="primary", cancel_while_busy=True, parent=parent)
        self.resize(680, 620)
        column = self.column
        column.addWidget(label(
            "A dossier matches your CV to one job: a Candidate Match with evidence, a cover "
            "letter, and the context for answers during that interview.", role="muted",
            wrap=True))
        form = QFormLayout()
        self.job_title = QLineEdit()
        self.job_title.setPlaceholderText("e.g. Senior Backend Engineer")
        self.job_title.setMaxLength(200)
        self.company = QLineEdit()
        self.company.setPlaceholderText("e.g. Acme Corp")
        self.company.setMaxLength(200)
        form.addRow("Job title", self.job_title)
        form.addRow("Company", self.company)
        column.addLayout(form)
        jd_header = QHBoxLayout()
        jd_header.addWidget(label("Job description", role="h2"))
        jd_header.addStretch(1)
        self.from_file_button = button("From a file…", kind="flat")
        self.from_file_button.clicked.connect(self.choose_file)
        jd_header.addWidget(self.from_file_button)
        column.addLayout(jd_header)
        self.job_description = QPlainTextEdit()
        self.job_description.setPlaceholderText("Paste the job description here…")
        column.addWidget(self.job_description, 1)
        self.create_button = self.action_button
        self.add_message_and_buttons(self.create_dossier)

    def choose_file(self) -> None:
        dialog = QFileDialog(self, "Choose the job description", str(Path.home()), JD_FILTER)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.read_file)
        dialog.open()

    def read_file(self, path: str) -> Job:
        file_path = Path(path)
        services = self.context.services
        self.show_hint(f"Reading {file_path.name}…")
        self.job = start_job(lambda _c: services.document_text(file_path), name="read jd",
                             on_success=self._file_read, on_error=self.failed)
        return self.job

    def _file_read(self, text: str) -> None:
        self.job = None
        self.job_description.setPlainText(text)
        self.message.setText("")

    def create_dossier(self) -> Job | None:
        title = self.job_title.text().strip()
        company = self.company.text().strip()
        description = self.job_description.toPlainText().strip()
        missing = [name for name, value in (("the job title", title), ("the company", company),
                                            ("the job description", description)) if not value]
        if missing:
            self.show_error("Fill in " + ", ".join(missing) + ".")
            return None
        if len(description) > 50_000:
            self.show_error(f"The job description is {len(description):,} characters; keep it "
                         "under 50,000 (the role and requirements are enough).")
            return None
        services = self.context.services

        def work(_control: JobControl) -> Any:
            return services.account().create_dossier(
                job_title=title, company=company, job_description=description)

        return self.run(work, name="create dossier", busy="Creating…",
                        on_success=self._created)

    def _created(self, dossier: Dossier) -> None:
        self.created.emit(dossier)
        self.context.dossiers_changed.emit()
        self.accept()

    def failed(self, message: str) -> None:
        if "upload a cv" in message.lower():
            message += " Go to Profile & CV to upload it, then create the dossier again."
        super().failed(message)
