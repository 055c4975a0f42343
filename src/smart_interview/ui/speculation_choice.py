"""Whether the answer is asked for while the interviewer pauses (`answers.speculate`): the
choice, what it costs, and what "Automatic" means with the provider chosen now."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QWidget

from smart_interview.app import answer_wiring
from smart_interview.app.errors import AppError
from smart_interview.ui.context import UiContext
from smart_interview.ui.theme import label

CHOICES = (("auto", "Automatic"), ("on", "On"), ("off", "Off"))
EXPLANATION = ("Starts writing the answer while the interviewer pauses, before the question is "
               "final, so it appears sooner. When the finished question turns out different, "
               "the answer is asked for again: now and then one extra request to the model, "
               "which a paid cloud provider charges for. Automatic: on for a model server on "
               "this device, off for cloud providers.")


class SpeculationChoice(QWidget):
    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.combo = QComboBox()
        self.combo.setObjectName("speculate")
        for value, title in CHOICES:
            self.combo.addItem(title, value)
        form.addRow("Answer early", self.combo)
        form.addRow("", label(EXPLANATION, role="hint", wrap=True))
        self.status = label("", role="hint", wrap=True)
        form.addRow("", self.status)
        self.load()
        self.combo.currentIndexChanged.connect(self._save)
        context.settings_changed.connect(self.load)

    @property
    def choice(self) -> str:
        return str(self.combo.currentData())

    def load(self) -> None:
        wanted = self.context.settings.answers.speculate
        index = self.combo.findData(wanted)
        if index < 0:
            index = self.combo.findData("auto")
        if self.combo.currentIndex() != index:
            self.combo.blockSignals(True)
            self.combo.setCurrentIndex(index)
            self.combo.blockSignals(False)
        self.status.setText(self._status())

    def _save(self) -> None:
        answers = self.context.settings.answers
        if answers.speculate != self.choice:
            answers.speculate = self.choice
            self.context.save_settings()  # tells `load` through settings_changed
        self.status.setText(self._status())

    def _status(self) -> str:
        answers = self.context.settings.answers
        try:
            where = answer_wiring.destination(answers.provider, answers.base_url)
        except AppError:
            where = None
        if where is None:
            return "Now: talking points only, so no answer is asked for early."
        if self.choice == "on":
            return (f"Now on for {where.label}." if where.on_device else
                    f"Now on for {where.label}: some questions cost one extra request.")
        if self.choice == "off":
            return "Now off: the answer is asked for once the question is final."
        if where.on_device:
            return "Automatic, now on: the model server is on this device."
        return (f"Automatic, now off: {where.label} is a cloud provider. Choose On to get "
                "answers sooner there.")
