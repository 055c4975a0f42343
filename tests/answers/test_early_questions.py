"""Early questions: detected on the interviewer's partials, settled by the final."""

from __future__ import annotations

import time

from smart_interview.answers.context_sources import InterviewContext
from smart_interview.answers.early import word_overlap
from smart_interview.answers.pipeline import AnswerPipeline
from smart_interview.models.transcript import Segment, Speaker
from tests.answers.conftest import SAMPLE_CV, SAMPLE_JD
from tests.answers.test_pipeline import Events


def pipeline(events: Events) -> AnswerPipeline:
    return AnswerPipeline(context=InterviewContext(cv_text=SAMPLE_CV, job_description=SAMPLE_JD),
                          provider=None, emit=events, clock=time.monotonic)


def said(text: str, *, final: bool, start: float = 10.0, speaker: Speaker = Speaker.INTERVIEWER,
         end: float = 12.0) -> Segment:
    return Segment(speaker, text, start, end, final=final)


def test_a_question_on_a_partial_is_shown_at_once_and_the_final_confirms_it() -> None:
    events = Events()
    answers = pipeline(events)
    try:
        answers.on_partial(said("Tell me about a project you led", final=False), at_pause=True)
        # out before on_partial returned: the question, marked early, and its talking points
        assert [e["type"] for e in events.items] == ["question", "talking_points"]
        early = events.items[0]
        assert early["early"] is True and early["text"] == "Tell me about a project you led"
        assert events.items[1]["points"], "talking points from the CV"
        answers.on_segment(said("Tell me about a project you led.", final=True))
        questions = events.of("question")
        assert len(questions) == 2
        assert questions[1]["id"] == early["id"] and questions[1]["early"] is False
        assert questions[1]["text"] == "Tell me about a project you led."
        assert answers.stats.early == 1 and answers.stats.confirmed == 1
        assert not events.of("question_withdrawn")
    finally:
        answers.close()


def test_the_same_final_adds_no_question_and_no_second_set_of_points() -> None:
    events = Events()
    answers = pipeline(events)
    try:
        text = "What is your greatest strength as an engineer?"
        answers.on_partial(said(text, final=False))
        answers.on_segment(said(text, final=True))
        assert len({e["id"] for e in events.of("question")}) == 1
        assert len(events.of("talking_points")) == 1
        answers.on_segment(said(text, final=True, start=15.0, end=17.0))  # said again
        assert len({e["id"] for e in events.of("question")}) == 1, "a repeat is no new question"
    finally:
        answers.close()


def test_a_partial_that_stops_being_a_question_withdraws_it_at_once() -> None:
    events = Events()
    answers = pipeline(events)
    try:
        answers.on_partial(said("Would you say", final=False))
        shown = events.of("question")
        assert len(shown) == 1 and shown[0]["early"] is True
        answers.on_partial(said("Would you say that again, I missed the end.", final=False))
        assert events.items[-1] == {**events.items[-1], "type": "question_withdrawn",
                                    "question_id": shown[0]["id"]}
        answers.on_segment(said("Would you say that again, I missed the end.", final=True))
        assert len(events.of("question")) == 1 and answers.stats.withdrawn == 1
    finally:
        answers.close()


def test_a_final_that_is_no_question_withdraws_the_early_one() -> None:
    events = Events()
    answers = pipeline(events)
    try:
        answers.on_partial(said("Would you say", final=False), at_pause=True)
        answers.on_segment(said("Would you say that again, I missed the end.", final=True))
        assert [e["type"] for e in events.items][-1] == "question_withdrawn"
        assert events.items[-1]["question_id"] == events.of("question")[0]["id"]
    finally:
        answers.close()


def test_the_final_text_replaces_the_early_text_under_the_same_id() -> None:
    events = Events()
    answers = pipeline(events)
    try:
        answers.on_partial(said("Why do you want this job", final=False))
        answers.on_segment(said("Why do you want this job on the payments team?", final=True))
        first, final = events.of("question")
        assert final["id"] == first["id"] and final["early"] is False
        assert final["text"] == "Why do you want this job on the payments team?"
        assert len(events.of("talking_points")) == 2, "points again for the changed text"
    finally:
        answers.close()


def test_the_candidate_and_repeats_show_no_early_question() -> None:
    events = Events()
    answers = pipeline(events)
    try:
        answers.on_partial(said("Why do you want this job", final=False,
                                speaker=Speaker.CANDIDATE))
        assert events.items == []
        answers.on_segment(said("Why do you want this job?", final=True, start=1.0, end=3.0))
        answers.on_partial(said("Why do you want this job", final=False, start=5.0, end=7.0))
        assert len(events.of("question")) == 1, "a repeat of a recent question stays quiet"
        answers.on_partial(said("So what we do here", final=False, start=9.0))
        assert len(events.of("question")) == 1
    finally:
        answers.close()


def test_word_overlap() -> None:
    assert word_overlap("What is your greatest strength?", "what is your greatest strength") == 1
    assert word_overlap("Tell me about a project", "Tell me about a project you led") == 5 / 7
    assert word_overlap("", "") == 1.0


def test_an_early_question_whose_utterance_gave_no_final_is_withdrawn_by_the_next() -> None:
    events = Events()
    answers = pipeline(events)
    try:
        answers.on_partial(said("Why do you want this job", final=False, start=10.0))
        # no final for it (the transcriber's guards dropped it); the next utterance speaks
        answers.on_partial(said("So what we do here", final=False, start=14.0, end=15.0))
        shown = events.of("question")[0]["id"]
        assert events.of("question_withdrawn") == [
            {**events.of("question_withdrawn")[0], "question_id": shown}]
        answers.on_partial(said("What is your greatest strength", final=False, start=20.0))
        assert events.items[-2]["type"] == "question" and events.items[-2]["id"] != shown
    finally:
        answers.close()
