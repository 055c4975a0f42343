"""The current question with its talking points and the streamed answer, copy buttons, and
‹ › to step through earlier questions of this session.

A question heard while the interviewer is still speaking (`QuestionDetected.early`) shows at
once in a lighter style with an "early" mark. When the sentence ends it is confirmed in place
(same entry, same place in the ‹ › order) or withdrawn: if it is on screen it fades out where it
stands, the panel keeps its size meanwhile, then the question the user saw before comes back;
the user's place among the other questions never changes. Each box is redrawn only when its
own content changed, so in-place updates do not flicker or scroll back to the top."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication, QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QTextBrowser, QVBoxLayout, QWidget

from smart_interview.models.answers import (
    AnswerDelta,
    AnswerDone,
    AnswerEvent,
    AnswerFailed,
    AnswerRestarted,
    QuestionDetected,
    QuestionWithdrawn,
    TalkingPoint,
    TalkingPointsReady,
)
from smart_interview.models.interview import ContextSummary
from smart_interview.ui.fade import Fader
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
EARLY_TIP = ("Heard while the interviewer is still speaking. It is confirmed, or quietly "
             "taken back, when the sentence ends.")
QUESTION_STYLE = "font-size: 12pt; color: #ffd479; font-weight: 600;"
EARLY_QUESTION_STYLE = "font-size: 12pt; color: #b8a26e; font-weight: 500; font-style: italic;"


@dataclass
class AnsweredQuestion:
    id: str
    text: str
    points: list[TalkingPoint] = field(default_factory=list)
    points_ready: bool = False
    answer: str = ""
    done: bool = False
    error: str = ""
    early: bool = False
    viewed_before: str = ""
    """The id of the question on screen when this one arrived (shown again if it is
    withdrawn)."""


class AnswerPanel(QWidget):
    question_changed = Signal(str)
    answer_changed = Signal(str)
    question_state_changed = Signal(str)
    """"" (no question), "early", "final", or "withdrawing" while an early one fades out."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[AnsweredQuestion] = []
        self.index = -1
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        header = QHBoxLayout()
        header.addWidget(label("Current question", role="h2"))
        self.early_mark = label("", role="hint")
        self.early_mark.setToolTip(EARLY_TIP)
        header.addWidget(self.early_mark)
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
        # everything below the header belongs to one question and fades as one when it is
        # withdrawn: from here on, `column` is the body's
        self.body = QWidget()
        column.addWidget(self.body, 1)
        column = QVBoxLayout(self.body)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        self.fader = Fader(self.body)
        self.question = label("Waiting for the interviewer's first question…", role="muted",
                              wrap=True)
        self.question.setObjectName("CurrentQuestion")
        self.question.setStyleSheet(QUESTION_STYLE)
        column.addWidget(self.question)

        points_header = QHBoxLayout()
        points_header.addWidget(label("Talking points", role="h2"))
        points_header.addStretch(1)
        self.copy_points_button = button("Copy", kind="flat")
        self.copy_points_button.clicked.connect(self.copy_points)
        points_header.addWidget(self.copy_points_button)
        column.addLayout(points_header)
        self.points_view = QTextBrowser()
        self.points_view.setObjectName("TalkingPoints")
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
        self.answer_view.setObjectName("SuggestedAnswer")
        column.addWidget(self.answer_view, 3)
        self.error = label("", role="error", wrap=True)
        self.error.setVisible(False)
        column.addWidget(self.error)
        self.answers_enabled = True
        self.context: ContextSummary | None = None
        self._shown: dict[str, str] = {}
        """What each text box shows now: a box is set again only when this changes."""
        self._withdrawing = False
        self._render()

    # -- events ----------------------------------------------------------------------------

    @property
    def current(self) -> AnsweredQuestion | None:
        return self.items[self.index] if 0 <= self.index < len(self.items) else None

    def clear(self) -> None:
        self._stop_fade()
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
            self._question(event)
            return
        if isinstance(event, QuestionWithdrawn):
            self._withdraw(event.question_id)
            return
        item = self._find(str(getattr(event, "question_id", "")))
        if item is None:
            return
        if isinstance(event, AnswerRestarted):
            item.answer, item.done, item.error = "", False, ""
        elif isinstance(event, TalkingPointsReady):
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
        if item is self.current and not self._withdrawing:
            self._render()  # while a withdrawn question fades, the render after it shows this

    def _question(self, event: QuestionDetected) -> None:
        item = self._find_id(event.id)
        if item is not None:  # the final of an early question: updated where it is
            item.text, item.early = event.text, event.early
            if item is self.current and not self._withdrawing:
                self._render()
            return
        viewed = self.current
        self.items.append(AnsweredQuestion(id=event.id, text=event.text, early=event.early,
                                           viewed_before=viewed.id if viewed else ""))
        self.index = len(self.items) - 1
        self._stop_fade()
        self._render()

    def _withdraw(self, question_id: str) -> None:
        item = self._find_id(question_id)
        if item is None:
            return
        viewed = self.current
        self.items.remove(item)
        if item is not viewed:
            self.index = self.items.index(viewed) if viewed is not None else -1
            self._render_position()
            return
        back = self._find_id(item.viewed_before)
        self.index = self.items.index(back) if back is not None else len(self.items) - 1
        self._withdrawing = True
        self.question_state_changed.emit("withdrawing")
        self.fader.fade_out(then=self._after_withdrawal)

    def _after_withdrawal(self) -> None:
        self._withdrawing = False
        self._render()
        self.fader.fade_in()

    def _find_id(self, question_id: str) -> AnsweredQuestion | None:
        return next((item for item in self.items if item.id == question_id), None)

    def _find(self, question_id: str) -> AnsweredQuestion | None:
        for item in reversed(self.items):
            if item.id == question_id:
                return item
        return self.items[-1] if self.items and not question_id else None

    # -- navigation ------------------------------------------------------------------------

    def show_previous(self) -> None:
        if self.index > 0:
            self._stop_fade()
            self.index -= 1
            self._render()

    def show_next(self) -> None:
        if self.index < len(self.items) - 1:
            self._stop_fade()
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

    def _stop_fade(self) -> None:
        """The user moved on (or a new question came): show what is current at once."""
        self._withdrawing = False
        self.fader.reset()

    def _render_position(self) -> None:
        count = len(self.items)
        self.position.setText(f"{self.index + 1} of {count}" if count else "")
        self.previous_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(0 <= self.index < count - 1)

    def _render(self) -> None:
        item = self.current
        self._render_position()
        if item is None:
            self._set_question("Waiting for the interviewer's first question…", early=False)
            self._set_html(self.points_view, "<p style='color:#5b647a'>Talking points from "
                           "your CV and the dossier appear here for each question.</p>")
            self._set_html(self.answer_view, self._answer_placeholder())
            self.answer_state.setText("")
            self.error.setVisible(False)
            self.question_changed.emit("")
            self.answer_changed.emit("")
            self.question_state_changed.emit("")
            return
        self._set_question(item.text, early=item.early)
        if item.points:
            rows = "".join(
                f"<li style='margin-bottom:6px'>{html.escape(p.text)}"
                f"<br><span style='color:#8a93a8;font-size:9pt'>"
                f"{html.escape(p.source)}</span></li>" for p in item.points)
            self._set_html(self.points_view, f"<ul style='margin-left:-18px'>{rows}</ul>")
        else:
            self._set_html(self.points_view, f"<p style='color:#5b647a'>"
                           f"{html.escape(self._no_points_text(item))}</p>")
        if item.answer:
            self._set_plain(self.answer_view, item.answer)
        else:
            self._set_html(self.answer_view, self._answer_placeholder(waiting=not item.done))
        state = "" if not self.answers_enabled else ("✓ done" if item.done and not item.error
                                                     else ("" if item.done else "writing…"))
        self.answer_state.setText(state)
        set_role(self.answer_state, "ok" if state.startswith("✓") else "hint")
        self.error.setText(item.error)
        self.error.setVisible(bool(item.error))
        self.question_changed.emit(item.text)
        self.answer_changed.emit(self.overlay_text())
        self.question_state_changed.emit("early" if item.early else "final")

    def _set_question(self, text: str, *, early: bool) -> None:
        self.question.setText(text)
        style = EARLY_QUESTION_STYLE if early else QUESTION_STYLE
        if self.question.styleSheet() != style:
            self.question.setStyleSheet(style)
        self.early_mark.setText("early" if early else "")

    def _set_html(self, view: QTextBrowser, markup: str) -> None:
        if self._shown.get(view.objectName()) != "html:" + markup:
            self._shown[view.objectName()] = "html:" + markup
            view.setHtml(markup)

    def _set_plain(self, view: QTextBrowser, text: str) -> None:
        """A streamed answer: only the new text is appended while the old text stays as it is."""
        shown = self._shown.get(view.objectName(), "")
        if shown == "text:" + text:
            return
        if shown.startswith("text:") and text.startswith(shown[5:]):
            cursor = QTextCursor(view.document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(text[len(shown) - 5:])
        else:
            view.setPlainText(text)
        self._shown[view.objectName()] = "text:" + text

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
