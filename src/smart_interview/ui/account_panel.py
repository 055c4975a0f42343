"""Account state and sign-in: a local account on this device (the default, no e-mail needed)
or an account on a Smart Interview server. Signed in: sign out (here or everywhere), change the
server account's password, delete the account. All calls run on the thread pool."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from smart_interview.models.account import AccountStatus
from smart_interview.ui.change_password_dialog import ChangePasswordDialog
from smart_interview.ui.context import UiContext
from smart_interview.ui.delete_account_dialog import DeleteAccountDialog
from smart_interview.ui.theme import button, label, set_role
from smart_interview.ui.workers import Job, JobControl, start_job


class AccountPanel(QWidget):
    status_loaded = Signal(AccountStatus)
    """An `AccountStatus` after every refresh / sign-in / sign-out."""

    def __init__(self, context: UiContext, parent: QWidget | None = None, *,
                 offer_delete: bool = True) -> None:
        """`offer_delete`: show "Delete account…" once signed in (not in the first-run
        wizard, where it would sit beside "Use a local account")."""
        super().__init__(parent)
        self.context = context
        self._offer_delete = offer_delete
        self.job: Job | None = None
        self.last_status: AccountStatus | None = None
        self.dialog: DeleteAccountDialog | ChangePasswordDialog | None = None
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.state = label("Checking your account…", role="muted", wrap=True)
        column.addWidget(self.state)

        buttons = QHBoxLayout()
        self.local_button = button("Use a local account on this device", kind="primary")
        self.local_button.clicked.connect(self.use_local_account)
        self.sign_out_button = button("Sign out")
        self.sign_out_button.clicked.connect(self.sign_out)
        self.sign_out_everywhere_button = button("Sign out everywhere")
        self.sign_out_everywhere_button.setToolTip("Sign out every session of this account, on "
                                                   "every device")
        self.sign_out_everywhere_button.clicked.connect(lambda: self.sign_out(everywhere=True))
        self.change_password_button = button("Change password…")
        self.change_password_button.clicked.connect(self.change_password)
        self.delete_button = button("Delete account…", kind="danger")
        self.delete_button.clicked.connect(self.delete_account)
        buttons.addWidget(self.local_button)
        for signed_in_only in self._account_buttons:
            buttons.addWidget(signed_in_only)
            signed_in_only.setVisible(False)
        buttons.addStretch(1)
        column.addLayout(buttons)

        self.server_box = QWidget()
        form = QFormLayout(self.server_box)
        form.setContentsMargins(0, 8, 0, 0)
        self.server_hint = label("", role="hint", wrap=True)
        form.addRow(self.server_hint)
        self.email = QLineEdit()
        self.email.setPlaceholderText("you@example.com")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("at least 8 characters")
        form.addRow("E-mail", self.email)
        form.addRow("Password", self.password)
        row = QHBoxLayout()
        self.sign_in_button = button("Sign in", kind="primary")
        self.sign_in_button.clicked.connect(lambda: self.sign_in(create=False))
        self.sign_up_button = button("Create account")
        self.sign_up_button.clicked.connect(lambda: self.sign_in(create=True))
        row.addWidget(self.sign_in_button)
        row.addWidget(self.sign_up_button)
        row.addStretch(1)
        form.addRow(row)
        column.addWidget(self.server_box)
        self.message = label("", role="hint", wrap=True)
        column.addWidget(self.message)
        context.settings_changed.connect(self._layout_for_server)
        context.server_changed.connect(self.refresh)
        self._layout_for_server()
        self.refresh()

    @property
    def _account_buttons(self) -> tuple[Any, ...]:
        return (self.sign_out_button, self.sign_out_everywhere_button,
                self.change_password_button, self.delete_button)

    @property
    def uses_server(self) -> bool:
        return bool(self.context.settings.sync.server_url.strip())

    def _layout_for_server(self) -> None:
        url = self.context.settings.sync.server_url.strip()
        signed_in = self.last_status is not None and bool(self.last_status.signed_in)
        self.local_button.setVisible(not url and not signed_in)
        self.server_box.setVisible(bool(url) and not signed_in)
        self.server_hint.setText(f"Server: {url}" if url else "")

    # -- actions ---------------------------------------------------------------------------

    def refresh(self) -> Job:
        return self._run(lambda service: service.status(), busy="Checking your account…")

    def use_local_account(self) -> Job:
        def work(service: Any) -> Any:
            service.ensure_local_account()
            return service.status()

        return self._run(work, busy="Setting up your local account…")

    def sign_in(self, *, create: bool) -> Job | None:
        email, password = self.email.text().strip(), self.password.text()
        if "@" not in email or len(password) < 8:
            self.message.setText("Enter your e-mail address and a password of at least 8 "
                                 "characters.")
            set_role(self.message, "warn")
            return None

        def work(service: Any) -> Any:
            if create:
                service.sign_up(email=email, password=password)
            else:
                service.sign_in(email=email, password=password)
            return service.status()

        return self._run(work, busy="Creating your account…" if create else "Signing in…")

    def sign_out(self, *, everywhere: bool = False) -> Job:
        def work(service: Any) -> Any:
            result = service.sign_out(everywhere=everywhere)
            status = service.status()
            return status if result.revoked_on_server else (status, result.reason)

        return self._run(work, busy="Signing out everywhere…" if everywhere else "Signing out…")

    def delete_account(self) -> DeleteAccountDialog:
        status = self.last_status
        dialog = DeleteAccountDialog(self.context, email=getattr(status, "email", None),
                                     local_account=bool(getattr(status, "local_account", False)),
                                     parent=self)
        dialog.deleted.connect(self.refresh)
        self.dialog = dialog
        dialog.open()
        return dialog

    def change_password(self) -> ChangePasswordDialog:
        dialog = ChangePasswordDialog(self.context, parent=self)
        dialog.changed.connect(lambda: self._note("Password changed. Every other session of "
                                                  "the account was signed out; this device "
                                                  "stays signed in."))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _note(self, text: str) -> None:
        self.message.setText(text)
        set_role(self.message, "ok")

    def _run(self, action: Any, *, busy: str) -> Job:
        services = self.context.services

        def work(_control: JobControl) -> Any:
            return action(services.account())

        self.message.setText(busy)
        set_role(self.message, "hint")
        self._set_busy(True)
        self.job = start_job(work, name="account", on_success=self._loaded,
                             on_error=self._failed, on_done=lambda: self._set_busy(False))
        return self.job

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.local_button, self.sign_in_button, self.sign_up_button,
                       *self._account_buttons):
            widget.setEnabled(not busy)
        if not busy:
            self.job = None

    # -- results ---------------------------------------------------------------------------

    def _loaded(self, result: AccountStatus | tuple[AccountStatus, str]) -> None:
        note = ""
        if isinstance(result, tuple):
            result, reason = result
            note = f"Signed out on this device; the server could not be told ({reason})."
        self.last_status = result
        self.password.clear()
        self.message.setText(note)
        set_role(self.message, "warn" if note else "hint")
        self._show(result)
        self.context.services.remember_status(result)
        self.status_loaded.emit(result)
        self.context.account_changed.emit()

    def _show(self, status: AccountStatus) -> None:
        signed_in = bool(status.signed_in)
        server_account = signed_in and not status.local_account
        for widget in (self.sign_out_button, self.sign_out_everywhere_button,
                       self.change_password_button):
            widget.setVisible(server_account)
        self.delete_button.setVisible(signed_in and self._offer_delete)
        self.local_button.setVisible(not signed_in and not self.uses_server)
        self.server_box.setVisible(self.uses_server and not signed_in)
        if not signed_in:
            self.state.setText("Not signed in. Your CV and dossiers need an account: a local "
                               "one keeps everything on this device.")
            set_role(self.state, "warn")
            return
        who = "Local account on this device" if status.local_account else \
            f"Signed in as {status.email}"
        where = "" if status.local_account else f" · {status.server_url}"
        online = "" if status.online else " · offline (showing the copy on this device)"
        self.state.setText(f"✓ {who}{where}{online}")
        set_role(self.state, "ok" if status.online else "warn")
        if status.problem:
            self.message.setText(status.problem)
            set_role(self.message, "warn")

    def _failed(self, message: str) -> None:
        if self.last_status is None or not self.last_status.signed_in:
            self.state.setText("Your account is not available yet. Interviews still work; "
                               "your CV and dossiers need the account.")
            set_role(self.state, "warn")
            for widget in self._account_buttons:
                widget.setVisible(False)
        self.message.setText(message)
        set_role(self.message, "error")
