"""Speculative answers over a real local HTTP server: asked on the pause partial, kept when
the final is the same question, cancelled (the stream really closed) and asked again when not."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from smart_interview.answers.context_sources import InterviewContext
from smart_interview.answers.pipeline import AnswerPipeline
from smart_interview.answers.providers.openai import OpenAIChatProvider
from smart_interview.app.benchmarks.llm_server import LlmServer, Reply
from smart_interview.models.transcript import Segment, Speaker
from tests.answers.conftest import SAMPLE_CV, SAMPLE_JD
from tests.answers.test_pipeline import KEY, Events
from tests.support.waiting import wait_until

SPECULATIVE = Reply.text("Early words that must never be shown", ttft_s=0.3, gap_s=0.2)
FINAL = Reply.text("The answer to the final question.")


@pytest.fixture
def make(llm_server: LlmServer) -> Iterator[Callable[..., tuple[AnswerPipeline, Events]]]:
    made: list[AnswerPipeline] = []

    def build(*, speculate: bool = True) -> tuple[AnswerPipeline, Events]:
        events = Events()
        client = httpx.Client(timeout=httpx.Timeout(5.0, read=10.0))
        provider = OpenAIChatProvider(client=client, model="gpt-test", api_key=KEY,
                                      base_url=llm_server.openai_base_url)
        pipeline = AnswerPipeline(
            context=InterviewContext(cv_text=SAMPLE_CV, job_description=SAMPLE_JD),
            provider=provider, emit=events, clock=time.monotonic, speculate=speculate,
            closers=(client.close,))
        made.append(pipeline)
        return pipeline, events

    yield build
    for pipeline in made:
        pipeline.close()


def heard(text: str, *, final: bool = False) -> Segment:
    return Segment(Speaker.INTERVIEWER, text, 10.0, 12.0, final=final)


def done(events: Events) -> Callable[[list[dict]], bool]:
    return lambda items: any(e["type"] == "answer_done" for e in items)


def test_a_matching_final_keeps_the_request_started_at_the_pause(
        make: Callable[..., tuple[AnswerPipeline, Events]], llm_server: LlmServer) -> None:
    llm_server.script(Reply.text("Kept answer.", ttft_s=0.2))
    answers, events = make()
    answers.on_partial(heard("What is your greatest strength as an engineer"), at_pause=True)
    wait_until(lambda: len(llm_server.requests) == 1, timeout=5)  # before the final
    answers.on_segment(heard("What is your greatest strength as an engineer?", final=True))
    events.wait_for(done(events))
    question_id = events.of("question")[0]["id"]
    assert answers.stats.requests == {question_id: 1} and answers.stats.kept == 1
    assert not events.of("answer_restarted")
    assert events.of("answer_done")[0]["text"] == "Kept answer."
    assert llm_server.requests[0].stream.finished


def test_a_different_final_closes_the_stream_and_asks_again(
        make: Callable[..., tuple[AnswerPipeline, Events]], llm_server: LlmServer) -> None:
    llm_server.script(SPECULATIVE, FINAL)
    answers, events = make()
    answers.on_partial(heard("Tell me about a project"), at_pause=True)
    wait_until(lambda: llm_server.requests and
               llm_server.requests[0].stream.pieces_sent >= 1, timeout=5)
    answers.on_segment(heard("Tell me about a project where you disagreed with your manager "
                             "about the deadline", final=True))
    events.wait_for(done(events))
    first, second = llm_server.requests
    wait_until(lambda: first.stream.hung_up, timeout=5)
    assert not first.stream.finished and first.stream.pieces_sent < len(SPECULATIVE.pieces)
    assert "deadline" in str(second.body) and second.stream.finished
    question_id = events.of("question")[0]["id"]
    restarted = events.of("answer_restarted")
    assert [e["question_id"] for e in restarted] == [question_id]
    after = events.items[events.items.index(restarted[0]) + 1:]
    assert "".join(e["text"] for e in after if e["type"] == "answer_delta") == FINAL_TEXT
    assert events.of("answer_done")[0]["text"] == FINAL_TEXT
    assert answers.stats.requests == {question_id: 2} and answers.stats.discarded == 1
    assert not any("never" in e.get("text", "") for e in events.of("answer_delta"))


FINAL_TEXT = "".join(FINAL.pieces)


def test_speech_resuming_with_the_same_question_keeps_one_request(
        make: Callable[..., tuple[AnswerPipeline, Events]], llm_server: LlmServer) -> None:
    llm_server.script(Reply.text("One answer.", ttft_s=0.3))
    answers, events = make()
    answers.on_partial(heard("Tell me about a project you led"), at_pause=True)
    wait_until(lambda: len(llm_server.requests) == 1, timeout=5)
    answers.on_partial(heard("Tell me about a project you led recently"))  # speech resumed
    answers.on_segment(heard("Tell me about a project you led recently.", final=True))
    events.wait_for(done(events))
    assert len(llm_server.requests) == 1 and not llm_server.hung_up
    assert not events.of("answer_restarted")
    assert sum(answers.stats.requests.values()) == 1


def test_speech_resuming_with_another_question_cancels_and_asks_again(
        make: Callable[..., tuple[AnswerPipeline, Events]], llm_server: LlmServer) -> None:
    llm_server.script(SPECULATIVE, FINAL)
    answers, events = make()
    answers.on_partial(heard("What is your greatest strength"), at_pause=True)
    wait_until(lambda: len(llm_server.requests) == 1, timeout=5)
    resumed = "What is your greatest strength and how did it help your team at Acme last year"
    answers.on_partial(heard(resumed))
    wait_until(lambda: llm_server.requests[0].stream.hung_up, timeout=5)
    assert [e["type"] for e in events.items][-1] == "answer_restarted"
    assert len(llm_server.requests) == 1, "not asked again before the question settles"
    answers.on_segment(heard(resumed + "?", final=True))
    events.wait_for(done(events))
    assert len(llm_server.requests) == 2 and answers.stats.discarded == 1
    assert events.of("answer_done")[0]["text"] == FINAL_TEXT


def test_with_speculation_off_the_answer_waits_for_the_final(
        make: Callable[..., tuple[AnswerPipeline, Events]], llm_server: LlmServer) -> None:
    answers, events = make(speculate=False)
    answers.on_partial(heard("What is your greatest strength as an engineer"), at_pause=True)
    assert events.of("question")[0]["early"] is True
    answers.on_segment(heard("What is your greatest strength as an engineer?", final=True))
    events.wait_for(done(events))
    assert len(llm_server.requests) == 1
    assert "engineer?" in str(llm_server.requests[0].body), "asked with the final's text"
    assert answers.stats.speculative == 0


def test_a_withdrawn_early_question_cancels_its_request(
        make: Callable[..., tuple[AnswerPipeline, Events]], llm_server: LlmServer) -> None:
    llm_server.script(SPECULATIVE)
    answers, events = make()
    answers.on_partial(heard("Would you say"), at_pause=True)
    wait_until(lambda: len(llm_server.requests) == 1, timeout=5)
    answers.on_segment(heard("Would you say that again, I missed the end.", final=True))
    wait_until(lambda: llm_server.requests[0].stream.hung_up, timeout=5)
    assert events.items[-1]["type"] == "question_withdrawn"
    assert not events.of("answer_delta") and answers.stats.withdrawn == 1
