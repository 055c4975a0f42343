"""A dialog that does one thing when its action button is pressed: a title, the content the
subclass adds, a message line, and Cancel + action buttons. While the work runs in the
background the action button (and, unless told otherwise, Cancel) is disabled and the message
says what is happening; a failure re-enables them and shows the reason, with the dialog and
everything typed in it kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QDialog, QHBoxLayout, QVBoxLayout, QWidget

from smart_interview.ui.context import UiContext
from smart_interview.ui.theme import button, label, set_role
from smart_interview.ui.workers import Job, JobControl, start_job


class ActionDialog(QDialog):
    def __init__(self, context: UiContext, *, title: str, action: str, action_kind: str,
                 cancel: str = "Cancel", cancel_while_busy: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.job: Job | None = None
        self._cancel_while_busy = cancel_while_busy
        self.setWindowTitle(title)
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(22, 18, 22, 18)
        self.column.setSpacing(10)
        self.column.addWidget(label(title, role="h1"))
        self.message = label("", role="hint", wrap=True)
        self.cancel_button = button(cancel)
        self.cancel_button.clicked.connect(self.reject)
        self.action_button = button(action, kind=action_kind)

    def add_message_and_buttons(self, on_action: Callable[[], object]) -> None:
        """Call once the content is laid out: the message line and the button row go last."""
        self.column.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.action_button.clicked.connect(on_action)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.action_button)
        self.column.addLayout(buttons)

    def run(self, work: Callable[[JobControl], Any], *, name: str, busy: str,
            on_success: Callable[[Any], None]) -> Job:
        """Runs `work` off the GUI thread; `on_success(result)` on the GUI thread after."""

        def succeeded(result: Any) -> None:
            self.job = None
            on_success(result)

        self.action_button.setEnabled(False)
        self.cancel_button.setEnabled(self._cancel_while_busy)
        self.show_hint(busy)
        self.job = start_job(work, name=name, on_success=succeeded, on_error=self.failed)
        return self.job

    def failed(self, message: str) -> None:
        self.job = None
        self.action_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        self.show_error(message)

    def show_hint(self, message: str) -> None:
        self.message.setText(message)
        set_role(self.message, "hint")

    def show_error(self, message: str) -> None:
        self.message.setText(message)
        set_role(self.message, "error")
