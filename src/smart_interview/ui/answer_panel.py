"""The current question with its talking points and the streamed answer, copy buttons, and
‹ › to step through earlier questions of this session."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QTextBrowser, QVBoxLayout, QWidget

from smart_interview.models.answers import (
    AnswerDelta,
    AnswerDone,
    AnswerEvent,
    AnswerFailed,
    QuestionDetected,
    TalkingPoint,
    TalkingPointsReady,
)
from smart_interview.models.interview import ContextSummary
from smart_interview.ui.theme import button, label, set_role

_ERROR_STEPS = {
    "unauthorized": "Check the API key in Settings → Answers.",
    "forbidden": "This key may not use that model; pick another model in Settings → Answers.",
    "not_found": "Check the model name and server URL in Settings → Answers.",
    "rate_limited": "The provider is rate-limiting you; the next question will try again.",
    "overloaded": "The provider is busy; the next question will try again.",
    "timeout": "The provider did not answer in time; the talking points above still apply.",
    "network": "Check your connection; the talking points above still apply.",
}
NO_CONTEXT = ("No talking points: there is no CV or dossier to draw them from. Add your CV "
              "under Profile & CV, or create a dossier under Dossiers and pick it for the "
              "interview.")
NO_MATCH = "Nothing in your CV or the dossier matches this question."


@dataclass
class AnsweredQuestion:
    id: str
    text: str
    points: list[TalkingPoint] = field(default_factory=list)
    points_ready: bool = False
    answer: str = ""
    done: bool = False
    error: str = ""


class AnswerPanel(QWidget):
    question_changed = Signal(str)
    answer_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[AnsweredQuestion] = []
        self.index = -1
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        header = QHBoxLayout()
        header.addWidget(label("Current question", role="h2"))
        header.addStretch(1)
        self.position = label("", role="hint")
        self.previous_button = button("‹", kind="flat")
        self.previous_button.setToolTip("Previous question")
        self.previous_button.clicked.connect(self.show_previous)
        self.next_button = button("›", kind="flat")
        self.next_button.setToolTip("Next question")
        self.next_button.clicked.connect(self.show_next)
        for widget in (self.position, self.previous_button, self.next_button):
            header.addWidget(widget)
        column.addLayout(header)
        self.question = label("Waiting for the interviewer's first question…", role="muted",
                              wrap=True)
        self.question.setObjectName("CurrentQuestion")
        self.question.setStyleSheet("font-size: 12pt; color: #ffd479; font-weight: 600;")
        column.addWidget(self.question)

        points_header = QHBoxLayout()
        points_header.addWidget(label("Talking points", role="h2"))
        points_header.addStretch(1)
        self.copy_points_button = button("Copy", kind="flat")
        self.copy_points_button.clicked.connect(self.copy_points)
        points_header.addWidget(self.copy_points_button)
        column.addLayout(points_header)
        self.points_view = QTextBrowser()
        self.points_view.setMinimumHeight(120)
        column.addWidget(self.points_view, 2)

        answer_header = QHBoxLayout()
        answer_header.addWidget(label("Suggested answer", role="h2"))
        self.answer_state = label("", role="hint")
        answer_header.addWidget(self.answer_state)
        answer_header.addStretch(1)
        self.copy_answer_button = button("Copy", kind="flat")
        self.copy_answer_button.clicked.connect(self.copy_answer)
        answer_header.addWidget(self.copy_answer_button)
        column.addLayout(answer_header)
        self.answer_view = QTextBrowser()
        column.addWidget(self.answer_view, 3)
        self.error = label("", role="error", wrap=True)
        self.error.setVisible(False)
        column.addWidget(self.error)
        self.answers_enabled = True
        self.context: ContextSummary | None = None
        self._render()

    # -- events ----------------------------------------------------------------------------

    @property
    def current(self) -> AnsweredQuestion | None:
        return self.items[self.index] if 0 <= self.index < len(self.items) else None

    def clear(self) -> None:
        self.items.clear()
        self.index = -1
        self._render()

    def set_answers_enabled(self, enabled: bool) -> None:
        """False in talking-points-only mode: the answer box explains instead of waiting."""
        self.answers_enabled = enabled
        self._render()

    def set_context(self, context: ContextSummary) -> None:
        """What this interview's talking points can draw on (from the session)."""
        self.context = context
        self._render()

    def handle_event(self, event: AnswerEvent) -> None:
        if isinstance(event, QuestionDetected):
            self.items.append(AnsweredQuestion(id=event.id, text=event.text))
            self.index = len(self.items) - 1
            self._render()
            return
        item = self._find(str(getattr(event, "question_id", "")))
        if item is None:
            return
        if isinstance(event, TalkingPointsReady):
            item.points = list(event.points)
            item.points_ready = True
        elif isinstance(event, AnswerDelta):
            item.answer += event.text
        elif isinstance(event, AnswerDone):
            item.answer = event.text or item.answer
            item.done = True
        elif isinstance(event, AnswerFailed):
            step = _ERROR_STEPS.get(event.code, "The talking points above still apply.")
            item.error = f"{event.message or 'The answer failed.'} {step}"
            item.done = True
        if item is self.current:
            self._render()

    def _find(self, question_id: str) -> AnsweredQuestion | None:
        for item in reversed(self.items):
            if item.id == question_id:
                return item
        return self.items[-1] if self.items and not question_id else None

    # -- navigation ------------------------------------------------------------------------

    def show_previous(self) -> None:
        if self.index > 0:
            self.index -= 1
            self._render()

    def show_next(self) -> None:
        if self.index < len(self.items) - 1:
            self.index += 1
            self._render()

    # -- clipboard -------------------------------------------------------------------------

    def points_text(self) -> str:
        item = self.current
        return "\n".join(f"• {p.text}" for p in item.points) if item else ""

    def copy_points(self) -> None:
        QGuiApplication.clipboard().setText(self.points_text())

    def copy_answer(self) -> None:
        item = self.current
        QGuiApplication.clipboard().setText(item.answer if item else "")

    # -- rendering -------------------------------------------------------------------------

    def overlay_text(self) -> str:
        item = self.current
        if item is None:
            return ""
        if item.answer:
            return item.answer
        return self.points_text()

    def _render(self) -> None:
        item = self.current
        count = len(self.items)
        self.position.setText(f"{self.index + 1} of {count}" if count else "")
        self.previous_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(0 <= self.index < count - 1)
        if item is None:
            self.question.setText("Waiting for the interviewer's first question…")
            self.points_view.setHtml("<p style='color:#5b647a'>Talking points from your CV and "
                                     "the dossier appear here for each question.</p>")
            self.answer_view.setHtml(self._answer_placeholder())
            self.answer_state.setText("")
            self.error.setVisible(False)
            self.question_changed.emit("")
            self.answer_changed.emit("")
            return
        self.question.setText(item.text)
        if item.points:
            rows = "".join(
                f"<li style='margin-bottom:6px'>{html.escape(p.text)}"
                f"<br><span style='color:#8a93a8;font-size:9pt'>"
                f"{html.escape(p.source)}</span></li>" for p in item.points)
            self.points_view.setHtml(f"<ul style='margin-left:-18px'>{rows}</ul>")
        else:
            self.points_view.setHtml(f"<p style='color:#5b647a'>"
                                     f"{html.escape(self._no_points_text(item))}</p>")
        if item.answer:
            self.answer_view.setPlainText(item.answer)
        else:
            self.answer_view.setHtml(self._answer_placeholder(waiting=not item.done))
        state = "" if not self.answers_enabled else ("✓ done" if item.done and not item.error
                                                     else ("" if item.done else "writing…"))
        self.answer_state.setText(state)
        set_role(self.answer_state, "ok" if state.startswith("✓") else "hint")
        self.error.setText(item.error)
        self.error.setVisible(bool(item.error))
        self.question_changed.emit(item.text)
        self.answer_changed.emit(self.overlay_text())

    def _no_points_text(self, item: AnsweredQuestion) -> str:
        if not item.points_ready:
            return "Finding talking points…"
        if self.context is not None and not self.context.empty:
            return NO_MATCH
        return NO_CONTEXT

    def _answer_placeholder(self, *, waiting: bool = False) -> str:
        if not self.answers_enabled:
            return ("<p style='color:#5b647a'>Talking points only. Pick an AI provider in "
                    "Settings → Answers for written answers.</p>")
        if waiting:
            return "<p style='color:#5b647a'>Writing a suggested answer…</p>"
        return "<p style='color:#5b647a'>A suggested answer streams in here.</p>"
