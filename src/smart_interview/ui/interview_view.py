"""The interview page: Start/Stop, elapsed time, the live transcript, the current question with
its talking points and streamed answer, the dossier in use and the state of both devices."""

from __future__ import annotations

import time

from PySide6.QtCore import QThread, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from smart_interview.models.answers import AnswerEvent, QuestionDetected
from smart_interview.models.interview import SessionStarted
from smart_interview.models.transcript import CaptureNotice, Speaker, TranscriptUpdate
from smart_interview.ui.answer_panel import AnswerPanel
from smart_interview.ui.capture_wording import capture_error_banner
from smart_interview.ui.context import UiContext
from smart_interview.ui.level_meter import LevelMeter
from smart_interview.ui.live_worker import LiveSessionWorker, start_live_worker
from smart_interview.ui.theme import button, card, label, set_kind, set_role
from smart_interview.ui.transcript_view import TranscriptView

_SOURCE_NAMES = {"mic": "Microphone", "loopback": "Interviewer audio"}
_SOURCE_KINDS = {Speaker.CANDIDATE: "mic", Speaker.INTERVIEWER: "loopback"}


class InterviewView(QWidget):
    question_changed = Signal(str)
    answer_changed = Signal(str)
    question_state_changed = Signal(str)
    """"early", "final", "withdrawing" or "" (see `AnswerPanel.question_state_changed`)."""
    listening_changed = Signal(bool)
    session_started = Signal()
    session_stopped = Signal()

    def __init__(self, context: UiContext) -> None:
        super().__init__()
        self.context = context
        self.worker: LiveSessionWorker | None = None
        self.live_thread: QThread | None = None
        self.session: SessionStarted | None = None
        self.paused = False
        self.state = "idle"  # idle → starting → live → stopping → idle
        self._started_at = 0.0
        self._dossier_title = ""

        page = QVBoxLayout(self)
        page.setContentsMargins(24, 20, 24, 20)
        page.setSpacing(12)
        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(label("Interview", role="h1"))
        self.dossier_label = label("", role="muted")
        titles.addWidget(self.dossier_label)
        self.model_label = label("", role="hint")
        titles.addWidget(self.model_label)
        header.addLayout(titles)
        header.addStretch(1)
        self.elapsed = label("00:00", role="h1")
        self.elapsed.setStyleSheet("font-family: 'DejaVu Sans Mono'; color: #8a93a8;")
        header.addWidget(self.elapsed)
        self.pause_button = button("Pause")
        self.pause_button.setEnabled(False)
        self.pause_button.clicked.connect(self.toggle_pause)
        header.addWidget(self.pause_button)
        self.start_button = button("Start", kind="start")
        self.start_button.clicked.connect(self.toggle_session)
        header.addWidget(self.start_button)
        page.addLayout(header)

        self.banner = QFrame()
        self.banner.setObjectName("Banner")
        banner_row = QHBoxLayout(self.banner)
        banner_row.setContentsMargins(12, 8, 12, 8)
        self.banner_text = label("", wrap=True)
        banner_row.addWidget(self.banner_text, 1)
        self.banner_close = button("Dismiss", kind="flat")
        self.banner_close.clicked.connect(self.banner.hide)
        banner_row.addWidget(self.banner_close)
        self.banner.hide()
        page.addWidget(self.banner)

        devices = QHBoxLayout()
        self.device_labels: dict[str, QLabel] = {}
        self.meters: dict[str, LevelMeter] = {}
        for kind in ("mic", "loopback"):
            box = QHBoxLayout()
            status = label(f"● {_SOURCE_NAMES[kind]}: off", role="hint")
            meter = LevelMeter()
            meter.setFixedWidth(140)
            box.addWidget(status)
            box.addWidget(meter)
            devices.addLayout(box)
            devices.addSpacing(18)
            self.device_labels[kind] = status
            self.meters[kind] = meter
        devices.addStretch(1)
        page.addLayout(devices)

        splitter = QSplitter()
        left = card()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(14, 12, 14, 12)
        left_column.addWidget(label("Live transcript", role="h2"))
        self.transcript = TranscriptView()
        left_column.addWidget(self.transcript, 1)
        right = card()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(14, 12, 14, 12)
        self.answer_panel = AnswerPanel()
        right_column.addWidget(self.answer_panel)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([560, 520])
        page.addWidget(splitter, 1)
        self.privacy = label("Listening happens on this device. Nothing of the interview is "
                             "sent to our servers.", role="hint")
        page.addWidget(self.privacy)

        self.answer_panel.question_changed.connect(self._question_changed)
        self.answer_panel.answer_changed.connect(self.answer_changed)
        self.answer_panel.question_state_changed.connect(self.question_state_changed)
        self._clock = QTimer(self)
        self._clock.setInterval(100)
        self._clock.timeout.connect(self._tick)
        self.reload_settings()

    # -- settings and dossier --------------------------------------------------------------

    def reload_settings(self) -> None:
        settings = self.context.settings
        provider = settings.answers.provider
        self.answer_panel.set_answers_enabled(provider != "none")
        answers = "talking points only" if provider == "none" else \
            f"answers by {provider.replace('_', '-')} {settings.answers.model}".strip()
        self.model_label.setText(f"Model {settings.transcription.model} · {answers}")
        if settings.ui.selected_dossier_id and not self._dossier_title:
            self._dossier_title = self.context.services.cached_dossier_title(
                settings.ui.selected_dossier_id) or "selected dossier"
        self._show_dossier()

    def set_dossier(self, dossier_id: str | None, title: str) -> None:
        self._dossier_title = title if dossier_id else ""
        self._show_dossier()

    def _show_dossier(self) -> None:
        if self.context.settings.ui.selected_dossier_id and self._dossier_title:
            self.dossier_label.setText(f"Using dossier: {self._dossier_title}")
        elif self.context.services.interview_context(self.context.settings).cv_text.strip():
            self.dossier_label.setText("No dossier selected: talking points come from your CV. "
                                       "Pick one under Dossiers.")
        else:
            self.dossier_label.setText("No CV and no dossier: questions are still found, but "
                                       "talking points need your CV. Upload it under Profile "
                                       "& CV.")

    def activated(self) -> None:
        if self.state == "idle":
            self.reload_settings()

    # -- session ---------------------------------------------------------------------------

    def toggle_session(self) -> None:
        if self.state == "idle":
            self.start()
        elif self.state in ("live", "starting"):
            self.stop()

    def start(self) -> None:
        if self.state != "idle":
            return
        self.reload_settings()
        self.transcript.clear()
        self.answer_panel.clear()
        self.banner.hide()
        self.state = "starting"
        self.paused = False
        self.start_button.setText("Starting…")
        self.start_button.setEnabled(False)
        builder = self.context.services.live_session_builder(self.context.settings)
        self.worker, self.live_thread = start_live_worker(builder)
        self.worker.transcript.connect(self._on_transcript)
        self.worker.answer.connect(self._on_answer)
        self.worker.capture.connect(self._on_capture)
        self.worker.started.connect(self._on_started)
        self.worker.failed.connect(self._on_failed)
        self.worker.finished.connect(self._on_finished)

    def stop(self) -> None:
        if self.worker is None or self.state == "stopping":
            return
        self.state = "stopping"
        self.start_button.setText("Stopping…")
        self.start_button.setEnabled(False)
        self.pause_button.setEnabled(False)
        self.worker.request_stop()

    def toggle_pause(self) -> None:
        if self.state != "live" or self.worker is None:
            return
        self.paused = not self.paused
        self.worker.request_pause(self.paused)
        self.pause_button.setText("Resume" if self.paused else "Pause")
        self.listening_changed.emit(not self.paused)
        if self.paused:
            self._show_banner("Listening is paused: nothing is transcribed until you resume.",
                              "info")
        else:
            self.banner.hide()

    def shutdown(self) -> None:
        """On close: ask the session to stop; never blocks the GUI thread."""
        if self.worker is not None and self.state in ("live", "starting"):
            self.stop()

    def _on_started(self, session: SessionStarted) -> None:
        self.session = session
        self.answer_panel.set_context(session.context)
        self.state = "live"
        self._started_at = time.monotonic()
        self._clock.start()
        self.start_button.setText("Stop")
        set_kind(self.start_button, "stop")
        self.start_button.setEnabled(True)
        self.pause_button.setEnabled(True)
        self.listening_changed.emit(True)
        self.session_started.emit()
        for speaker, kind in _SOURCE_KINDS.items():
            name = session.sources.get(speaker.value, "")
            self._set_device(kind, f"● {_SOURCE_NAMES[kind]}: {_short(name or 'on')}", "ok")
            self.device_labels[kind].setToolTip(name)

    def _on_failed(self, message: str) -> None:
        self._show_banner(f"Could not run the interview session: {message}", "error")

    def _on_finished(self) -> None:
        self.worker = None
        self.live_thread = None
        self.session = None
        self.state = "idle"
        self.paused = False
        self._clock.stop()
        self.start_button.setText("Start")
        set_kind(self.start_button, "start")
        self.start_button.setEnabled(True)
        self.pause_button.setText("Pause")
        self.pause_button.setEnabled(False)
        for kind in ("mic", "loopback"):
            self._set_device(kind, f"● {_SOURCE_NAMES[kind]}: off", "hint")
            self.meters[kind].reset()
        self.listening_changed.emit(False)
        self.session_stopped.emit()

    def _on_transcript(self, event: TranscriptUpdate) -> None:
        self.transcript.add_event(event)

    def _on_answer(self, event: AnswerEvent) -> None:
        self.answer_panel.handle_event(event)
        # an early question comes from a partial, not yet a transcript line: marked once final
        if isinstance(event, QuestionDetected) and not event.early:
            self.transcript.mark_question(event.text)

    def _on_capture(self, notice: CaptureNotice) -> None:
        source = _SOURCE_KINDS[notice.speaker]
        kind, message = notice.kind, notice.message
        name = _SOURCE_NAMES[source]
        if kind == "error":
            status, banner = capture_error_banner(name, message)
            self._set_device(source, status, "error")
            self._show_banner(banner, "error")
        elif kind == "reopened":
            self._set_device(source, f"● {name}: back", "ok")
            self._show_banner(f"{name} is back: {message}.", "info")
        elif kind == "silence_suspected":
            self._set_device(source, f"● {name}: silent?", "warn")
            self._show_banner(f"No sound from {name.lower()} for a while: {message}. Check it is "
                              "not muted and is the device your call uses.", "warn")
        elif kind == "device_changed":
            self._show_banner(f"{name}: {message}", "info")
        elif kind == "ended":
            self._set_device(source, f"● {name}: ended", "hint")

    # -- display ---------------------------------------------------------------------------

    def _question_changed(self, text: str) -> None:
        self.question_changed.emit(text)

    def _set_device(self, kind: str, text: str, role: str) -> None:
        widget = self.device_labels.get(kind)
        if widget is not None:
            widget.setText(text)
            set_role(widget, role)

    def _show_banner(self, text: str, level: str) -> None:
        self.banner_text.setText(text)
        self.banner.setProperty("level", level)
        self.banner.style().unpolish(self.banner)
        self.banner.style().polish(self.banner)
        self.banner.show()

    def _tick(self) -> None:
        seconds = int(time.monotonic() - self._started_at)
        self.elapsed.setText(f"{seconds // 60:02d}:{seconds % 60:02d}")
        worker = self.worker
        if worker is None or self.session is None:
            return
        for speaker, kind in _SOURCE_KINDS.items():
            meter = self.meters[kind]
            level = worker.level(speaker)
            if level is None:
                meter.reset()
            else:
                meter.set_level(level.rms, level.peak)


def _short(name: str, limit: int = 28) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"
