"""What a cloud provider receives for each question: three choices, each with one line that
says what it sends. A model server on this device always gets the whole context."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QRadioButton, QVBoxLayout, QWidget

from smart_interview.app.answer_sharing import SHARE_DESCRIPTIONS
from smart_interview.ui.theme import label


class ShareChoice(QWidget):
    chosen = Signal(str)
    """The user picked another choice (not emitted by `set_choice`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for choice, (title, line) in SHARE_DESCRIPTIONS.items():
            radio = QRadioButton(title)
            radio.setObjectName(f"share-{choice}")
            self.group.addButton(radio)
            self.buttons[choice] = radio
            column.addWidget(radio)
            column.addWidget(label(line, role="hint", wrap=True))
        self.group.buttonClicked.connect(self._clicked)

    @property
    def choice(self) -> str:
        return next((c for c, b in self.buttons.items() if b.isChecked()), "question")

    def set_choice(self, choice: str) -> None:
        self.buttons.get(choice, self.buttons["question"]).setChecked(True)

    def _clicked(self, _button: QRadioButton) -> None:
        self.chosen.emit(self.choice)
