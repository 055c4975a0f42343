"""`AnswerPipeline.on_revision`: a revised turn takes the place of its finals in the
conversation the next answer request carries (sent to a real local server speaking the OpenAI
streaming format), and never raises a question itself."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from smart_interview.answers.context import TranscriptLine, replace_turn
from smart_interview.answers.context_sources import InterviewContext
from smart_interview.answers.pipeline import AnswerPipeline
from smart_interview.answers.providers.openai import OpenAIChatProvider
from smart_interview.app.benchmarks.llm_server import LlmServer, Reply
from smart_interview.models.answers import AnswerDone, AnswerEvent, QuestionDetected
from smart_interview.models.transcript import Segment, Speaker
from tests.answers.conftest import SAMPLE_CV

FIRST, SECOND = "I led the ledger move to cough car", "over sick weeks."
REVISED = "I led the ledger move to Kafka over six weeks."


class Recorded:
    def __init__(self) -> None:
        self.items: list[AnswerEvent] = []
        self._changed = threading.Condition()

    def __call__(self, event: AnswerEvent) -> None:
        with self._changed:
            self.items.append(event)
            self._changed.notify_all()

    def wait_done(self, count: int) -> None:
        with self._changed:
            assert self._changed.wait_for(
                lambda: sum(isinstance(e, AnswerDone) for e in self.items) >= count, 10), \
                self.items


@pytest.fixture
def pipeline(llm_server: LlmServer) -> Iterator[tuple[AnswerPipeline, Recorded]]:
    llm_server.default_reply = Reply.text("An answer.")
    recorded = Recorded()
    with httpx.Client(timeout=httpx.Timeout(5.0, read=10.0)) as client:
        provider = OpenAIChatProvider(client=client, model="gpt-test", api_key="sk-test-0123456",
                                      base_url=llm_server.openai_base_url)
        made = AnswerPipeline(context=InterviewContext(cv_text=SAMPLE_CV), provider=provider,
                              clock=time.monotonic, share="question_transcript",
                              on_event=recorded)
        try:
            yield made, recorded
        finally:
            made.close()


def said(speaker: Speaker, text: str, start: float, end: float) -> Segment:
    return Segment(speaker, text, start, end, final=True)


def conversation_sent(llm_server: LlmServer, index: int) -> str:
    user = llm_server.requests[index].body["messages"][-1]["content"]
    return user.split("## Conversation so far (latest last)\n", 1)[1].split("\n\n", 1)[0]


def test_later_answers_read_the_revised_turn(
        pipeline: tuple[AnswerPipeline, Recorded], llm_server: LlmServer) -> None:
    answers, recorded = pipeline
    answers.on_segment(said(Speaker.INTERVIEWER, "Tell me about your last project?", 0.5, 2.5))
    recorded.wait_done(1)
    answers.on_segment(said(Speaker.CANDIDATE, FIRST, 3.0, 4.6))
    answers.on_segment(said(Speaker.CANDIDATE, SECOND, 5.2, 6.3))
    answers.on_revision(Segment(Speaker.CANDIDATE, REVISED, 3.0, 6.3, final=False), (0, 1))
    questions = [e for e in recorded.items if isinstance(e, QuestionDetected)]
    assert len(questions) == 1, "a revision must not raise a question"

    answers.on_segment(said(Speaker.INTERVIEWER, "Why did you choose that over a queue?",
                            8.0, 10.0))
    recorded.wait_done(2)
    assert conversation_sent(llm_server, 1).splitlines() == [
        "Interviewer: Tell me about your last project?", f"Candidate: {REVISED}"]


def test_a_revision_of_lines_no_longer_held_changes_nothing() -> None:
    lines = [TranscriptLine("interviewer", "Any questions?", 30.0, 31.0),
             TranscriptLine("candidate", "Yes.", 32.0, 32.4)]
    revised = TranscriptLine("candidate", "Yes, two.", 2.0, 5.0)
    assert replace_turn(lines, revised) == lines
    other_speaker = TranscriptLine("interviewer", "Any questions at all?", 30.0, 31.0)
    assert replace_turn([*lines[:1], TranscriptLine("candidate", "Mm.", 30.2, 30.6)],
                        other_speaker) == [other_speaker,
                                           TranscriptLine("candidate", "Mm.", 30.2, 30.6)]
