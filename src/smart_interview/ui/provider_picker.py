"""Choosing who writes the answers: talking points only (nothing leaves the device), OpenAI,
Anthropic, or an OpenAI-compatible server such as Ollama. API keys go to the OS keyring and
are only ever shown masked."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLineEdit, QWidget

from smart_interview.app.providers import PROVIDERS, ProviderSpec
from smart_interview.ui.context import UiContext
from smart_interview.ui.theme import button, label, set_role

STYLES = (("bullets", "Bullet points"), ("spoken", "Spoken, first person"),
          ("star", "STAR (behavioural)"))


def mask(key: str) -> str:
    """"sk-abc…wxyz" style: never more than the last four characters."""
    if not key:
        return ""
    return "••••••••" + key[-4:] if len(key) > 8 else "••••••••"


class ProviderPicker(QWidget):
    changed = Signal()

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.provider = QComboBox()
        for spec in PROVIDERS.values():
            self.provider.addItem(spec.label, spec.id)
        form.addRow("Answers from", self.provider)
        self.model = QLineEdit()
        form.addRow("Model", self.model)
        self.base_url = QLineEdit()
        self.base_url.setPlaceholderText("http://127.0.0.1:11434/v1")
        form.addRow("Server URL", self.base_url)
        key_row = QHBoxLayout()
        self.api_key = QLineEdit()
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.save_key_button = button("Save key")
        self.save_key_button.clicked.connect(self.save_key)
        self.forget_key_button = button("Forget", kind="flat")
        self.forget_key_button.clicked.connect(self.forget_key)
        key_row.addWidget(self.api_key, 1)
        key_row.addWidget(self.save_key_button)
        key_row.addWidget(self.forget_key_button)
        self.key_row = QWidget()
        self.key_row.setLayout(key_row)
        key_row.setContentsMargins(0, 0, 0, 0)
        form.addRow("API key", self.key_row)
        self.style_combo = QComboBox()
        for value, text in STYLES:
            self.style_combo.addItem(text, value)
        form.addRow("Answer style", self.style_combo)
        self.status = label("", role="hint", wrap=True)
        form.addRow("", self.status)
        self._form = form
        self.load()
        self.provider.currentIndexChanged.connect(self._provider_changed)
        self.model.editingFinished.connect(self.save)
        self.base_url.editingFinished.connect(self.save)
        self.style_combo.currentIndexChanged.connect(self.save)

    @property
    def provider_name(self) -> str:
        return str(self.provider.currentData())

    @property
    def spec(self) -> ProviderSpec:
        return PROVIDERS[self.provider_name]

    def load(self) -> None:
        answers = self.context.settings.answers
        self.provider.setCurrentIndex(max(self.provider.findData(answers.provider), 0))
        spec = PROVIDERS.get(answers.provider)
        self.model.setText(answers.model or (spec.default_model if spec else ""))
        self.base_url.setText(answers.base_url)
        self.style_combo.setCurrentIndex(max(self.style_combo.findData(answers.style), 0))
        self._refresh()

    def _provider_changed(self) -> None:
        defaults = {spec.default_model for spec in PROVIDERS.values()}
        if self.model.text() in defaults | {""}:
            self.model.setText(self.spec.default_model)
        self.save()

    def save(self) -> None:
        answers = self.context.settings.answers
        answers.provider = self.provider_name
        answers.model = self.model.text().strip() if answers.provider != "none" else ""
        # a base URL belongs to an OpenAI-compatible server only: never left for another
        answers.base_url = self.base_url.text().strip() if self.spec.takes_base_url else ""
        if not self.spec.takes_base_url:
            self.base_url.clear()
        answers.style = str(self.style_combo.currentData())
        self.context.save_settings()
        self._refresh()
        self.changed.emit()

    def _refresh(self) -> None:
        name = self.provider_name
        spec = self.spec
        ai = spec.writes_answers
        for widget in (self.model, self.key_row, self.style_combo):
            widget.setEnabled(ai)
            self._form.setRowVisible(widget, ai)
        self._form.setRowVisible(self.base_url, spec.takes_base_url)
        if not ai:
            self.status.setText("You get talking points from your CV and the dossier for each "
                                "question. Nothing is sent to any AI provider.")
            set_role(self.status, "hint")
            return
        try:
            saved = self.context.services.api_key(name)
        except Exception as exc:  # keyring failures arrive as actionable SecretStoreError
            self.status.setText(str(exc))
            set_role(self.status, "error")
            return
        self.api_key.clear()
        self.api_key.setPlaceholderText(mask(saved) if saved else "Paste your API key")
        self.forget_key_button.setVisible(bool(saved))
        if saved or not spec.key_required:
            self.status.setText("The question and its context (CV, dossier) go to this provider "
                                "when a question is detected; the key stays in your system "
                                "keyring.")
            set_role(self.status, "hint")
        else:
            self.status.setText("Add an API key to get written answers; until then you get "
                                "talking points.")
            set_role(self.status, "warn")

    def save_key(self) -> None:
        key = self.api_key.text().strip()
        if not key:
            self.status.setText("Paste the key first, then press Save key.")
            set_role(self.status, "warn")
            return
        try:
            self.context.services.set_api_key(self.provider_name, key)
        except Exception as exc:
            self.status.setText(str(exc))
            set_role(self.status, "error")
            return
        self._refresh()
        self.status.setText(f"Key saved in the system keyring ({mask(key)}).")
        set_role(self.status, "ok")

    def forget_key(self) -> None:
        try:
            self.context.services.set_api_key(self.provider_name, None)
        except Exception as exc:
            self.status.setText(str(exc))
            set_role(self.status, "error")
            return
        self._refresh()
