"""The answer pipeline: final segments in, question / talking points / streamed answer out.

`on_segment` runs on the caller's thread and returns within a few milliseconds: detection,
duplicate check and BM25 talking points happen inline, so talking points are out before the
call returns. The LLM answer streams on a worker thread; a new question cancels the running
stream (its HTTP response is closed) before the new question is announced, and no event of the
old answer is emitted after that. Events go to `on_event` as the typed `models.answers`
events and, for callers that print them, to `emit` as their dicts. `on_revision` puts a
revised turn's text in place of its finals in the conversation later answers are given.

Early questions (`on_partial`, `answers.early`): an interviewer partial that reads as a
confident question is shown at once (`QuestionDetected(early=True)` and its talking points); its
final re-sends the same id with `early` False, or `QuestionWithdrawn` takes it back. With
`speculate` on, a pause partial (`at_pause`: the likely final, decoded at the first silent
frames) that is a confident question also starts the answer request. The final keeps that
stream when it is the same question (`early.same_question`), else cancels it (its HTTP
response is closed), emits `AnswerRestarted` and asks again; speech that resumes after the
pause keeps it only while the continued question still matches. `stats` counts requests per
question, answers discarded and questions withdrawn.

Locking: one lock guards the pipeline state and every emission, so events leave in order
(question → talking points → answer deltas → done/error) even though the stream runs elsewhere.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import replace

from smart_interview.answers.answer_job import AnswerJob, AnswerStats, stream_answer
from smart_interview.answers.context import ContextBuilder, TranscriptLine, replace_turn
from smart_interview.answers.context_sources import InterviewContext
from smart_interview.answers.early import EarlyQuestion, EarlyQuestions, same_question
from smart_interview.answers.hybrid import Encoder, HybridIndex, Ranker
from smart_interview.answers.providers.base import ChatProvider
from smart_interview.answers.question_tracker import QuestionTracker
from smart_interview.answers.retrieval import PassageIndex
from smart_interview.answers.talking_points import talking_points
from smart_interview.models.answers import (
    AnswerDone,
    AnswerEvent,
    AnswerFailed,
    AnswerRestarted,
    Question,
    QuestionDetected,
    QuestionWithdrawn,
    TalkingPointsReady,
)
from smart_interview.models.transcript import Segment, Speaker

Emit = Callable[[dict], None]


class AnswerPipeline:
    def __init__(self, *, context: InterviewContext, provider: ChatProvider | None,
                 clock: Callable[[], float], emit: Emit | None = None,
                 style: str = "bullets", share: str = "question",
                 tracker: QuestionTracker | None = None, budget_tokens: int = 2500,
                 quick_retry_max_s: float = 3.0,
                 on_event: Callable[[AnswerEvent], None] | None = None,
                 closers: Sequence[Callable[[], None]] = (), speculate: bool = False,
                 encoder: Encoder | None = None) -> None:
        """`on_event` receives the typed events, `emit` their dicts (either may be left
        out); `closers` run at `close()` (the app passes its httpx client's close). `share`
        is what the provider's request may contain (`context.SHARE_CHOICES`); talking points
        always use the whole context, since they never leave the process. `speculate`: ask
        for the answer on a pause partial, before the question is final. `encoder` (sentence
        embeddings) ranks the passages by meaning as well as by words (`hybrid`); the passages
        are embedded on a thread of their own, and a question asked before that is done waits
        for it."""
        self._context = context
        passages = context.passages()
        self._index: Ranker = (HybridIndex(passages, encoder, in_background=True)
                               if encoder is not None else PassageIndex(passages))
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
        self._active: AnswerJob | None = None
        self._jobs: list[AnswerJob] = []
        self._flush_timer: threading.Timer | None = None
        self._last_question: Question | None = None
        self._closed = False
        self._closers = tuple(closers)
        self._speculate = speculate
        self._early = EarlyQuestions(self._tracker)
        self._speculative: AnswerJob | None = None
        self.stats = AnswerStats()

    @property
    def context(self) -> InterviewContext:
        return self._context

    @property
    def has_provider(self) -> bool:
        return self._provider is not None

    @property
    def speculating(self) -> bool:
        """Answers are asked for at the interviewer's pause (`speculate`, with a provider)."""
        return self._speculate and self._provider is not None

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
                self._deliver(questions, final_start=segment.start)
            else:  # the candidate talks: a held interviewer fragment is as complete as it gets
                self._deliver(self._tracker.flush(float("inf")), final_start=None)
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
            self._deliver(self._tracker.flush(float("inf")), final_start=None)
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
            self._deliver(self._tracker.flush(self._clock()), final_start=None)

    def _start(self, question: Question) -> None:
        self._announce(question)
        self._ask(question)

    def _announce(self, question: Question, *, early: bool = False,
                  points: bool = True) -> None:
        self._send(QuestionDetected(emitted_at=self._clock(), id=question.id,
                                    text=question.text, kind=question.kind, early=early))
        if points:
            self._send(TalkingPointsReady(emitted_at=self._clock(), question_id=question.id,
                                          points=talking_points(self._index,
                                                                self._query(question))))

    def _query(self, question: Question) -> str:
        if question.kind == "follow_up" and self._last_question is not None:
            return f"{self._last_question.text} {question.text}"
        return question.text

    def _ask(self, question: Question, *, speculative: bool = False) -> None:
        """Cancels the running answer and, with a provider, asks for this one."""
        if self._active is not None:
            if self._active is self._speculative:
                self._drop_speculative(restart=False)
            else:
                self._active.cancellation.cancel()
            self._active = None
        self._jobs = [j for j in self._jobs if j.thread is not None and j.thread.is_alive()]
        query = self._query(question)
        if not speculative:
            self._last_question = question
        if self._provider is None:
            return
        job = AnswerJob(question, speculative=speculative)
        # a final's own line is the last transcript line; a pause partial's is not there yet
        lines = list(self._transcript) if speculative else list(self._transcript)[:-1]
        request = self._builder.build(question, lines, query=query)
        job.thread = threading.Thread(
            target=stream_answer, args=(job, request),
            kwargs={"provider": self._provider, "clock": self._clock, "send": self._send_for,
                    "quick_retry_max_s": self._quick_retry_max_s},
            name=f"answer-{question.id}", daemon=True)
        self._active = job
        self._jobs.append(job)
        self.stats.requests[question.id] += 1
        if speculative:
            self.stats.speculative += 1
            self._speculative = job
        job.thread.start()

    # -- early questions and speculative answers ------------------------------------------

    def on_partial(self, segment: Segment, at_pause: bool = False) -> None:
        """An interviewer partial (others are ignored): may show, update or withdraw an early
        question and, at a pause with `speculate` on, start its answer."""
        if (segment.final or segment.speaker is not Speaker.INTERVIEWER
                or not segment.text.strip()):
            return
        with self._lock:
            if self._closed:
                return
            orphan = self._early.orphaned_by(segment.start)
            if orphan is not None:
                self._withdraw(orphan.id)
            step = self._early.on_partial(segment.text, start=segment.start, end=segment.end)
            if step.withdrawn is not None:
                self._withdraw(step.withdrawn)
            if step.shown is not None:
                if step.new:
                    self.stats.early += 1
                self._announce(step.shown.question, early=True)
            early = self._early.open
            spec = self._speculative
            if (spec is not None and early is not None and spec.question.id == early.id
                    and not same_question(spec.question.text, early.question.text)):
                self._drop_speculative(restart=True)  # the question went on differently
                spec = None
            if (at_pause and self._speculate and self._provider is not None
                    and early is not None and spec is None and not early.awaiting_join):
                self._ask(early.question, speculative=True)

    def _deliver(self, questions: list[Question], *, final_start: float | None) -> None:
        """Questions out of the tracker (after a final, or a flush of the held fragment):
        the first settles the open early question, if this final is its own."""
        orphan = None if final_start is None else self._early.orphaned_by(final_start)
        if orphan is not None:
            self._withdraw(orphan.id)
        early = self._early.settles(final_start=final_start)
        if early is None:
            for question in questions:
                self._start(question)
            return
        if not questions:
            if self._tracker.held_until is not None and not early.awaiting_join:
                early.awaiting_join = True  # ended mid-phrase: the next final completes it
                return
            self._early.open = None
            self._withdraw(early.id)
            return
        self._early.open = None
        self._confirm(early, replace(questions[0], id=early.id))
        for question in questions[1:]:
            self._start(question)

    def _confirm(self, early: EarlyQuestion, question: Question) -> None:
        self.stats.confirmed += 1
        self._announce(question, points=question.text != early.question.text)
        spec, self._speculative = self._speculative, None
        if spec is not None and spec.question.id == question.id:
            if same_question(spec.question.text, question.text):
                self.stats.kept += 1
                self._last_question = question
                return
            self._speculative = spec
            self._drop_speculative(restart=True)
        self._ask(question)

    def _withdraw(self, question_id: str) -> None:
        spec = self._speculative
        if spec is not None and spec.question.id == question_id:
            self._drop_speculative(restart=False)
        self.stats.withdrawn += 1
        self._send(QuestionWithdrawn(emitted_at=self._clock(), question_id=question_id))

    def _drop_speculative(self, *, restart: bool) -> None:
        """Cancels the speculative request (its HTTP stream is closed; nothing more of it is
        emitted); `restart` tells the front end its text so far is void."""
        spec, self._speculative = self._speculative, None
        if spec is None:
            return
        spec.cancellation.cancel()
        if self._active is spec:
            self._active = None
        self.stats.discarded += 1
        if restart:
            self._send(AnswerRestarted(emitted_at=self._clock(), question_id=spec.question.id))

    # -- emission -----------------------------------------------------------------------

    def _send_for(self, job: AnswerJob, event: AnswerEvent) -> bool:
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

