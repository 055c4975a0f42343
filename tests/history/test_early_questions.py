"""Early questions in the history: the final updates the early entry in place, a withdrawn
one is gone when the interview is read back."""

from __future__ import annotations

from pathlib import Path

from smart_interview.app.history import KeyringKey, open_history, start_recording
from smart_interview.models.answers import (
    AnswerDone,
    QuestionDetected,
    QuestionWithdrawn,
    TalkingPoint,
    TalkingPointsReady,
)


def test_early_questions_read_back_as_their_final_and_withdrawn_ones_are_gone(
        tmp_path: Path, keys: KeyringKey) -> None:
    recorder = start_recording(enabled=True, data_dir=tmp_path, keys=keys)
    assert recorder is not None
    recorder.on_event(QuestionDetected(emitted_at=1.0, id="q1", text="Tell me about a project",
                                       kind="prompt", early=True))
    recorder.on_event(TalkingPointsReady(emitted_at=1.0, question_id="q1",
                                         points=[TalkingPoint("Ledger migration", "CV")]))
    recorder.on_event(QuestionDetected(emitted_at=1.5, id="q1",
                                       text="Tell me about a project you led.", kind="prompt"))
    recorder.on_event(AnswerDone(emitted_at=3.0, question_id="q1", text="The ledger."))
    recorder.on_event(QuestionDetected(emitted_at=5.0, id="q2", text="Would you say",
                                       kind="yes_no", early=True))
    recorder.on_event(QuestionWithdrawn(emitted_at=5.4, question_id="q2"))
    recorder.on_event(QuestionDetected(emitted_at=8.0, id="q3", text="Why this team?",
                                       kind="direct"))
    recorder.close()
    store = open_history(tmp_path, keys=keys, retention_days=0)
    interview = store.load(recorder.interview_id)
    assert [(q.id, q.text) for q in interview.questions] == [
        ("q1", "Tell me about a project you led."), ("q3", "Why this team?")]
    first = interview.questions[0]
    assert first.talking_points == ["Ledger migration"] and first.answer == "The ledger."
    assert not first.early
    assert store.summaries()[0].question_count == 2
