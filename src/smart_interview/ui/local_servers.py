"""Model servers found on this device (Ollama, LM Studio, llama.cpp server), offered with
their models: picking one keeps the answers on this device."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QVBoxLayout, QWidget

from smart_interview.app.local_llm import DEFAULT_CANDIDATES, Candidate, LocalServer, discover
from smart_interview.ui.theme import button, label, set_role
from smart_interview.ui.workers import Job, start_job

if TYPE_CHECKING:
    from smart_interview.app.network.door import NetworkDoor


class LocalServersPanel(QWidget):
    use = Signal(object, str)
    """(LocalServer, model name) the user chose."""
    searched = Signal()

    def __init__(self, door: NetworkDoor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.door = door
        """The app's network door: each probe is logged on the Network page."""
        self.candidates: Sequence[Candidate] = DEFAULT_CANDIDATES
        self.found: list[LocalServer] = []
        self.job: Job | None = None
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.search_button = button("Look for model servers on this device", kind="flat")
        self.search_button.clicked.connect(self.search)
        top.addWidget(self.search_button)
        top.addStretch(1)
        column.addLayout(top)
        self.status = label("", role="hint", wrap=True)
        column.addWidget(self.status)
        self.rows = QVBoxLayout()
        column.addLayout(self.rows)
        self.use_buttons: list[tuple[LocalServer, QComboBox, QWidget]] = []

    def search(self) -> None:
        if self.job is not None:
            return
        self.status.setText("Looking for Ollama, LM Studio and llama.cpp on this device…")
        set_role(self.status, "hint")
        candidates, door = tuple(self.candidates), self.door
        self.job = start_job(lambda _control: discover(door=door, candidates=candidates),
                             name="local-llm", on_success=self._show, on_error=self._failed,
                             on_done=self._done)

    def _done(self) -> None:
        self.job = None

    def _failed(self, message: str) -> None:
        self.status.setText(message)
        set_role(self.status, "error")
        self.searched.emit()

    def _show(self, found: list[LocalServer]) -> None:
        self.found = list(found)
        while self.rows.count():
            item = self.rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.use_buttons = []
        if not found:
            self.status.setText("No model server found on this device. Ollama, LM Studio or a "
                                "llama.cpp server keep answers on this device; start one and "
                                "look again.")
        else:
            self.status.setText("Found on this device — answers stay on this device:")
        set_role(self.status, "hint")
        for server in found:
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            line.addWidget(label(server.describe(), wrap=True), 1)
            models = QComboBox()
            for model in server.models:
                models.addItem(model)
            models.setVisible(bool(server.models))
            line.addWidget(models)
            use = button("Use")
            use.setEnabled(bool(server.models))
            use.clicked.connect(lambda _=False, s=server, m=models: self.use.emit(
                s, m.currentText()))
            line.addWidget(use)
            self.rows.addWidget(row)
            self.use_buttons.append((server, models, use))
        self.searched.emit()
