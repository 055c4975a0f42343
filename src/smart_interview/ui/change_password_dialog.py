"""Changing the server account's password: the current one, the new one twice. The server
signs out every other session; this one stays signed in. A refused password (wrong current
one, a common new one, too many attempts) keeps the dialog open with the reason."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QFormLayout, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from smart_interview.ui.context import UiContext
from smart_interview.ui.theme import button, label, set_role
from smart_interview.ui.workers import Job, JobControl, start_job


def _password_field(placeholder: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText(placeholder)
    return field


class ChangePasswordDialog(QDialog):
    changed = Signal()

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.job: Job | None = None
        self.setWindowTitle("Change your password")
        self.setMinimumWidth(480)
        column = QVBoxLayout(self)
        column.setContentsMargins(22, 18, 22, 18)
        column.addWidget(label("Change your password", role="h1"))
        column.addWidget(label("Every other device signed in to this account is signed out; "
                               "this one stays signed in.", role="muted", wrap=True))
        form = QFormLayout()
        self.current = _password_field("current password")
        self.new = _password_field("at least 8 characters, not a common one")
        self.repeat = _password_field("the new password again")
        form.addRow("Current", self.current)
        form.addRow("New", self.new)
        form.addRow("Repeat", self.repeat)
        column.addLayout(form)
        self.message = label("", role="hint", wrap=True)
        column.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = button("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        self.change_button = button("Change password", kind="primary")
        self.change_button.clicked.connect(self.confirm)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.change_button)
        column.addLayout(buttons)

    def confirm(self) -> Job | None:
        current, new = self.current.text(), self.new.text()
        if not current or len(new) < 8:
            self._show_error("Type your current password and a new one of at least 8 "
                             "characters.")
            return None
        if new != self.repeat.text():
            self._show_error("The two new passwords differ.")
            return None
        services = self.context.services

        def work(_control: JobControl) -> Any:
            services.account().change_password(current=current, new=new)

        self.change_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        self.message.setText("Changing your password…")
        set_role(self.message, "hint")
        self.job = start_job(work, name="change password", on_success=self._done,
                             on_error=self._failed)
        return self.job

    def _done(self, _result: Any) -> None:
        self.job = None
        for field in (self.current, self.new, self.repeat):
            field.clear()
        self.changed.emit()
        self.accept()

    def _failed(self, message: str) -> None:
        self.job = None
        self.change_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        self._show_error(message)

    def _show_error(self, message: str) -> None:
        self.message.setText(message)
        set_role(self.message, "error")
