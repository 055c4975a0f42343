"""How `smart-interview live` prints the session's typed events."""

from __future__ import annotations

import io
import json

import pytest

from smart_interview.app.commands.live import Printer
from smart_interview.models.answers import QuestionDetected
from smart_interview.models.interview import ContextSummary, SessionStarted
from smart_interview.models.transcript import CaptureNotice, Segment, Speaker, TranscriptUpdate

EVENTS = [
    SessionStarted(emitted_at=0.01, sources={"interviewer": "q.wav", "candidate": "a.wav"}),
    TranscriptUpdate(Segment(Speaker.INTERVIEWER, "Why this company?", 0.5, 2.0, final=True),
                     emitted_at=2.4),
    QuestionDetected(emitted_at=2.41, id="q1", text="Why this company?", kind="direct"),
    CaptureNotice(Speaker.CANDIDATE, "ended", "a.wav ended", 3.0),
]


def test_jsonl_prints_each_event_as_its_dict() -> None:
    out = io.StringIO()
    printer = Printer(jsonl=True, stream=out)
    for event in EVENTS:
        printer.event(event)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines == [json.loads(json.dumps(e.to_dict())) for e in EVENTS]
    assert [line["type"] for line in lines] == ["started", "final", "question", "capture"]


def test_text_mode_says_when_there_is_nothing_for_talking_points(
        capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    printer = Printer(jsonl=False, stream=out)
    printer.event(EVENTS[0])
    assert "questions are shown without talking points" in capsys.readouterr().err
    printer.event(SessionStarted(emitted_at=0.0, context=ContextSummary(cv=True)))
    assert "talking points" not in capsys.readouterr().err
    for event in EVENTS[1:3]:
        printer.event(event)
    assert out.getvalue().splitlines() == ["[   0.50] INTERVIEWER: Why this company?",
                                           "[   2.41]    question: Why this company?"]
