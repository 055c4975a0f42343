"""Early questions and speculative answers in the answer panel: an early question shows at
once and marked, its final updates it in place, a withdrawn one fades where it stands without
moving anything, a restarted answer starts again in place, and repeated talking points replace
the old ones."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QWidget

from smart_interview.models.answers import (
    AnswerDelta,
    AnswerDone,
    AnswerRestarted,
    QuestionDetected,
    QuestionWithdrawn,
    TalkingPoint,
    TalkingPointsReady,
)
from smart_interview.ui.answer_panel import AnswerPanel

FIRST = "Tell me about your experience with Python services."
EARLY = "Why did you leave"
FINAL = "Why did you leave your last job?"


def ask(panel: AnswerPanel, question_id: str, text: str, *, early: bool = False) -> None:
    panel.handle_event(QuestionDetected(emitted_at=1.0, id=question_id, text=text,
                                        kind="wh", early=early))


def points(panel: AnswerPanel, question_id: str, *texts: str) -> None:
    panel.handle_event(TalkingPointsReady(
        emitted_at=1.0, question_id=question_id,
        points=[TalkingPoint(text=t, source="CV: Experience") for t in texts]))


@pytest.fixture
def panel(qtbot: Any) -> AnswerPanel:
    panel = AnswerPanel()
    qtbot.addWidget(panel)
    panel.resize(520, 640)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_an_early_question_shows_at_once_marked_early(panel: AnswerPanel, qtbot: Any) -> None:
    ask(panel, "q1", FIRST)
    assert panel.early_mark.text() == "" and "italic" not in panel.question.styleSheet()
    with qtbot.waitSignal(panel.question_state_changed,
                          check_params_cb=lambda state: state == "early"):
        ask(panel, "q2", EARLY, early=True)
    assert panel.question.text() == EARLY
    assert panel.early_mark.text() == "early"
    assert "while the interviewer is still speaking" in panel.early_mark.toolTip()
    assert "italic" in panel.question.styleSheet()
    assert panel.position.text() == "2 of 2"


def test_the_final_updates_the_early_question_in_place(panel: AnswerPanel,
                                                       qtbot: Any) -> None:
    ask(panel, "q1", FIRST)
    ask(panel, "q2", EARLY, early=True)
    points(panel, "q2", "Left Parcelwise to lead a platform team.")
    panel.handle_event(AnswerDelta(emitted_at=1.1, question_id="q2", text="I wanted to "))
    early_item = panel.items[1]
    redrawn: list[str] = []
    panel.points_view.textChanged.connect(lambda: redrawn.append("points"))
    panel.answer_view.textChanged.connect(lambda: redrawn.append("answer"))

    with qtbot.waitSignal(panel.question_changed,
                          check_params_cb=lambda text: text == FINAL):
        ask(panel, "q2", FINAL)
    assert len(panel.items) == 2 and panel.items[1] is early_item
    assert panel.index == 1 and panel.current is early_item
    assert panel.question.text() == FINAL and panel.early_mark.text() == ""
    assert "italic" not in panel.question.styleSheet()
    assert redrawn == []  # the points and the answer so far are not redrawn
    assert panel.answer_view.toPlainText() == "I wanted to "


def test_the_final_of_an_earlier_question_does_not_move_the_view(panel: AnswerPanel) -> None:
    ask(panel, "q1", EARLY, early=True)
    ask(panel, "q2", FIRST)
    panel.handle_event(QuestionDetected(emitted_at=2.0, id="q1", text=FINAL, kind="wh"))
    assert [item.id for item in panel.items] == ["q1", "q2"]
    assert panel.current is panel.items[1] and panel.question.text() == FIRST
    panel.show_previous()
    assert panel.question.text() == FINAL and panel.early_mark.text() == ""


def _layout(panel: AnswerPanel) -> list[int]:
    widgets: list[QWidget] = [panel.question, panel.points_view, panel.answer_view,
                              panel.body]
    return [w.mapTo(panel, w.rect().topLeft()).y() for w in widgets] + \
        [w.height() for w in widgets]


def test_a_withdrawn_question_fades_in_place_and_nothing_moves(panel: AnswerPanel,
                                                               qtbot: Any) -> None:
    ask(panel, "q1", FIRST)
    points(panel, "q1", "Led the move to six Python services on Kubernetes.")
    ask(panel, "q2", EARLY, early=True)
    qtbot.waitUntil(lambda: panel.question.text() == EARLY)
    before = _layout(panel)
    seen: list[tuple[float, str, list[int]]] = []

    def faded_back() -> bool:
        seen.append((panel.fader.opacity, panel.question.text(), _layout(panel)))
        return panel.question.text() == FIRST and panel.fader.opacity == 1.0 \
            and not panel.fader.running

    with qtbot.waitSignal(panel.question_state_changed,
                          check_params_cb=lambda state: state == "withdrawing"):
        panel.handle_event(QuestionWithdrawn(emitted_at=1.4, question_id="q2"))
    assert [item.id for item in panel.items] == ["q1"]
    qtbot.waitUntil(faded_back, timeout=3000)

    fading = [sample for sample in seen if sample[1] == EARLY]
    assert any(opacity < 0.9 for opacity, _text, _layout_ in fading), seen
    # while it fades, the withdrawn question keeps its place and every box keeps its geometry
    assert all(layout == before for _opacity, _text, layout in fading)
    assert panel.position.text() == "1 of 1"
    assert panel.early_mark.text() == ""
    assert "Led the move" in panel.points_view.toPlainText()


def test_withdrawing_a_question_not_on_screen_changes_nothing_shown(panel: AnswerPanel,
                                                                    qtbot: Any) -> None:
    ask(panel, "q1", FIRST)
    ask(panel, "q2", "What is your notice period?")
    ask(panel, "q3", EARLY, early=True)
    panel.show_previous()
    assert panel.question.text() == "What is your notice period?"
    states: list[str] = []
    panel.question_state_changed.connect(states.append)
    panel.handle_event(QuestionWithdrawn(emitted_at=2.0, question_id="q3"))
    assert states == [] and not panel.fader.running and panel.fader.opacity == 1.0
    assert panel.question.text() == "What is your notice period?"
    assert panel.current is panel.items[1] and panel.position.text() == "2 of 2"
    assert not panel.next_button.isEnabled()


def test_after_a_withdrawal_the_question_seen_before_comes_back(panel: AnswerPanel,
                                                                qtbot: Any) -> None:
    ask(panel, "q1", FIRST)
    ask(panel, "q2", "What is your notice period?")
    panel.show_previous()  # the user reads the first question again
    ask(panel, "q3", EARLY, early=True)
    assert panel.question.text() == EARLY
    panel.handle_event(QuestionWithdrawn(emitted_at=2.0, question_id="q3"))
    qtbot.waitUntil(lambda: panel.question.text() == FIRST and not panel.fader.running,
                    timeout=3000)
    assert panel.position.text() == "1 of 2"


def test_a_new_question_during_the_fade_shows_at_once(panel: AnswerPanel, qtbot: Any) -> None:
    ask(panel, "q1", FIRST)
    ask(panel, "q2", EARLY, early=True)
    panel.handle_event(QuestionWithdrawn(emitted_at=2.0, question_id="q2"))
    assert panel.fader.running
    ask(panel, "q3", FINAL)
    assert panel.fader.opacity == 1.0 and not panel.fader.running
    assert panel.question.text() == FINAL and panel.position.text() == "2 of 2"


def test_events_for_a_withdrawn_question_are_ignored(panel: AnswerPanel, qtbot: Any) -> None:
    ask(panel, "q1", FIRST)
    ask(panel, "q2", EARLY, early=True)
    panel.handle_event(QuestionWithdrawn(emitted_at=2.0, question_id="q2"))
    points(panel, "q2", "A point for a question that was not one.")
    qtbot.waitUntil(lambda: not panel.fader.running and panel.question.text() == FIRST,
                    timeout=3000)
    assert "was not one" not in panel.points_view.toPlainText()
    assert [item.id for item in panel.items] == ["q1"]


def test_a_restarted_answer_clears_in_place_and_streams_again(panel: AnswerPanel,
                                                              qtbot: Any) -> None:
    ask(panel, "q1", EARLY, early=True)
    for piece in ("At Parcelwise ", "I left because "):
        panel.handle_event(AnswerDelta(emitted_at=1.2, question_id="q1", text=piece))
    item = panel.current
    assert panel.answer_view.toPlainText() == "At Parcelwise I left because "
    with qtbot.waitSignal(panel.answer_changed):
        panel.handle_event(AnswerRestarted(emitted_at=1.5, question_id="q1"))
    assert panel.current is item and item.answer == "" and not item.done
    assert panel.answer_view.toPlainText() == "Writing a suggested answer…"
    assert panel.answer_state.text() == "writing…"
    ask(panel, "q1", FINAL)
    for piece in ("I wanted ", "to lead a team."):
        panel.handle_event(AnswerDelta(emitted_at=1.7, question_id="q1", text=piece))
    assert panel.answer_view.toPlainText() == "I wanted to lead a team."
    panel.handle_event(AnswerDone(emitted_at=1.9, question_id="q1",
                                  text="I wanted to lead a team."))
    assert panel.answer_state.text() == "✓ done" and len(panel.items) == 1


def test_a_streamed_answer_is_appended_without_scrolling_back(panel: AnswerPanel) -> None:
    ask(panel, "q1", FIRST)
    long_answer = "".join(f"Line {n} of a long answer.\n" for n in range(80))
    panel.handle_event(AnswerDelta(emitted_at=1.0, question_id="q1", text=long_answer))
    bar = panel.answer_view.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum() // 2)
    position = bar.value()
    panel.handle_event(AnswerDelta(emitted_at=1.1, question_id="q1", text="And more."))
    assert panel.answer_view.toPlainText() == long_answer + "And more."
    assert bar.value() == position


def test_talking_points_sent_again_replace_the_old_ones(panel: AnswerPanel) -> None:
    ask(panel, "q1", EARLY, early=True)
    points(panel, "q1", "Mentored four junior engineers.")
    item = panel.current
    ask(panel, "q1", FINAL)
    points(panel, "q1", "Led the migration to Kubernetes.", "Built reporting pipelines.")
    assert panel.current is item and len(panel.items) == 1
    shown = panel.points_view.toPlainText()
    assert "Mentored" not in shown
    assert "Led the migration" in shown and "Built reporting" in shown
    assert panel.points_text() == "• Led the migration to Kubernetes.\n" \
        "• Built reporting pipelines."
