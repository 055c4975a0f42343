"""Profile & CV: the account, the stored CV with its summary and status, upload / replace /
delete. While the summary is being written on the server, the page checks back every few
seconds."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QVBoxLayout, QWidget

from smart_interview.models.account import AccountStatus, CvDeletion
from smart_interview.ui.account_panel import AccountPanel
from smart_interview.ui.coalescing_reload import CoalescingReload
from smart_interview.ui.context import UiContext
from smart_interview.ui.cv_upload_dialog import CvUploadDialog
from smart_interview.ui.delete_cv_dialog import DeleteCvDialog
from smart_interview.ui.theme import button, card, label, scrolling_page, set_role
from smart_interview.ui.workers import Job, JobControl

_METHODS = {"ai:openai": "written by OpenAI", "ai:anthropic": "written by Anthropic",
            "extractive": "picked from your CV without AI"}


class ProfileView(QWidget):
    def __init__(self, context: UiContext) -> None:
        super().__init__()
        self.context = context
        self.cv: Any = None
        self.dossiers: list[Any] = []
        self._loader = CoalescingReload(self._load, name="load cv", on_success=self._loaded,
                                        on_error=self._failed)
        self.upload_dialog: CvUploadDialog | None = None
        self.delete_dialog: DeleteCvDialog | None = None
        page = scrolling_page(self)
        page.addWidget(label("Profile & CV", role="h1"))

        account_card = card()
        account_column = QVBoxLayout(account_card)
        account_column.setContentsMargins(16, 14, 16, 14)
        account_column.addWidget(label("Account", role="h2"))
        self.account_panel = AccountPanel(context)
        self.account_panel.status_loaded.connect(self._status_loaded)
        account_column.addWidget(self.account_panel)
        page.addWidget(account_card)

        cv_card = card()
        cv_column = QVBoxLayout(cv_card)
        cv_column.setContentsMargins(16, 14, 16, 14)
        header = QHBoxLayout()
        header.addWidget(label("Your CV", role="h2"))
        self.cv_badge = label("", role="badge")
        header.addWidget(self.cv_badge, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addStretch(1)
        self.upload_button = button("Upload CV", kind="primary")
        self.upload_button.clicked.connect(self.open_upload)
        self.delete_button = button("Delete CV", kind="danger")
        self.delete_button.clicked.connect(self.open_delete)
        header.addWidget(self.upload_button)
        header.addWidget(self.delete_button)
        cv_column.addLayout(header)
        self.cv_caption = label("", role="muted", wrap=True)
        cv_column.addWidget(self.cv_caption)
        cv_column.addWidget(label("Summary", role="h2"))
        self.summary_state = label("", role="hint", wrap=True)
        cv_column.addWidget(self.summary_state)
        self.summary_text = label("", wrap=True)
        cv_column.addWidget(self.summary_text)
        self.stored_toggle = button("Show the stored text", kind="flat")
        self.stored_toggle.clicked.connect(self._toggle_stored)
        cv_column.addWidget(self.stored_toggle, 0, Qt.AlignmentFlag.AlignLeft)
        self.stored_text = QPlainTextEdit()
        self.stored_text.setReadOnly(True)
        self.stored_text.setMinimumHeight(220)
        self.stored_text.hide()
        cv_column.addWidget(self.stored_text)
        self.message = label("", role="hint", wrap=True)
        cv_column.addWidget(self.message)
        page.addWidget(cv_card)
        page.addWidget(label(
            "Your CV text goes to an AI provider (OpenAI or Anthropic) only to write its summary "
            "and your dossiers. Interview audio, transcripts and answers never leave this "
            "device.", role="hint", wrap=True))
        page.addStretch(1)

        self._poll = QTimer(self)
        self._poll.setInterval(3000)
        self._poll.setSingleShot(True)
        self._poll.timeout.connect(self.reload)
        context.account_changed.connect(self._account_changed)
        self._show_cv()

    def activated(self) -> None:
        self.reload()

    def _account_changed(self) -> None:
        if self.isVisible():
            self.reload()

    def _status_loaded(self, status: AccountStatus) -> None:
        if status.signed_in:
            self.reload()
        else:
            self.cv = None
            self._show_cv(signed_in=False)

    # -- loading ---------------------------------------------------------------------------

    @property
    def job(self) -> Job | None:
        return self._loader.job

    def reload(self) -> Job:
        return self._loader()

    def _load(self, _control: JobControl) -> Any:
        account = self.context.services.account()
        if not account.client.signed_in:
            return None
        return account.cv(), account.dossiers().items

    def _loaded(self, result: Any) -> None:
        if result is None:
            self.cv = None
            self._show_cv(signed_in=False)
            return
        self.cv, self.dossiers = result
        self._show_cv()
        if self.cv is not None and not self.cv.summary.settled:
            self._poll.start()

    def _failed(self, message: str) -> None:
        self.message.setText(message)
        set_role(self.message, "error")

    # -- display ---------------------------------------------------------------------------

    def _show_cv(self, *, signed_in: bool = True) -> None:
        cv = self.cv
        self.delete_button.setVisible(cv is not None)
        self.upload_button.setText("Replace CV" if cv else "Upload CV")
        self.upload_button.setEnabled(signed_in)
        self.stored_toggle.setVisible(cv is not None)
        if cv is None:
            self.stored_text.hide()
            self.cv_badge.setText("no CV")
            set_role(self.cv_badge, "badge")
            self.cv_caption.setText(
                "Upload your CV so talking points and dossiers use your own experience."
                if signed_in else "Sign in (or use a local account) to store your CV.")
            self.summary_state.setText("")
            self.summary_text.setText("")
            return
        name = cv.file_name or "Pasted text"
        self.cv_badge.setText("stored")
        set_role(self.cv_badge, "badge-ok")
        self.cv_caption.setText(f"{name} · {cv.characters:,} characters · updated "
                                f"{_when(cv.updated_at)}")
        summary = cv.summary
        if summary.status == "ready":
            how = _METHODS.get(summary.method or "", summary.method or "")
            self.summary_state.setText(f"✓ Ready · {how}")
            set_role(self.summary_state, "ok")
            self.summary_text.setText(summary.text or "")
        elif summary.status == "failed":
            self.summary_state.setText(
                f"The summary could not be made: {summary.error or 'unknown error'}. Your CV is "
                "stored and still used for talking points; upload it again to retry.")
            set_role(self.summary_state, "error")
            self.summary_text.setText("")
        else:
            self.summary_state.setText("Writing your summary… this page updates by itself.")
            set_role(self.summary_state, "warn")
            self.summary_text.setText("")
        self.stored_text.setPlainText(cv.text)
        self.message.setText("")

    def _toggle_stored(self) -> None:
        visible = not self.stored_text.isVisible()
        self.stored_text.setVisible(visible)
        self.stored_toggle.setText("Hide the stored text" if visible else "Show the stored text")

    # -- dialogs ---------------------------------------------------------------------------

    def open_upload(self) -> CvUploadDialog:
        self.upload_dialog = CvUploadDialog(self.context, parent=self)
        self.upload_dialog.uploaded.connect(self._uploaded)
        self.upload_dialog.open()
        return self.upload_dialog

    def _uploaded(self, cv: Any) -> None:
        self.cv = cv
        self._show_cv()
        self.message.setText("✓ CV stored. Its summary is being written.")
        set_role(self.message, "ok")
        if not cv.summary.settled:
            self._poll.start()

    def open_delete(self) -> DeleteCvDialog | None:
        if self.cv is None:
            return None
        self.delete_dialog = DeleteCvDialog(self.context, cv=self.cv, dossiers=self.dossiers,
                                            parent=self)
        self.delete_dialog.deleted.connect(self._deleted)
        self.delete_dialog.open()
        return self.delete_dialog

    def _deleted(self, deletion: CvDeletion, removed: int) -> None:
        self.cv = None
        self._show_cv()
        kept = len(deletion.dossiers_keeping_snapshot) - removed
        note = "CV and summary deleted."
        if removed:
            note += f" {removed} dossier(s) deleted too."
        elif kept > 0:
            note += f" {kept} dossier(s) keep their CV snapshot."
        self.message.setText(note)
        set_role(self.message, "ok")


def _when(iso: str) -> str:
    return iso.replace("T", " ")[:16] if iso else "just now"
