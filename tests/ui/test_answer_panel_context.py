"""With no CV and no dossier a question still shows, and the talking-points box says what is
missing and where to add it instead of waiting for points that cannot come."""

from __future__ import annotations

from typing import Any

from smart_interview.models.answers import QuestionDetected, TalkingPointsReady
from smart_interview.models.interview import ContextSummary


def _ask(panel: Any) -> None:
    panel.handle_event(QuestionDetected(emitted_at=1.0, id="q1",
                                        text="Why do you want this job?",
                                        kind="direct"))
    panel.handle_event(TalkingPointsReady(emitted_at=1.0, question_id="q1"))


def test_no_cv_and_no_dossier_says_what_is_missing(qtbot: Any) -> None:
    from smart_interview.ui.answer_panel import AnswerPanel

    panel = AnswerPanel()
    qtbot.addWidget(panel)
    panel.set_context(ContextSummary())
    _ask(panel)
    shown = panel.points_view.toPlainText()
    assert "Finding talking points" not in shown
    assert "no CV or dossier" in shown
    assert "Profile & CV" in shown and "Dossiers" in shown
    assert panel.question.text() == "Why do you want this job?"


def test_a_question_that_matches_nothing_says_so(qtbot: Any) -> None:
    from smart_interview.ui.answer_panel import AnswerPanel

    panel = AnswerPanel()
    qtbot.addWidget(panel)
    panel.set_context(ContextSummary(cv=True))
    _ask(panel)
    shown = panel.points_view.toPlainText()
    assert shown == "Nothing in your CV or the dossier matches this question."


def test_points_are_awaited_only_until_they_arrive(qtbot: Any) -> None:
    from smart_interview.ui.answer_panel import AnswerPanel

    panel = AnswerPanel()
    qtbot.addWidget(panel)
    panel.handle_event(QuestionDetected(emitted_at=1.0, id="q1", text="Why?",
                                        kind="direct"))
    assert panel.points_view.toPlainText() == "Finding talking points…"
    panel.handle_event(TalkingPointsReady(emitted_at=1.0, question_id="q1"))
    assert "Finding talking points" not in panel.points_view.toPlainText()
