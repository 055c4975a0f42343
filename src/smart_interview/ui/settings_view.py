"""Settings: audio devices, speech model and language, answers (model servers on this device,
provider, model, API key, what a cloud provider receives, whether answers start early),
account server, overlay, hotkeys, local history. Every change is saved at once."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QKeySequenceEdit,
    QLineEdit,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from smart_interview.app.errors import AppError
from smart_interview.app.settings import UiSettings
from smart_interview.ui.capture_exclusion import (
    NOT_CHECKED_NOTICE,
    CaptureExclusionFilter,
    decide,
)
from smart_interview.ui.context import UiContext
from smart_interview.ui.device_picker import DevicePicker
from smart_interview.ui.hotkeys import ACTIONS, conflicts
from smart_interview.ui.model_picker import ModelPicker
from smart_interview.ui.overlay_window import OverlayWindow
from smart_interview.ui.provider_picker import ProviderPicker
from smart_interview.ui.speculation_choice import SpeculationChoice
from smart_interview.ui.theme import button, card, label, scrolling_page, set_role

LANGUAGES = (("en", "English"), (None, "Detect automatically"), ("de", "German"),
             ("fr", "French"), ("es", "Spanish"), ("it", "Italian"), ("nl", "Dutch"),
             ("pt", "Portuguese"), ("pl", "Polish"), ("sv", "Swedish"))


def _section(title: str, body: QWidget, hint: str = "") -> QWidget:
    frame = card()
    column = QVBoxLayout(frame)
    column.setContentsMargins(16, 14, 16, 14)
    column.addWidget(label(title, role="h2"))
    if hint:
        column.addWidget(label(hint, role="hint", wrap=True))
    column.addWidget(body)
    return frame


class SettingsView(QWidget):
    rerun_setup = Signal()

    def __init__(self, context: UiContext) -> None:
        super().__init__()
        self.context = context
        self._watched_exclusion: CaptureExclusionFilter | None = None
        page = scrolling_page(self)
        header = QHBoxLayout()
        header.addWidget(label("Settings", role="h1"))
        header.addStretch(1)
        self.setup_button = button("Run setup again")
        self.setup_button.clicked.connect(self.rerun_setup)
        header.addWidget(self.setup_button)
        page.addLayout(header)

        audio = QWidget()
        audio_column = QVBoxLayout(audio)
        audio_column.setContentsMargins(0, 0, 0, 0)
        self.device_picker = DevicePicker(context)
        audio_column.addWidget(self.device_picker)
        self.monitor_button = button("Test devices")
        self.monitor_button.setCheckable(True)
        self.monitor_button.toggled.connect(self._monitor)
        audio_column.addWidget(self.monitor_button, 0, Qt.AlignmentFlag.AlignLeft)
        page.addWidget(_section("Audio", audio))

        speech = QWidget()
        speech_form = QFormLayout(speech)
        speech_form.setContentsMargins(0, 0, 0, 0)
        self.model_picker = ModelPicker(context)
        speech_form.addRow("Model", self.model_picker)
        self.language = QComboBox()
        for code, name in LANGUAGES:
            self.language.addItem(name, code)
        speech_form.addRow("Language", self.language)
        page.addWidget(_section("Speech recognition", speech,
                                "Runs on this device; no audio leaves it."))

        answers = QWidget()
        answers_column = QVBoxLayout(answers)
        answers_column.setContentsMargins(0, 0, 0, 0)
        self.provider_picker = ProviderPicker(context)
        answers_column.addWidget(self.provider_picker)
        self.speculation = SpeculationChoice(context)
        answers_column.addWidget(self.speculation)
        page.addWidget(_section("Answers", answers,
                                "Talking points and a model server on this device keep "
                                "answers on this device. A cloud provider receives only what "
                                "you choose below, after you have seen it."))

        server = QWidget()
        server_form = QFormLayout(server)
        server_form.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.server_url = QLineEdit()
        self.server_url.setPlaceholderText("Empty: local account on this device")
        self.apply_server_button = button("Apply")
        self.apply_server_button.clicked.connect(self.apply_server_url)
        row.addWidget(self.server_url, 1)
        row.addWidget(self.apply_server_button)
        server_form.addRow("Server URL", row)
        self.server_message = label("", role="hint", wrap=True)
        server_form.addRow("", self.server_message)
        page.addWidget(_section("Account server", server,
                                "Where your account, CV text and dossiers are kept. Leave it "
                                "empty to keep them in a local account on this device."))

        overlay = QWidget()
        overlay_form = QFormLayout(overlay)
        overlay_form.setContentsMargins(0, 0, 0, 0)
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(30, 100)
        overlay_form.addRow("Opacity", self.opacity)
        self.click_through = QCheckBox("Clicks pass through the overlay to the window below")
        overlay_form.addRow("", self.click_through)
        self.hide_from_capture = QCheckBox("Hide the overlay from screen sharing and recordings")
        overlay_form.addRow("", self.hide_from_capture)
        self.capture_notice = label("", role="hint", wrap=True)
        overlay_form.addRow("", self.capture_notice)
        page.addWidget(_section("Overlay", overlay))

        hotkeys = QWidget()
        hotkey_form = QFormLayout(hotkeys)
        hotkey_form.setContentsMargins(0, 0, 0, 0)
        self.hotkey_edits: dict[str, QKeySequenceEdit] = {}
        for action, title in ACTIONS.items():
            edit = QKeySequenceEdit()
            edit.setMaximumSequenceLength(1)
            edit.editingFinished.connect(self.save_hotkeys)
            hotkey_form.addRow(title, edit)
            self.hotkey_edits[action] = edit
        self.reset_hotkeys_button = button("Reset to defaults", kind="flat")
        self.reset_hotkeys_button.clicked.connect(self.reset_hotkeys)
        hotkey_form.addRow("", self.reset_hotkeys_button)
        self.hotkey_notice = label("", role="hint", wrap=True)
        hotkey_form.addRow("", self.hotkey_notice)
        page.addWidget(_section("Hotkeys", hotkeys))

        history = QWidget()
        history_form = QFormLayout(history)
        history_form.setContentsMargins(0, 0, 0, 0)
        self.history_enabled = QCheckBox("Keep a local history of my interviews on this device")
        history_form.addRow("", self.history_enabled)
        self.retention = QSpinBox()
        self.retention.setRange(1, 365)
        self.retention.setSuffix(" days")
        history_form.addRow("Keep for", self.retention)
        page.addWidget(_section("Privacy", history,
                                "Off by default. History never leaves this device."))
        page.addStretch(1)

        self.load()
        self.language.currentIndexChanged.connect(self._save_language)
        self.opacity.valueChanged.connect(self._save_overlay)
        self.click_through.toggled.connect(self._save_overlay)
        self.hide_from_capture.toggled.connect(self._save_overlay)
        self.history_enabled.toggled.connect(self._save_history)
        self.retention.valueChanged.connect(self._save_history)
        context.settings_changed.connect(self._settings_changed)

    # -- loading ---------------------------------------------------------------------------

    def load(self) -> None:
        settings = self.context.settings
        self.language.setCurrentIndex(max(self.language.findData(
            settings.transcription.language), 0))
        self.server_url.setText(settings.sync.server_url)
        ui = settings.ui
        self.opacity.setValue(round(ui.overlay_opacity * 100))
        self.click_through.setChecked(ui.overlay_click_through)
        self.hide_from_capture.setChecked(ui.hide_from_capture)
        self._show_capture_state()
        for action, edit in self.hotkey_edits.items():
            edit.setKeySequence(QKeySequence(ui.hotkeys.get(action, "")))
        self.history_enabled.setChecked(ui.history_enabled)
        self.retention.setValue(ui.history_retention_days)
        self.retention.setEnabled(ui.history_enabled)

    def activated(self) -> None:
        self.device_picker.reload_devices()
        self.model_picker.reload()
        if not self.provider_picker.local_servers.found:
            self.provider_picker.local_servers.search()

    def hideEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self.monitor_button.setChecked(False)
        super().hideEvent(event)

    def _settings_changed(self) -> None:
        ui = self.context.settings.ui
        for widget, value in ((self.opacity, round(ui.overlay_opacity * 100)),):
            if widget.value() != value:
                widget.blockSignals(True)
                widget.setValue(value)
                widget.blockSignals(False)
        if self.history_enabled.isChecked() != ui.history_enabled:
            self.history_enabled.blockSignals(True)
            self.history_enabled.setChecked(ui.history_enabled)
            self.retention.setEnabled(ui.history_enabled)
            self.history_enabled.blockSignals(False)
        if self.click_through.isChecked() != ui.overlay_click_through:
            self.click_through.blockSignals(True)
            self.click_through.setChecked(ui.overlay_click_through)
            self.click_through.blockSignals(False)

    # -- saving ----------------------------------------------------------------------------

    def _monitor(self, on: bool) -> None:
        if on:
            self.device_picker.start_monitoring()
        else:
            self.device_picker.stop_monitoring()
        self.monitor_button.setText("Stop testing" if on else "Test devices")

    def _save_language(self) -> None:
        self.context.settings.transcription.language = self.language.currentData()
        self.context.save_settings()

    def apply_server_url(self) -> None:
        url = self.server_url.text().strip()
        if url:
            try:
                url = self.context.services.checked_server_url(url)
            except AppError as exc:
                self.server_message.setText(str(exc))
                set_role(self.server_message, "error")
                return
        self.context.settings.sync.server_url = url
        self.context.save_settings()
        self.context.services.reset_account()
        self.server_message.setText(
            f"Using {url}. Sign in under Profile & CV." if url else
            "Using the local account on this device.")
        set_role(self.server_message, "ok")
        self.context.server_changed.emit()

    def _save_overlay(self) -> None:
        ui = self.context.settings.ui
        ui.overlay_opacity = self.opacity.value() / 100.0
        ui.overlay_click_through = self.click_through.isChecked()
        ui.hide_from_capture = self.hide_from_capture.isChecked()
        self.context.save_settings()  # the overlay applies it and reads back what holds
        self._show_capture_state()

    def _show_capture_state(self) -> None:
        """What the overlay's window read back, not what was asked for; before the overlay
        exists, what will be checked."""
        exclusion = next((w.exclusion for w in QApplication.topLevelWidgets()
                          if isinstance(w, OverlayWindow) and w.context is self.context), None)
        if exclusion is None:
            decision = decide(platform=self.context.services.platform,
                              enabled=self.context.settings.ui.hide_from_capture)
            self.capture_notice.setText(NOT_CHECKED_NOTICE if decision.supported
                                        and self.context.settings.ui.hide_from_capture
                                        else decision.notice)
            return
        if exclusion is not self._watched_exclusion:
            self._watched_exclusion = exclusion
            exclusion.notice_changed.connect(self.capture_notice.setText)
        self.capture_notice.setText(exclusion.notice)

    def save_hotkeys(self) -> None:
        mapping = {action: edit.keySequence().toString()
                   for action, edit in self.hotkey_edits.items()}
        problems = conflicts(mapping)
        if problems:
            self.hotkey_notice.setText(" ".join(problems) + " Not saved.")
            set_role(self.hotkey_notice, "error")
            return
        self.context.settings.ui.hotkeys = mapping
        self.context.save_settings()

    def reset_hotkeys(self) -> None:
        defaults = UiSettings().hotkeys
        for action, edit in self.hotkey_edits.items():
            edit.setKeySequence(QKeySequence(defaults.get(action, "")))
        self.save_hotkeys()

    def set_hotkey_notice(self, notice: str) -> None:
        self.hotkey_notice.setText(notice)
        set_role(self.hotkey_notice, "hint")

    def _save_history(self) -> None:
        ui = self.context.settings.ui
        ui.history_enabled = self.history_enabled.isChecked()
        ui.history_retention_days = self.retention.value()
        self.retention.setEnabled(ui.history_enabled)
        self.context.save_settings()
