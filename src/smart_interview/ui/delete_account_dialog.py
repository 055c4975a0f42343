"""Deleting the account, after the password is typed again (a server account) or a plain
confirmation (the local account, whose password is in the keyring). It says what goes: the
account, its CV and summary, every dossier with its CV snapshot, on the server and on this
device. A wrong password or a throttled attempt keeps the dialog open with the reason."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLineEdit, QWidget

from smart_interview.ui.action_dialog import ActionDialog
from smart_interview.ui.context import UiContext
from smart_interview.ui.theme import label
from smart_interview.ui.workers import Job, JobControl


class DeleteAccountDialog(ActionDialog):
    deleted = Signal()

    def __init__(self, context: UiContext, *, email: str | None, local_account: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(context, title="Delete your account?", action="Delete account",
                         action_kind="danger", cancel="Keep my account", parent=parent)
        self.local_account = local_account
        self.setMinimumWidth(520)
        column = self.column
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
        self.delete_button = self.action_button
        self.add_message_and_buttons(self.confirm)

    def confirm(self) -> Job | None:
        password = None if self.local_account else self.password.text()
        if password == "":
            self.show_error("Type your password to delete the account.")
            return None
        services = self.context.services

        def work(_control: JobControl) -> None:
            services.account().delete_account(password=password)

        return self.run(work, name="delete account", busy="Deleting your account…",
                        on_success=self._done)

    def _done(self, _result: object) -> None:
        self.password.clear()
        self.deleted.emit()
        self.context.account_changed.emit()
        self.context.dossiers_changed.emit()
        self.accept()

    def failed(self, message: str) -> None:
        self.password.clear()
        super().failed(message)
