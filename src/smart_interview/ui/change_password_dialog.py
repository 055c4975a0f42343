"""Changing the server account's password: the current one, the new one twice. The server
signs out every other session; this one stays signed in. A refused password (wrong current
one, a common new one, too many attempts) keeps the dialog open with the reason."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLineEdit, QWidget

from smart_interview.ui.action_dialog import ActionDialog
from smart_interview.ui.context import UiContext
from smart_interview.ui.theme import label
from smart_interview.ui.workers import Job, JobControl


def _password_field(placeholder: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText(placeholder)
    return field


class ChangePasswordDialog(ActionDialog):
    changed = Signal()

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(context, title="Change your password", action="Change password",
                         action_kind="primary", parent=parent)
        self.setMinimumWidth(480)
        self.column.addWidget(label("Every other device signed in to this account is signed "
                                    "out; this one stays signed in.", role="muted", wrap=True))
        form = QFormLayout()
        self.current = _password_field("current password")
        self.new = _password_field("at least 8 characters, not a common one")
        self.repeat = _password_field("the new password again")
        form.addRow("Current", self.current)
        form.addRow("New", self.new)
        form.addRow("Repeat", self.repeat)
        self.column.addLayout(form)
        self.change_button = self.action_button
        self.add_message_and_buttons(self.confirm)

    def confirm(self) -> Job | None:
        current, new = self.current.text(), self.new.text()
        if not current or len(new) < 8:
            self.show_error("Type your current password and a new one of at least 8 "
                            "characters.")
            return None
        if new != self.repeat.text():
            self.show_error("The two new passwords differ.")
            return None
        services = self.context.services

        def work(_control: JobControl) -> None:
            services.account().change_password(current=current, new=new)

        return self.run(work, name="change password", busy="Changing your password…",
                        on_success=self._done)

    def _done(self, _result: object) -> None:
        for field in (self.current, self.new, self.repeat):
            field.clear()
        self.changed.emit()
        self.accept()
