"""The overlay follows early questions: marked while early, confirmed in place, and a
withdrawn one fades out before the question shown before it comes back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from smart_interview.models.answers import (
    AnswerDelta,
    AnswerRestarted,
    QuestionDetected,
    QuestionWithdrawn,
)
from smart_interview.ui.answer_panel import AnswerPanel
from smart_interview.ui.overlay_window import OverlayWindow

FIRST = "Tell me about your experience with Python services."
EARLY = "Why did you leave"


@pytest.fixture
def wired(qtbot: Any, tmp_path: Path) -> tuple[AnswerPanel, OverlayWindow]:
    """A panel and an overlay connected the way the main window connects them."""
    from smart_interview.app.paths import AppPaths
    from smart_interview.app.settings import Settings
    from smart_interview.ui.context import UiContext

    context = UiContext(paths=AppPaths.under(tmp_path / "smart-interview"),
                        settings=Settings(), services=None)  # type: ignore[arg-type]
    panel = AnswerPanel()
    overlay = OverlayWindow(context)
    qtbot.addWidget(panel)
    qtbot.addWidget(overlay)
    panel.question_changed.connect(overlay.show_question)
    panel.answer_changed.connect(overlay.show_answer)
    panel.question_state_changed.connect(overlay.show_question_state)
    panel.show()
    overlay.show_overlay()
    qtbot.waitExposed(overlay)
    return panel, overlay


def ask(panel: AnswerPanel, question_id: str, text: str, *, early: bool = False) -> None:
    panel.handle_event(QuestionDetected(emitted_at=1.0, id=question_id, text=text,
                                        kind="wh", early=early))


def test_overlay_marks_an_early_question_until_it_is_final(
        wired: tuple[AnswerPanel, OverlayWindow]) -> None:
    panel, overlay = wired
    ask(panel, "q1", EARLY, early=True)
    assert overlay.question.text() == EARLY
    assert overlay.early_mark.text() == "early" and "italic" in overlay.question.styleSheet()
    ask(panel, "q1", "Why did you leave your last job?")
    assert overlay.question.text() == "Why did you leave your last job?"
    assert overlay.early_mark.text() == "" and overlay.question.styleSheet() == ""


def test_overlay_fades_a_withdrawn_question_and_shows_the_one_before(
        wired: tuple[AnswerPanel, OverlayWindow], qtbot: Any) -> None:
    panel, overlay = wired
    ask(panel, "q1", FIRST)
    panel.handle_event(AnswerDelta(emitted_at=1.2, question_id="q1", text="At Parcelwise…"))
    ask(panel, "q2", EARLY, early=True)
    assert overlay.question.text() == EARLY and overlay.answer.text() == ""
    opacities: list[float] = []

    def back() -> bool:
        opacities.append(overlay.content_fader.opacity)
        return overlay.question.text() == FIRST and not overlay.content_fader.running \
            and overlay.content_fader.opacity == 1.0

    panel.handle_event(QuestionWithdrawn(emitted_at=1.5, question_id="q2"))
    assert overlay.content_fader.running
    qtbot.waitUntil(back, timeout=3000)
    assert min(opacities) < 0.9, opacities
    assert overlay.answer.text() == "At Parcelwise…"
    assert overlay.early_mark.text() == ""


def test_overlay_shows_a_restarted_answer_from_scratch(
        wired: tuple[AnswerPanel, OverlayWindow]) -> None:
    panel, overlay = wired
    ask(panel, "q1", EARLY, early=True)
    panel.handle_event(AnswerDelta(emitted_at=1.2, question_id="q1", text="I left because"))
    assert overlay.answer.text() == "I left because"
    panel.handle_event(AnswerRestarted(emitted_at=1.4, question_id="q1"))
    assert overlay.answer.text() == ""
    panel.handle_event(AnswerDelta(emitted_at=1.6, question_id="q1", text="I wanted"))
    assert overlay.answer.text() == "I wanted"


def test_the_main_window_hands_the_question_state_to_its_overlay(make_window: Any) -> None:
    window = make_window()
    view = window.interview
    view._on_answer(QuestionDetected(emitted_at=1.0, id="q1", text=EARLY, kind="wh",
                                     early=True))
    assert window.overlay.early_mark.text() == "early"
    view._on_answer(QuestionDetected(emitted_at=1.2, id="q1", text=FIRST, kind="prompt"))
    assert window.overlay.question.text() == FIRST and window.overlay.early_mark.text() == ""
