"""The pipeline end to end over a real local HTTP server: order, timing, cancellation."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from smart_interview.answers.context_sources import InterviewContext
from smart_interview.answers.pipeline import AnswerPipeline
from smart_interview.answers.providers.anthropic import AnthropicMessagesProvider
from smart_interview.answers.providers.openai import OpenAIChatProvider
from smart_interview.app.benchmarks.llm_server import LlmServer, Reply
from smart_interview.models.transcript import Segment, Speaker
from tests.answers.conftest import SAMPLE_CV, SAMPLE_JD

KEY = "sk-pipeline-0123456789abcdef"


class Events:
    def __init__(self) -> None:
        self.items: list[dict] = []
        self._changed = threading.Condition()

    def __call__(self, event: dict) -> None:
        with self._changed:
            self.items.append(event)
            self._changed.notify_all()

    def wait_for(self, predicate: Callable[[list[dict]], bool], timeout: float = 10) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: predicate(self.items), timeout), self.items

    def of(self, kind: str, question_id: str | None = None) -> list[dict]:
        return [e for e in self.items if e["type"] == kind
                and (question_id is None or e.get("question_id", e.get("id")) == question_id)]


def clock() -> float:
    return time.monotonic()


def interviewer(text: str, end: float | None = None) -> Segment:
    end = clock() if end is None else end
    return Segment(Speaker.INTERVIEWER, text, end - 2.0, end, final=True)


def finished(question_id: str) -> Callable[[list[dict]], bool]:
    return lambda items: any(e["type"] in ("answer_done", "answer_error")
                             and e["question_id"] == question_id for e in items)


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture
def make_pipeline(llm_server: LlmServer, events: Events) -> Iterator[Callable[..., AnswerPipeline]]:
    made: list[AnswerPipeline] = []
    clients: list[httpx.Client] = []

    def make(flavour: str | None = "openai", **options: object) -> AnswerPipeline:
        client = httpx.Client(timeout=httpx.Timeout(5.0, read=10.0))
        clients.append(client)
        provider = None
        if flavour == "openai":
            provider = OpenAIChatProvider(client=client, model="gpt-test", api_key=KEY,
                                          base_url=llm_server.openai_base_url)
        elif flavour == "anthropic":
            provider = AnthropicMessagesProvider(client=client, model="claude-test", api_key=KEY,
                                                 base_url=llm_server.anthropic_base_url)
        pipeline = AnswerPipeline(
            context=InterviewContext(cv_text=SAMPLE_CV, job_description=SAMPLE_JD),
            provider=provider, emit=events, clock=clock, **options)  # type: ignore[arg-type]
        made.append(pipeline)
        return pipeline

    yield make
    for pipeline in made:
        pipeline.close()
    for client in clients:
        client.close()


@pytest.mark.parametrize("flavour", ["openai", "anthropic"])
def test_question_then_points_then_streamed_answer(flavour: str, llm_server: LlmServer,
                                                   events: Events, make_pipeline) -> None:
    llm_server.script(Reply.text("I led a team of five through the Kafka migration.",
                                 ttft_s=0.2, gap_s=0.01))
    pipeline = make_pipeline(flavour)
    final_at = clock()
    pipeline.on_segment(interviewer("so tell me about a time you led a team", final_at))
    returned_at = clock()
    kinds = [e["type"] for e in events.items]
    assert kinds == ["question", "talking_points"], "points must be out before on_segment returns"
    events.wait_for(finished("q1"))
    kinds = [e["type"] for e in events.items]
    assert kinds[:3] == ["question", "talking_points", "answer_delta"]
    assert kinds[-1] == "answer_done" and set(kinds[2:-1]) == {"answer_delta"}
    question, points = events.items[0], events.items[1]
    assert question["text"] == "so tell me about a time you led a team"
    assert question["kind"] == "prompt" and points["question_id"] == question["id"]
    assert 2 <= len(points["points"]) <= 4
    assert points["points"][0]["source"].startswith("CV")
    assert "Led a team of five" in points["points"][0]["text"]
    # how fast is `bench answers`' to measure; here only the order: points before it returned
    assert final_at <= points["emitted_at"] <= returned_at
    first_token = events.of("answer_delta")[0]["emitted_at"]
    assert first_token - final_at >= 0.2  # the server's time to first token
    done = events.of("answer_done")[0]
    assert done["text"] == "I led a team of five through the Kafka migration."
    assert "".join(e["text"] for e in events.of("answer_delta")) == done["text"]
    stamps = [e["emitted_at"] for e in events.items]
    assert stamps == sorted(stamps)


def test_a_new_question_cancels_the_running_answer(llm_server: LlmServer, events: Events,
                                                   make_pipeline) -> None:
    llm_server.script(Reply(stall_after=2), Reply.text("Postgres, because of transactions."))
    pipeline = make_pipeline()
    pipeline.on_segment(interviewer("walk me through the ledger migration"))
    events.wait_for(lambda items: len([e for e in items if e["type"] == "answer_delta"]) == 2)
    pipeline.on_segment(interviewer("which database would you choose for payments and why"))
    events.wait_for(finished("q2"))
    after_second = events.items[events.items.index(events.of("question", "q2")[0]):]
    assert all(e.get("question_id", e.get("id")) == "q2" for e in after_second)
    assert not events.of("answer_done", "q1") and not events.of("answer_error", "q1")
    assert events.of("answer_done", "q2")[0]["text"] == "Postgres, because of transactions."
    assert len(llm_server.requests) == 2


def test_rate_limit_with_short_retry_after_is_retried_once(llm_server: LlmServer,
                                                           events: Events,
                                                           make_pipeline) -> None:
    llm_server.script(Reply.http_error(429, "slow down", retry_after="1"), Reply.text("Done."))
    pipeline = make_pipeline()
    pipeline.on_segment(interviewer("have you used terraform in production"))
    events.wait_for(finished("q1"))
    assert events.of("answer_done")[0]["text"] == "Done."
    first, second = llm_server.requests
    assert second.received_at - first.received_at >= 0.9


def test_rate_limit_with_long_retry_after_is_reported(llm_server: LlmServer, events: Events,
                                                      make_pipeline) -> None:
    llm_server.script(Reply.http_error(429, "slow down", retry_after="40"))
    pipeline = make_pipeline("anthropic")
    pipeline.on_segment(interviewer("how do you handle pressure"))
    events.wait_for(finished("q1"))
    [error] = events.of("answer_error")
    assert error["code"] == "rate_limited"
    assert error["message"] == "Rate limited by Anthropic; retry in 40 s."
    assert [e["type"] for e in events.items] == ["question", "talking_points", "answer_error"]
    assert len(llm_server.requests) == 1


def test_errors_never_carry_the_key(llm_server: LlmServer, events: Events,
                                    make_pipeline) -> None:
    llm_server.script(Reply.http_error(403, f"key {KEY} may not use this model"))
    pipeline = make_pipeline()
    pipeline.on_segment(interviewer("what is your biggest weakness"))
    events.wait_for(finished("q1"))
    [error] = events.of("answer_error")
    assert error["code"] == "forbidden" and KEY not in error["message"]
    assert "[key]" in error["message"]


def test_cut_connection_keeps_the_talking_points(llm_server: LlmServer, events: Events,
                                                 make_pipeline) -> None:
    llm_server.script(Reply(cut_after=1))
    pipeline = make_pipeline()
    pipeline.on_segment(interviewer("why do you want to work here"))
    events.wait_for(finished("q1"))
    assert [e["type"] for e in events.items] == [
        "question", "talking_points", "answer_delta", "answer_error"]
    assert events.of("answer_error")[0]["code"] == "disconnected"


def test_without_a_provider_only_points_and_no_error(events: Events, make_pipeline) -> None:
    pipeline = make_pipeline(None)
    pipeline.on_segment(interviewer("have you worked with kafka"))
    pipeline.close()
    assert [e["type"] for e in events.items] == ["question", "talking_points"]


def test_candidate_speech_and_non_questions(llm_server: LlmServer, events: Events,
                                            make_pipeline) -> None:
    pipeline = make_pipeline(share="question_transcript")
    pipeline.on_segment(interviewer("we use kafka for everything here"))
    pipeline.on_segment(Segment(Speaker.CANDIDATE, "I ran Kafka at Acme for four years", 3, 5,
                                final=True))
    pipeline.on_segment(Segment(Speaker.INTERVIEWER, "how did you", 5, 6, final=False))
    assert events.items == []
    pipeline.on_segment(interviewer("how did you size the clusters"))
    events.wait_for(finished("q1"))
    user = llm_server.requests[0].body["messages"][1]["content"]
    assert "Candidate: I ran Kafka at Acme for four years" in user
    assert "Interviewer: we use kafka for everything here" in user


def test_split_question_is_answered_once_joined(events: Events, make_pipeline) -> None:
    pipeline = make_pipeline(None)
    now = clock()
    pipeline.on_segment(interviewer("tell me about a time when", now))
    assert events.items == []
    pipeline.on_segment(Segment(Speaker.INTERVIEWER, "you disagreed with product", now + 0.5,
                                now + 1.5, final=True))
    [question] = events.of("question")
    assert question["text"] == "tell me about a time when you disagreed with product"


def test_held_fragment_is_answered_after_the_pause(events: Events, make_pipeline) -> None:
    pipeline = make_pipeline(None)
    pipeline.on_segment(interviewer("what was the hardest part of the"))
    assert events.items == []
    events.wait_for(lambda items: len(items) == 2, timeout=5)
    assert events.items[0]["text"] == "what was the hardest part of the"


def test_follow_up_uses_the_previous_question_for_points(events: Events,
                                                          make_pipeline) -> None:
    pipeline = make_pipeline(None)
    pipeline.on_segment(interviewer("how did you reduce the api latency", clock() - 30))
    pipeline.on_segment(interviewer("and why was that"))
    follow_up = events.of("question")[1]
    assert follow_up["kind"] == "follow_up"
    points = events.of("talking_points", follow_up["id"])[0]["points"]
    assert any("latency" in p["text"] for p in points)


def test_close_cancels_and_joins(llm_server: LlmServer, events: Events, make_pipeline) -> None:
    llm_server.script(Reply(stall_after=1))
    pipeline = make_pipeline()
    pipeline.on_segment(interviewer("describe your ideal team"))
    events.wait_for(lambda items: bool([e for e in items if e["type"] == "answer_delta"]))
    started = time.monotonic()
    pipeline.close()
    assert time.monotonic() - started < 3
    assert not [t for t in threading.enumerate() if t.name.startswith("answer-")]
    pipeline.on_segment(interviewer("one more thing what's your notice period"))
    assert len(events.of("question")) == 1


def test_finish_answers_a_held_fragment_and_waits_for_the_answer(
        llm_server: LlmServer, events: Events, make_pipeline) -> None:
    llm_server.script(Reply.text("Mostly Go.", ttft_s=0.3))
    pipeline = make_pipeline()
    pipeline.on_segment(interviewer("which languages did you use at your"))
    assert events.items == []
    pipeline.finish(timeout_s=10)
    assert [e["type"] for e in events.items][:2] == ["question", "talking_points"]
    assert events.items[-1]["type"] == "answer_done"
    assert events.items[-1]["text"] == "Mostly Go."
