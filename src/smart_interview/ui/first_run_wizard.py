"""First run: audio devices (with level meters and a test sound), the speech model, where
answers come from (model servers on this device are looked for and offered first), whether to
keep an interview history, the account and the CV (a step that can be skipped). Every step can
be changed later in Settings or under Profile & CV."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QVBoxLayout, QWidget, QWizard, QWizardPage

from smart_interview.ui.account_panel import AccountPanel
from smart_interview.ui.context import UiContext
from smart_interview.ui.cv_upload_dialog import CvUploadDialog
from smart_interview.ui.device_picker import DevicePicker
from smart_interview.ui.model_picker import ModelPicker
from smart_interview.ui.provider_picker import ProviderPicker
from smart_interview.ui.theme import button, label, set_role


def _heading(column: QVBoxLayout, title: str, subtitle: str) -> None:
    """Page headings drawn by the page itself: QWizard's header clips large fonts."""
    column.addWidget(label(title, role="h1"))
    if subtitle:
        column.addWidget(label(subtitle, role="muted", wrap=True))
    column.addSpacing(10)


def _page(title: str, subtitle: str, body: QWidget | None = None) -> QWizardPage:
    page = QWizardPage()
    column = QVBoxLayout(page)
    _heading(column, title, subtitle)
    if body is not None:
        column.addWidget(body)
    column.addStretch(1)
    return page


class _AudioPage(QWizardPage):
    def __init__(self, picker: DevicePicker) -> None:
        super().__init__()
        self.picker = picker
        column = QVBoxLayout(self)
        _heading(column, "Your audio", "Smart Interview listens to two things: your "
                 "microphone, and the system audio your call app plays (the interviewer).")
        column.addWidget(picker)
        column.addStretch(1)

    def initializePage(self) -> None:
        self.picker.reload_devices()
        self.picker.start_monitoring()

    def cleanupPage(self) -> None:
        self.picker.stop_monitoring()


class _CvPage(QWizardPage):
    """Upload the CV now (talking points are drawn from it), or press Next to skip."""

    def __init__(self, context: UiContext) -> None:
        super().__init__()
        self.context = context
        self.dialog: CvUploadDialog | None = None
        column = QVBoxLayout(self)
        _heading(column, "Your CV", "Talking points come from your CV: the evidence for each "
                 "answer, picked on this device. Upload it now, or press Next to skip and add "
                 "it later under Profile & CV.")
        row = QHBoxLayout()
        self.upload_button = button("Upload your CV…", kind="primary")
        self.upload_button.clicked.connect(self.open_upload)
        row.addWidget(self.upload_button)
        row.addStretch(1)
        column.addLayout(row)
        self.status = label("No CV yet. Questions are still found without one.", role="hint",
                            wrap=True)
        column.addWidget(self.status)
        column.addStretch(1)

    def open_upload(self) -> CvUploadDialog:
        self.dialog = CvUploadDialog(self.context, parent=self)
        self.dialog.uploaded.connect(self._uploaded)
        self.dialog.open()
        return self.dialog

    def _uploaded(self, _cv: Any) -> None:
        self.status.setText("✓ CV stored: talking points will use it.")
        set_role(self.status, "ok")
        self.upload_button.setText("Upload another CV…")


class FirstRunWizard(QWizard):
    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Set up Smart Interview")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.resize(760, 600)

        welcome = QWidget()
        text = QVBoxLayout(welcome)
        for line in (
            "In a few steps you will pick your audio devices, the speech model and where "
            "suggested answers come from.",
            "During an interview, everything you and the interviewer say is transcribed on this "
            "device. Audio, transcripts and answers are never sent to our servers.",
            "Only your account, your CV text and your interview dossiers are synced.",
        ):
            text.addWidget(label(line, wrap=True))
        self.device_picker = DevicePicker(context)
        self.model_picker = ModelPicker(context)
        self.provider_picker = ProviderPicker(context)
        self.account_panel = AccountPanel(context, offer_delete=False)
        done = QWidget()
        done_text = QVBoxLayout(done)
        done_text.addWidget(label(
            "Open the Interview page and press Start when your call begins. Questions appear "
            "highlighted with talking points beside them; the overlay (Ctrl+Alt+O) keeps them "
            "on top of your call.", wrap=True))
        done_text.addWidget(label(
            "Tip: create a dossier for the job under Dossiers, so the talking points also "
            "draw on what the job asks for.", role="muted", wrap=True))

        self.welcome_page = _page("Welcome to Smart Interview",
                                  "Your private interview assistant.", welcome)
        self.audio_page = _AudioPage(self.device_picker)
        self.model_page = _page(
            "Speech model", "Runs on this device. tiny.en is ready now; base understands more "
            "languages and is prepared once.", self.model_picker)
        self.answers_page = _page(
            "Suggested answers", "Talking points need nothing else. A model server on this "
            "device (Ollama, LM Studio, llama.cpp) writes answers that stay on this device; a "
            "cloud provider needs its key and your consent to what each question sends.",
            self.provider_picker)
        history = QWidget()
        history_column = QVBoxLayout(history)
        history_column.setContentsMargins(0, 0, 0, 0)
        self.keep_history = QCheckBox("Keep a local history of my interviews on this device")
        self.keep_history.setChecked(context.settings.ui.history_enabled)
        self.keep_history.toggled.connect(self._save_history)
        history_column.addWidget(self.keep_history)
        history_column.addWidget(label("You can change this, and how long history is kept, in "
                                       "Settings → Privacy.", role="hint", wrap=True))
        self.history_page = _page(
            "Interview history", "Smart Interview can keep the transcripts, questions and "
            "answers of your interviews on this device, encrypted, so you can read them "
            "again. It never leaves this device. Off unless you turn it on.", history)
        self.account_page = _page(
            "Your account", "It keeps your CV and dossiers. Use a local account on this device, "
            "or sign in to a Smart Interview server.", self.account_panel)
        self.cv_page = _CvPage(context)
        self.done_page = _page("You're ready", "", done)
        for page in (self.welcome_page, self.audio_page, self.model_page, self.answers_page,
                     self.history_page, self.account_page, self.cv_page, self.done_page):
            self.addPage(page)
        self.finished.connect(self._finished)
        self.currentIdChanged.connect(self._page_changed)

    def _page_changed(self, _page_id: int) -> None:
        # Capture runs only while the audio page is shown (cleanupPage covers only "Back").
        if self.currentPage() is not self.audio_page:
            self.device_picker.stop_monitoring()
        if self.currentPage() is self.answers_page:
            self.provider_picker.local_servers.search()

    def _save_history(self, on: bool) -> None:
        self.context.settings.ui.history_enabled = on
        self.context.save_settings()

    def _finished(self, _result: int) -> None:
        self.device_picker.stop_monitoring()
        self.model_picker.cancel()
        if _result == QWizard.DialogCode.Accepted.value or _result == 1:
            self.context.settings.ui.first_run_done = True
            self.context.save_settings()
