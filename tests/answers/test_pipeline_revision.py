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
from tests.support.waiting import wait_until

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


SLOW = Reply.text("Words of an answer to the first reading of the question.", ttft_s=0.2,
                  gap_s=0.15)


def questions_of(recorded: Recorded) -> list[QuestionDetected]:
    return [e for e in recorded.items if isinstance(e, QuestionDetected)]


def test_a_revised_question_is_updated_in_place_and_its_answer_kept_when_alike(
        pipeline: tuple[AnswerPipeline, Recorded], llm_server: LlmServer) -> None:
    llm_server.script(SLOW)
    answers, recorded = pipeline
    answers.on_segment(said(Speaker.INTERVIEWER, "Thanks.", 0.2, 0.6))
    answers.on_segment(said(Speaker.INTERVIEWER,
                            "How would you design a great living refrigerator for an API?",
                            1.0, 4.0))
    wait_until(lambda: len(llm_server.requests) == 1, timeout=5)
    answers.on_revision(Segment(Speaker.INTERVIEWER,
                                "Thanks. How would you design a great limiter for an API?",
                                0.2, 4.0, final=False), (1, 2))
    recorded.wait_done(1)
    first, revised = questions_of(recorded)
    assert revised.id == first.id and revised.revised
    assert revised.text == "How would you design a great limiter for an API?"
    assert len(llm_server.requests) == 1  # the same question (word overlap >= 0.6): kept
    assert not any(type(e).__name__ == "AnswerRestarted" for e in recorded.items)


def test_a_revision_that_changes_the_question_restarts_its_streaming_answer(
        pipeline: tuple[AnswerPipeline, Recorded], llm_server: LlmServer) -> None:
    llm_server.script(SLOW, Reply.text("The answer to the revised question."))
    answers, recorded = pipeline
    answers.on_segment(said(Speaker.INTERVIEWER, "What is your biggest weakness?", 1.0, 3.0))
    wait_until(lambda: len(llm_server.requests) == 1, timeout=5)
    answers.on_revision(Segment(Speaker.INTERVIEWER,
                                "What is your biggest rate limiter business?",
                                1.0, 3.0, final=False), (1,))
    recorded.wait_done(1)
    first, revised = questions_of(recorded)
    assert revised.id == first.id and revised.text == "What is your biggest rate limiter business?"
    restarted = [e for e in recorded.items if type(e).__name__ == "AnswerRestarted"]
    assert [e.question_id for e in restarted] == [first.id]  # type: ignore[attr-defined]
    assert len(llm_server.requests) == 2
    assert "rate limiter" in str(llm_server.requests[1].body)
    done = [e for e in recorded.items if isinstance(e, AnswerDone)]
    assert done[-1].text == "The answer to the revised question."
    wait_until(lambda: llm_server.requests[0].stream.hung_up, timeout=5)


def test_a_revision_reading_the_question_the_same_sends_nothing(
        pipeline: tuple[AnswerPipeline, Recorded]) -> None:
    answers, recorded = pipeline
    answers.on_segment(said(Speaker.INTERVIEWER, "Why do you want this job?", 1.0, 3.0))
    recorded.wait_done(1)
    before = len(recorded.items)
    answers.on_revision(Segment(Speaker.INTERVIEWER, "why do you want this job",
                                1.0, 3.0, final=False), (1,))
    answers.on_revision(Segment(Speaker.CANDIDATE, "Why do you want this role?",
                                1.0, 3.0, final=False), (1,))
    assert len(recorded.items) == before


def test_the_question_is_found_in_its_revised_turn_and_nothing_more() -> None:
    from smart_interview.answers.question_detector import QuestionDetector
    from smart_interview.answers.revised_question import revised_text

    detector = QuestionDetector()
    turn = "Tell me I'm out of project you are proud of What did you own there?"
    # two questions in one unpunctuated turn: neither takes the other's words
    assert revised_text("Tell me I'm out of project, you are proud of", turn, detector) is None
    assert revised_text("What did you own there?", turn, detector) is None
    assert revised_text("What is your biggest weakness?",
                        "Thanks. What is your biggest rate limiter business? Take your time.",
                        detector) == "What is your biggest rate limiter business?"
    assert revised_text("Why do you want this job?", "Great. I see.", detector) is None
