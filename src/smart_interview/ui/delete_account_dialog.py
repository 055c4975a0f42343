"""Deleting the account, after the password is typed again (a server account) or a plain
confirmation (the local account, whose password is in the keyring). It says what goes: the
account, its CV and summary, every dossier with its CV snapshot, on the server and on this
device. A wrong password or a throttled attempt keeps the dialog open with the reason."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from smart_interview.ui.context import UiContext
from smart_interview.ui.theme import button, label, set_role
from smart_interview.ui.workers import Job, JobControl, start_job


class DeleteAccountDialog(QDialog):
    deleted = Signal()

    def __init__(self, context: UiContext, *, email: str | None, local_account: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.local_account = local_account
        self.job: Job | None = None
        self.setWindowTitle("Delete your account?")
        self.setMinimumWidth(520)
        column = QVBoxLayout(self)
        column.setContentsMargins(22, 18, 22, 18)
        column.setSpacing(10)
        column.addWidget(label("Delete your account?", role="h1"))
        who = "the local account on this device" if local_account else f"the account {email}"
        self.text = label(
            f"This permanently deletes {who}: its CV and summary, and every dossier with the "
            "CV copy it keeps, on the server and on this device. It cannot be undone.",
            wrap=True)
        column.addWidget(self.text)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("your password")
        self.password.returnPressed.connect(self.confirm)
        self.password.setVisible(not local_account)
        if not local_account:
            column.addWidget(label("Type your password to confirm:", role="muted"))
        column.addWidget(self.password)
        self.message = label("", role="hint", wrap=True)
        column.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = button("Keep my account")
        self.cancel_button.clicked.connect(self.reject)
        self.delete_button = button("Delete account", kind="danger")
        self.delete_button.clicked.connect(self.confirm)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.delete_button)
        column.addLayout(buttons)

    def confirm(self) -> Job | None:
        password = None if self.local_account else self.password.text()
        if password == "":
            self._show_error("Type your password to delete the account.")
            return None
        services = self.context.services

        def work(_control: JobControl) -> Any:
            services.account().delete_account(password=password)

        self.delete_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        self.message.setText("Deleting your account…")
        set_role(self.message, "hint")
        self.job = start_job(work, name="delete account", on_success=self._done,
                             on_error=self._failed)
        return self.job

    def _done(self, _result: Any) -> None:
        self.job = None
        self.password.clear()
        self.deleted.emit()
        self.context.account_changed.emit()
        self.context.dossiers_changed.emit()
        self.accept()

    def _failed(self, message: str) -> None:
        self.job = None
        self.delete_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        self.password.clear()
        self._show_error(message)

    def _show_error(self, message: str) -> None:
        self.message.setText(message)
        set_role(self.message, "error")
