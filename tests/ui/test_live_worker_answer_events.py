"""The live worker hands every kind of answer event to the GUI, the early-question ones too."""

from __future__ import annotations

from typing import Any

import pytest

from smart_interview.models.answers import (
    AnswerEvent,
    AnswerRestarted,
    QuestionDetected,
    QuestionWithdrawn,
)
from smart_interview.ui.live_worker import LiveSessionWorker


@pytest.mark.parametrize("event", [
    QuestionDetected(emitted_at=1.0, id="q1", text="Why did you leave", kind="wh",
                     early=True),
    QuestionWithdrawn(emitted_at=1.2, question_id="q1"),
    AnswerRestarted(emitted_at=1.3, question_id="q1"),
])
def test_early_question_events_reach_the_answer_signal(qtbot: Any,
                                                       event: AnswerEvent) -> None:
    worker = LiveSessionWorker(lambda on_event: None)  # type: ignore[arg-type, return-value]
    with qtbot.waitSignal(worker.answer, check_params_cb=lambda sent: sent == event):
        worker._on_event(event)
