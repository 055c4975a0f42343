"""Choosing the Whisper model: tiny.en is ready at once; base is prepared on this device with a
progress bar and a Cancel button (on the thread pool, never on the GUI thread)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QProgressBar, QVBoxLayout, QWidget

from smart_interview.ui.context import UiContext
from smart_interview.ui.theme import button, label, set_role
from smart_interview.ui.workers import Job, JobControl, start_job

_DESCRIPTIONS = {
    "tiny.en": "English only · fastest · about 75 MB",
    "base": "Many languages · more accurate · about 145 MB",
}


def _describe(info: Any) -> str:
    size = f"{info.size_bytes / 1e6:.0f} MB" if info.size_bytes else ""
    base = _DESCRIPTIONS.get(info.name) or " · ".join(p for p in (info.languages, size) if p)
    return f"{info.name} — {base}"


class ModelPicker(QWidget):
    model_chosen = Signal(str)
    """A ready model was chosen (and saved in the settings)."""

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.job: Job | None = None
        self._infos: dict[str, Any] = {}
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.combo = QComboBox()
        self.combo.currentIndexChanged.connect(self._selection_changed)
        column.addWidget(self.combo)
        self.status = label("", role="hint", wrap=True)
        column.addWidget(self.status)
        row = QHBoxLayout()
        self.prepare_button = button("Prepare", kind="primary")
        self.prepare_button.clicked.connect(self.prepare_selected)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.cancel_button = button("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        row.addWidget(self.prepare_button)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        column.addLayout(row)
        self.reload()

    @property
    def selected_name(self) -> str:
        return str(self.combo.currentData() or "")

    def reload(self) -> None:
        registry = self.context.services.model_registry()
        infos = registry.list()
        current = self.context.settings.transcription.model
        if current not in {i.name for i in infos}:
            infos.append(registry.info(current))
        self._infos = {info.name: info for info in infos}
        self.combo.blockSignals(True)
        self.combo.clear()
        for info in infos:
            mark = "✓ " if info.ready else "○ "
            self.combo.addItem(mark + _describe(info), info.name)
        index = self.combo.findData(current)
        self.combo.setCurrentIndex(max(index, 0))
        self.combo.blockSignals(False)
        self._selection_changed()

    def _selection_changed(self) -> None:
        info = self._infos.get(self.selected_name)
        busy = self.job is not None
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if info is None:
            return
        if info.ready:
            self.prepare_button.setVisible(False)
            self.status.setText(f"Ready on this device ({info.source}).")
            set_role(self.status, "ok")
            self._choose(info.name)
        else:
            preparable = "packages installed" in info.source or info.name == "base"
            self.prepare_button.setVisible(not busy and "packages installed" in info.source)
            self.prepare_button.setText(f"Prepare {info.name}")
            self.status.setText(
                f"Not ready yet: {info.how_to_get}." if info.how_to_get else "Not ready yet.")
            set_role(self.status, "warn" if preparable else "error")

    def _choose(self, name: str) -> None:
        if self.context.settings.transcription.model != name:
            self.context.settings.transcription.model = name
            self.context.save_settings()
        self.model_chosen.emit(name)

    def prepare_selected(self) -> Job | None:
        name = self.selected_name
        if not name or self.job is not None:
            return None
        registry = self.context.services.model_registry()

        def work(control: JobControl) -> str:
            registry.prepare(name, progress=control.progress, cancelled=control.cancelled)
            return name

        self.progress.setValue(0)
        self.job = start_job(
            work, name=f"prepare {name}",
            on_progress=self._progress, on_success=self._prepared,
            on_error=self._failed, on_cancelled=self._cancelled, on_done=self._job_done)
        self._selection_changed()
        self.prepare_button.setVisible(False)
        self.status.setText(f"Preparing {name} on this device (once; about a minute on a slow "
                            "disk). You can cancel and keep using tiny.en.")
        set_role(self.status, "hint")
        return self.job

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.status.setText("Cancelling…")

    def _progress(self, done: int, total: int) -> None:
        self.progress.setValue(int(done * 100 / total) if total else 0)

    def _prepared(self, name: str) -> None:
        self.job = None
        self.reload()
        index = self.combo.findData(name)
        if index >= 0:
            self.combo.setCurrentIndex(index)

    def _failed(self, message: str) -> None:
        self.job = None
        self._selection_changed()
        self.status.setText(message)
        set_role(self.status, "error")

    def _cancelled(self) -> None:
        self.job = None
        self._selection_changed()
        self.status.setText("Cancelled. Nothing was left half-written; prepare it again any "
                            "time.")
        set_role(self.status, "warn")

    def _job_done(self) -> None:
        self.job = None
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
