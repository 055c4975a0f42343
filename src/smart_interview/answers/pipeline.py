"""The answer pipeline: final segments in, question / talking points / streamed answer out.

`on_segment` runs on the caller's thread and returns within a few milliseconds: detection,
duplicate check and BM25 talking points happen inline, so talking points are out before the
call returns. The LLM answer streams on a worker thread; a new question cancels the running
stream (its HTTP response is closed) before the new question is announced, and no event of the
old answer is emitted after that. Events go to `on_event` as the typed `models.answers`
events and, for callers that print them, to `emit` as their dicts. `on_revision` puts a
revised turn's text in place of its finals in the conversation later answers are given.

Locking: one lock guards the pipeline state and every emission, so events leave in order
(question → talking points → answer deltas → done/error) even though the stream runs elsewhere.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tenacity import Retrying, retry_if_exception, stop_after_attempt

from smart_interview.answers.context import (
    AnswerRequest,
    ContextBuilder,
    TranscriptLine,
    replace_turn,
)
from smart_interview.answers.context_sources import InterviewContext
from smart_interview.answers.errors import ProviderError
from smart_interview.answers.providers.base import Cancellation, ChatProvider
from smart_interview.answers.providers.sse import redact
from smart_interview.answers.question_tracker import QuestionTracker
from smart_interview.answers.retrieval import PassageIndex
from smart_interview.answers.talking_points import talking_points
from smart_interview.models.answers import (
    AnswerDelta,
    AnswerDone,
    AnswerEvent,
    AnswerFailed,
    Question,
    QuestionDetected,
    TalkingPointsReady,
)
from smart_interview.models.transcript import Segment, Speaker

Emit = Callable[[dict], None]


@dataclass
class _AnswerJob:
    question: Question
    cancellation: Cancellation = field(default_factory=Cancellation)
    thread: threading.Thread | None = None


class AnswerPipeline:
    def __init__(self, *, context: InterviewContext, provider: ChatProvider | None,
                 clock: Callable[[], float], emit: Emit | None = None,
                 style: str = "bullets", share: str = "question",
                 tracker: QuestionTracker | None = None, budget_tokens: int = 2500,
                 quick_retry_max_s: float = 3.0,
                 on_event: Callable[[AnswerEvent], None] | None = None,
                 closers: Sequence[Callable[[], None]] = ()) -> None:
        """`on_event` receives the typed events, `emit` their dicts (either may be left
        out); `closers` run at `close()` (the app passes its httpx client's close). `share`
        is what the provider's request may contain (`context.SHARE_CHOICES`); talking points
        always use the whole context, since they never leave the process."""
        self._context = context
        self._index = PassageIndex(context.passages())
        self._builder = ContextBuilder(context=context, index=self._index, style=style,
                                       budget_tokens=budget_tokens, share=share)
        self._provider = provider
        self._emit = emit
        self._on_event = on_event
        self._clock = clock
        self._tracker = tracker or QuestionTracker()
        self._quick_retry_max_s = quick_retry_max_s
        self._lock = threading.RLock()
        self._transcript: deque[TranscriptLine] = deque(maxlen=40)
        self._active: _AnswerJob | None = None
        self._jobs: list[_AnswerJob] = []
        self._flush_timer: threading.Timer | None = None
        self._last_question: Question | None = None
        self._closed = False
        self._closers = tuple(closers)

    @property
    def context(self) -> InterviewContext:
        return self._context

    @property
    def has_provider(self) -> bool:
        return self._provider is not None

    # -- input --------------------------------------------------------------------------

    def on_segment(self, segment: Segment) -> None:
        if not segment.final or not segment.text.strip():
            return
        with self._lock:
            if self._closed:
                return
            self._transcript.append(TranscriptLine(segment.speaker.value, segment.text.strip(),
                                                   segment.start, segment.end))
            if segment.speaker is Speaker.INTERVIEWER:
                questions = self._tracker.feed(segment.text, start=segment.start,
                                               end=segment.end)
            else:  # the candidate talks: a held interviewer fragment is as complete as it gets
                questions = self._tracker.flush(float("inf"))
            for question in questions:
                self._start(question)
            self._schedule_flush()

    def on_revision(self, segment: Segment, replaces: Sequence[int] = ()) -> None:
        """A finished turn decoded again (`replaces`: the utterance numbers of the finals it
        replaces, for callers that keep them). Its text takes the place of the lines of that
        speaker's finals between its start and end, so later questions' context reads the
        revised text. It never detects a question: questions fire on the first final."""
        text = segment.text.strip()
        if not text or not replaces:
            return
        revised = TranscriptLine(segment.speaker.value, text, segment.start, segment.end)
        with self._lock:
            if self._closed:
                return
            lines = replace_turn(self._transcript, revised)
            self._transcript.clear()
            self._transcript.extend(lines)

    def finish(self, *, timeout_s: float = 60.0) -> None:
        """End of input (a replayed file ran out): judges a held fragment now and waits up to
        `timeout_s` for the running answer to complete. `close()` still has to follow."""
        with self._lock:
            if self._closed:
                return
            for question in self._tracker.flush(float("inf")):
                self._start(question)
            self._schedule_flush()
            job = self._active
        if job is not None and job.thread is not None:
            job.thread.join(timeout=timeout_s)

    def close(self) -> None:
        """Cancels the running answer and joins every thread this pipeline started."""
        with self._lock:
            self._closed = True
            if self._flush_timer is not None:
                self._flush_timer.cancel()
            if self._active is not None:
                self._active.cancellation.cancel()
            jobs, self._jobs = self._jobs, []
        for job in jobs:
            if job.thread is not None:
                job.thread.join(timeout=10)
        for close in self._closers:
            close()
        self._closers = ()

    # -- questions ----------------------------------------------------------------------

    def _schedule_flush(self) -> None:
        if self._flush_timer is not None:
            self._flush_timer.cancel()
            self._flush_timer = None
        due = self._tracker.held_until
        if due is None:
            return
        timer = threading.Timer(max(0.0, due - self._clock()), self._flush_held)
        timer.daemon = True
        self._flush_timer = timer
        timer.start()

    def _flush_held(self) -> None:
        with self._lock:
            if self._closed:
                return
            for question in self._tracker.flush(self._clock()):
                self._start(question)

    def _start(self, question: Question) -> None:
        if self._active is not None:
            self._active.cancellation.cancel()
            self._active = None
        self._jobs = [j for j in self._jobs if j.thread is not None and j.thread.is_alive()]
        query = question.text
        if question.kind == "follow_up" and self._last_question is not None:
            query = f"{self._last_question.text} {question.text}"
        self._last_question = question
        self._send(QuestionDetected(emitted_at=self._clock(), id=question.id,
                                    text=question.text, kind=question.kind))
        self._send(TalkingPointsReady(emitted_at=self._clock(), question_id=question.id,
                                      points=talking_points(self._index, query)))
        if self._provider is None:
            return
        job = _AnswerJob(question)
        request = self._builder.build(question, list(self._transcript)[:-1], query=query)
        job.thread = threading.Thread(target=self._run_answer, args=(job, request),
                                      name=f"answer-{question.id}", daemon=True)
        self._active = job
        self._jobs.append(job)
        job.thread.start()

    # -- the streamed answer (worker thread) ----------------------------------------------

    def _run_answer(self, job: _AnswerJob, request: AnswerRequest) -> None:
        assert self._provider is not None
        provider = self._provider
        pieces: list[str] = []
        retrying = Retrying(
            stop=stop_after_attempt(2),
            retry=retry_if_exception(self._worth_a_quick_retry),
            wait=lambda state: _retry_after(state.outcome.exception() if state.outcome else None),
            sleep=job.cancellation.sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    if job.cancellation.cancelled:
                        return
                    for delta in provider.stream(request, cancel=job.cancellation):
                        pieces.append(delta)
                        if not self._send_for(job, AnswerDelta(
                                emitted_at=self._clock(), question_id=job.question.id,
                                text=delta)):
                            return
        except ProviderError as exc:
            self._send_for(job, AnswerFailed(emitted_at=self._clock(),
                                             question_id=job.question.id, code=exc.code,
                                             message=exc.message))
            return
        except Exception as exc:  # a bug must not end the session silently
            message = redact(f"The answer failed unexpectedly ({type(exc).__name__}).", ())
            self._send_for(job, AnswerFailed(emitted_at=self._clock(),
                                             question_id=job.question.id, code="internal",
                                             message=message))
            return
        self._send_for(job, AnswerDone(emitted_at=self._clock(), question_id=job.question.id,
                                       text="".join(pieces)))

    def _worth_a_quick_retry(self, exc: BaseException) -> bool:
        return (isinstance(exc, ProviderError) and exc.code == "rate_limited"
                and exc.retry_after is not None and exc.retry_after <= self._quick_retry_max_s)

    # -- emission -----------------------------------------------------------------------

    def _send_for(self, job: _AnswerJob, event: AnswerEvent) -> bool:
        with self._lock:
            if job.cancellation.cancelled or self._active is not job:
                return False
            self._send(event)
            if isinstance(event, (AnswerDone, AnswerFailed)):
                self._active = None
            return True

    def _send(self, event: AnswerEvent) -> None:
        if self._on_event is not None:
            self._on_event(event)
        if self._emit is not None:
            self._emit(event.to_dict())


def _retry_after(exc: BaseException | None) -> float:
    return float(exc.retry_after or 0.0) if isinstance(exc, ProviderError) else 0.0
