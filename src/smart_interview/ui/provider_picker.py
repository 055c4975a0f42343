"""Choosing who writes the answers: talking points only (nothing leaves the device), a model
server on this device (found automatically), OpenAI, Anthropic, or another OpenAI-compatible
server. API keys go to the OS keyring and are only ever shown masked.

Before a cloud provider first receives anything, and whenever the share choice would send it
more than the user agreed to, the picker shows `CloudConsentDialog` with an example request
built from the user's own documents; declining puts back what was saved before."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLineEdit, QWidget

from smart_interview.app import answer_sharing, answer_wiring
from smart_interview.app.errors import AppError
from smart_interview.app.local_llm import LocalServer
from smart_interview.app.providers import PROVIDERS, ProviderSpec
from smart_interview.ui.cloud_consent_dialog import CloudConsentDialog
from smart_interview.ui.context import UiContext
from smart_interview.ui.local_servers import LocalServersPanel
from smart_interview.ui.share_choice import ShareChoice
from smart_interview.ui.theme import button, label, set_role
from smart_interview.ui.workers import start_job

STYLES = (("bullets", "Bullet points"), ("spoken", "Spoken, first person"),
          ("star", "STAR (behavioural)"))


def mask(key: str) -> str:
    """"sk-abc…wxyz" style: never more than the last four characters."""
    if not key:
        return ""
    return "••••••••" + key[-4:] if len(key) > 8 else "••••••••"


@dataclass(frozen=True)
class _Pending:
    where: answer_sharing.Destination
    share: str


class ProviderPicker(QWidget):
    changed = Signal()
    consent_asked = Signal(object)
    """The consent dialog is open (the dialog)."""

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.consent_dialog: CloudConsentDialog | None = None
        self._pending: _Pending | None = None
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.local_servers = LocalServersPanel(context.services.door)
        self.local_servers.use.connect(self.use_local_server)
        form.addRow("On this device", self.local_servers)
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
        self.share = ShareChoice()
        form.addRow("What a cloud\nprovider receives", self.share)
        self.status = label("", role="hint", wrap=True)
        form.addRow("", self.status)
        self._form = form
        self.load()
        self.provider.currentIndexChanged.connect(self._provider_changed)
        self.model.editingFinished.connect(self.save)
        self.base_url.editingFinished.connect(self.save)
        self.style_combo.currentIndexChanged.connect(self.save)
        self.share.chosen.connect(lambda _choice: self.save())
        context.settings_changed.connect(self._settings_changed)

    @property
    def provider_name(self) -> str:
        return str(self.provider.currentData())

    @property
    def spec(self) -> ProviderSpec:
        return PROVIDERS[self.provider_name]

    def load(self) -> None:
        answers = self.context.settings.answers
        for widget in (self.provider, self.style_combo):
            widget.blockSignals(True)
        self.provider.setCurrentIndex(max(self.provider.findData(answers.provider), 0))
        spec = PROVIDERS.get(answers.provider)
        self.model.setText(answers.model or (spec.default_model if spec else ""))
        self.base_url.setText(answers.base_url)
        self.style_combo.setCurrentIndex(max(self.style_combo.findData(answers.style), 0))
        self.share.set_choice(answers.share)
        for widget in (self.provider, self.style_combo):
            widget.blockSignals(False)
        self._refresh()

    def _settings_changed(self) -> None:
        """Another screen (the other picker, the first-run setup) saved: show it."""
        if self.consent_dialog is not None or self._pending is not None:
            return
        answers = self.context.settings.answers
        shown = (self.provider_name, self.base_url.text().strip(),
                 str(self.style_combo.currentData()), self.share.choice)
        if shown != (answers.provider, answers.base_url, answers.style, answers.share):
            self.load()  # not on every unrelated save: load() reads the keyring

    def _provider_changed(self) -> None:
        defaults = {spec.default_model for spec in PROVIDERS.values()}
        if self.model.text() in defaults | {""}:
            self.model.setText(self.spec.default_model)
        self.save()

    def use_local_server(self, server: LocalServer, model: str) -> None:
        """A server found on this device: answers from it, nothing to agree to."""
        self.provider.blockSignals(True)
        self.provider.setCurrentIndex(self.provider.findData("openai_compatible"))
        self.provider.blockSignals(False)
        self.base_url.setText(server.base_url)
        self.model.setText(model)
        self.save()

    # -- saving, after consent when a cloud provider would receive more -------------------

    def save(self) -> None:
        if self.consent_dialog is not None:
            return  # the open dialog decides
        where = self._destination()
        share = self.share.choice
        if where is not None and not answer_sharing.has_consent(self.context.settings, where,
                                                                share):
            self._ask_consent(_Pending(where, share))
            return
        self._apply()

    def _destination(self) -> answer_sharing.Destination | None:
        base_url = self.base_url.text().strip() if self.spec.takes_base_url else ""
        try:
            return answer_wiring.destination(self.provider_name, base_url)
        except AppError:
            return None  # nothing can be sent there; the interview says why

    def _apply(self) -> None:
        answers = self.context.settings.answers
        answers.provider = self.provider_name
        answers.model = self.model.text().strip() if answers.provider != "none" else ""
        # a base URL belongs to an OpenAI-compatible server only: never left for another
        answers.base_url = self.base_url.text().strip() if self.spec.takes_base_url else ""
        if not self.spec.takes_base_url:
            self.base_url.clear()
        answers.style = str(self.style_combo.currentData())
        answers.share = self.share.choice
        self.context.save_settings()
        self._refresh()
        self.changed.emit()

    def _ask_consent(self, pending: _Pending) -> None:
        self._pending = pending
        self.status.setText(f"Preparing what {pending.where.label} would receive…")
        set_role(self.status, "hint")
        settings = self.context.settings
        services = self.context.services
        style = str(self.style_combo.currentData())

        def build(_control: Any) -> answer_sharing.SendPreview:
            stored = services.interview_context(settings)
            return answer_wiring.send_preview(pending.where, share=pending.share, style=style,
                                              dossier=stored.dossier, cv_text=stored.cv_text,
                                              cv_summary=stored.cv_summary)

        start_job(build, name="send-preview", on_success=self._show_consent,
                  on_error=self._preview_failed)

    def _preview_failed(self, message: str) -> None:
        self._pending = None
        self.load()
        self.status.setText(message)
        set_role(self.status, "error")

    def _show_consent(self, preview: answer_sharing.SendPreview) -> None:
        dialog = CloudConsentDialog(preview, self)
        self.consent_dialog = dialog
        dialog.finished.connect(self._consent_given)
        dialog.open()
        self.consent_asked.emit(dialog)

    def _consent_given(self, result: int) -> None:
        pending, self._pending = self._pending, None
        dialog, self.consent_dialog = self.consent_dialog, None
        if dialog is not None:
            dialog.deleteLater()
        if pending is None:
            return
        if result == CloudConsentDialog.DialogCode.Accepted.value:
            answer_sharing.record_consent(self.context.settings, pending.where, pending.share)
            self._apply()
            return
        self.load()  # declined: what was saved before stays
        self.status.setText(f"Nothing will be sent to {pending.where.label}; the previous "
                            "choice is kept.")
        set_role(self.status, "warn")

    # -- status and keys --------------------------------------------------------------------

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
        where = self._destination()
        if where is not None and where.on_device:
            self.status.setText("Answers stay on this device: the question and its context "
                                f"(transcript, CV, dossier) go only to the server at "
                                f"{where.host}.")
            set_role(self.status, "ok")
        elif saved or not spec.key_required:
            share = self.context.settings.answers.share
            what = answer_sharing.SHARE_DESCRIPTIONS.get(share, ("the question", ""))[0]
            self.status.setText(f"Sent to {where.host if where else spec.label} for each "
                                f"question: {what.lower()}. The key stays in your system "
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
