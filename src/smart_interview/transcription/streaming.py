"""Streaming transcription of one audio source (one speaker).

`feed(samples, start)` takes 16 kHz mono float32 audio as it is captured; `finish()` ends the
stream and delivers the tail. Text comes out through `on_event` as `TranscriptEvent`s (partial
while the person speaks, one final per utterance), because decoding is asynchronous: every
stream of a session shares one `DecodeScheduler` thread and one loaded model, so a result
cannot be the return value of the `feed` call that asked for it.

Per stream: Silero VAD frame by frame → `Endpointer` → decode requests:
- partial: every `partial_interval_s` of speech, the utterance so far (coalesced: a newer
  request replaces a waiting one);
- speculative final: at the first silent frames, the whole utterance, at final priority. Its
  text is emitted at once as a partial marked `at_pause` (the likely final, for consumers that
  act early); if the silence lasts (`end_silence_s`) the same text is the final at once; if
  speech resumes it is shown as a partial instead, so the decode is not wasted;
- cut: an utterance reaching the length limit is finalised up to its quietest point and the
  rest goes on as a new utterance, with the text before it as the prompt.
The prompt of every decode is this speaker's recent final text.
When the speaker's turn ends (`turns`), its finals are decoded again as one piece, on a lane
only partials could use, and the text comes out as a `revised` event that replaces them.

Thread-safety: `feed`/`finish` come from a capture thread, results from the decode thread; one
lock guards the state and events are delivered under it, in order. `on_event` must be quick
(the app hands events to a queue).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from smart_interview.models.transcript import Segment, Speaker
from smart_interview.transcription.decoder import (
    DecodeContext,
    DecodeScheduler,
    DecodeTicket,
    Hypothesis,
    Priority,
)
from smart_interview.transcription.endpointing import (
    Action,
    Endpoint,
    Endpointer,
    EndpointOptions,
)
from smart_interview.transcription.guards import EchoGuard, GuardOptions, accept_hypothesis
from smart_interview.transcription.stream_events import EventSink, TranscriptEvent
from smart_interview.transcription.stream_state import (
    HeardAudio,
    OpenUtterance,
    SampleBuffer,
    Span,
)
from smart_interview.transcription.turns import (
    HeardFinal,
    Revision,
    TurnOptions,
    TurnTracker,
    last_chars,
)
from smart_interview.transcription.vad import FRAME, SAMPLE_RATE, SileroVadModel

_MAX_GAP_FILL_S = 10.0
_FINAL_TAIL_S = 0.4


@dataclass(frozen=True)
class StreamingOptions:
    endpoint: EndpointOptions = field(default_factory=EndpointOptions)
    guards: GuardOptions = field(default_factory=GuardOptions)
    speculative: bool = True
    prompt_chars: int = 200
    prompt_gap_s: float = 1.5
    """Earlier final text is the prompt only if it ended at most this long before the speech
    being decoded (a continuation, or the rest of a cut utterance). Older text, often another
    topic, biased the decoder into copying it ("You can call me Abigail Class 1.")."""
    audio_context_s: float = 8.0
    """A continuation (speech within `prompt_gap_s` of this speaker's last final) is decoded
    together with the audio of that final, whose text the decoder must write first, when
    both fit in this many seconds: a short piece heard alone reads worse ("As not!" for "ask
    not" after "And so my fellow Americans."). 0 turns it off."""
    turns: TurnOptions = field(default_factory=TurnOptions)
    """When a turn has ended and how it is decoded again (the revision pass)."""


class StreamingTranscriber:
    def __init__(
        self,
        *,
        speaker: Speaker,
        vad: SileroVadModel,
        scheduler: DecodeScheduler,
        on_event: EventSink,
        clock: Callable[[], float],
        options: StreamingOptions | None = None,
        echo_guard: EchoGuard | None = None,
    ) -> None:
        self.speaker = speaker
        self.options = options or StreamingOptions()
        self._vad = vad.stream()
        self._scheduler = scheduler
        self._on_event = on_event
        self._clock = clock
        self._echo = echo_guard
        self._endpointer = Endpointer(self.options.endpoint)
        self._samples = SampleBuffer()
        self._origin: float | None = None
        self._frames = 0
        self._open: OpenUtterance | None = None
        self._utterances = 0
        self._finals_pending = 0
        self._recent: deque[tuple[str, float, float]] = deque(maxlen=20)
        self._last_final: HeardAudio | None = None
        self._last_closed = (0, 0)  # audio of the latest utterance closed: kept a little
        self._final_order: deque[int] = deque()  # utterances whose final is still to come
        self._final_audio_from: dict[int, int] = {}  # their first samples: a turn's revision
        self._final_results: dict[int, tuple[Hypothesis | None, Span]] = {}
        self._turns = TurnTracker(self.options.turns, sample_rate=SAMPLE_RATE)
        self._revisions_pending = 0
        self._lock = threading.RLock()
        self._settled = threading.Condition(self._lock)
        self._finished = False
        self._final_priority = (
            Priority.INTERVIEWER_FINAL if speaker is Speaker.INTERVIEWER
            else Priority.CANDIDATE_FINAL
        )
        self._partial_priority = (
            Priority.INTERVIEWER_PARTIAL if speaker is Speaker.INTERVIEWER
            else Priority.CANDIDATE_PARTIAL
        )
        self.errors: list[BaseException] = []

    # ---- input ---------------------------------------------------------------------------

    def feed(self, samples: np.ndarray, start: float) -> None:
        """Adds audio that began at `start` (session seconds)."""
        samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        with self._lock:
            if self._finished:
                return
            if self._origin is None:
                self._origin = start
            gap = start - self._time(self._samples.total)
            if gap > _MAX_GAP_FILL_S:
                # A long hole (device paused): close what was being said, re-anchor the clock.
                self._handle(self._endpointer.flush(self._samples.total))
                self._origin += gap
            elif gap > 0.05:
                self._push(np.zeros(int(gap * SAMPLE_RATE), dtype=np.float32))
            if samples.size:
                self._push(samples)

    def finish(self, *, timeout: float = 60.0) -> None:
        """Ends the stream: the utterance in progress is finalised and its text delivered
        before this returns (or `timeout` passes)."""
        with self._lock:
            if not self._finished:
                self._finished = True
                remainder = (-self._samples.total) % FRAME
                if remainder and self._origin is not None:
                    self._push(np.zeros(remainder, dtype=np.float32))
                self._handle(self._endpointer.flush(self._samples.total))
                self._turns.end()
                self._maybe_revise()
            self._settled.wait_for(
                lambda: self._finals_pending == 0 and self._revisions_pending == 0, timeout)

    def end_turn(self) -> None:
        """The other speaker started: this speaker's turn is over, whatever the pause (its
        revision runs once the finals of the turn are out and the speaker is silent)."""
        with self._lock:
            self._turns.end()
            self._maybe_revise()

    @property
    def busy(self) -> bool:
        with self._lock:
            return (self._open is not None or self._finals_pending > 0
                or self._revisions_pending > 0)

    # ---- internals -----------------------------------------------------------------------

    def _time(self, index: int) -> float:
        return (self._origin or 0.0) + index / SAMPLE_RATE

    def _push(self, samples: np.ndarray) -> None:
        self._samples.append(samples)
        probs = self._vad.push(samples)
        for prob in probs:
            frame_start = self._frames * FRAME
            self._frames += 1
            self._handle(self._endpointer.push(float(prob), frame_start, frame_start + FRAME))
        if self._open is None:
            self._maybe_revise()
            keep = self._samples.total - int(self.options.endpoint.pre_roll_s * SAMPLE_RATE)
            closed_from, closed_to = self._last_closed
            if self._samples.total - closed_to <= self._gap_samples():
                keep = min(keep, closed_from)  # may be the audio context of what comes next
            turn_from = self._turns.keep_from()
            if turn_from is not None:
                keep = min(keep, turn_from)  # may be decoded again with the rest of the turn
            if self._final_audio_from:  # finals still decoding join the turn once out
                keep = min(keep, min(self._final_audio_from.values()))
            self._samples.drop_before(keep - FRAME)

    def _handle(self, endpoints: list[Endpoint]) -> None:
        for ep in endpoints:
            if ep.action is Action.START:
                self._utterances += 1
                self._open = OpenUtterance(self._utterances, ep.utterance_start)
            elif self._open is None:
                continue
            elif ep.action is Action.PARTIAL:
                self._submit_partial(self._open, ep)
            elif ep.action is Action.SPECULATE and self.options.speculative:
                self._submit_speculative(self._open, ep)
            elif ep.action is Action.RESUME:
                # A decode already running is shown as a partial when it ends (see its `done`).
                if self._open.spec is not None:
                    self._open.spec.cancel()
                self._open.spec, self._open.spec_result = None, None
            elif ep.action is Action.END:
                self._close(self._open, ep)
                self._open = None
            elif ep.action is Action.CUT:
                self._close(self._open, ep, forced=True)
                self._utterances += 1
                self._open = OpenUtterance(self._utterances, ep.at)

    def _span(self, ep: Endpoint, audio_end: int) -> Span:
        assert self._open is not None
        return Span(self._open.number, self._time(ep.voiced_start), self._time(ep.voiced_end),
                     self._time(audio_end), self._open.start, audio_end)

    def _gap_samples(self) -> int:
        return int(self.options.prompt_gap_s * SAMPLE_RATE)

    def _submit_partial(self, utt: OpenUtterance, ep: Endpoint) -> None:
        span = self._span(ep, ep.at)
        audio = self._samples.slice(utt.start, ep.at)

        def done(hyp: Hypothesis | None, error: BaseException | None) -> None:
            with self._lock:
                if error is not None:
                    self.errors.append(error)
                elif (hyp is not None and self._open is utt and not utt.closed
                        and not (utt.spec is not None and ep.at <= utt.spec_end)):
                    # (a partial of less audio than the pause decode would step back)
                    self._emit(hyp, span, final=False)

        self._scheduler.submit(priority=self._partial_priority, stream=self.speaker.value,
                               audio=audio, context=partial(self._context, span),
                               done=done, coalesce=True)

    def _submit_speculative(self, utt: OpenUtterance, ep: Endpoint) -> None:
        span = self._span(ep, ep.at)
        audio = self._samples.slice(utt.start, ep.at)
        ticket_box: list[DecodeTicket] = []

        def done(hyp: Hypothesis | None, error: BaseException | None) -> None:
            with self._lock:
                ticket = ticket_box[0]
                if error is not None:
                    self.errors.append(error)
                    hyp = None
                if utt.spec is ticket and utt.closed:
                    # The silence lasted: this is the final, unless it looks cut short.
                    self._finals_pending -= 1
                    self._finalise(utt, hyp)
                    self._settled.notify_all()
                elif utt.spec is ticket:
                    utt.spec_result, utt.spec_done = hyp, True
                    if hyp is not None:  # the likely final, before the silence is sure
                        self._emit(hyp, span, final=False, at_pause=True)
                elif hyp is not None and self._open is utt and not utt.closed:
                    self._emit(hyp, span, final=False)  # speech resumed: reuse as a partial

        utt.spec_result, utt.spec_done = None, False
        utt.spec_end = ep.at
        ticket = self._scheduler.submit(priority=self._final_priority, stream=self.speaker.value,
                                        audio=audio, context=partial(self._context, span),
                                        done=done)
        ticket_box.append(ticket)
        utt.spec = ticket

    def _close(self, utt: OpenUtterance, ep: Endpoint, *, forced: bool = False) -> None:
        utt.closed = True
        min_voiced = int(self.options.endpoint.min_speech_s * SAMPLE_RATE)
        end = ep.at if forced else min(ep.at, ep.voiced_end + int(_FINAL_TAIL_S * SAMPLE_RATE))
        if ep.voiced_samples < min_voiced:
            if utt.spec is not None:
                utt.spec.cancel()
                utt.spec = None
            return
        utt.final_span = self._span(ep, end)
        utt.final_audio = self._samples.slice(utt.start, end)
        self._last_closed = (utt.start, end)
        self._final_order.append(utt.number)
        self._final_audio_from[utt.number] = utt.start
        if utt.spec is not None and not forced and utt.spec_end >= ep.voiced_end:
            if not utt.spec_done:
                self._finals_pending += 1  # the speculative decode's callback finalises
                return
            self._finalise(utt, utt.spec_result)
            return
        if utt.spec is not None:
            utt.spec.cancel()
            utt.spec = None
        self._decode_final(utt)

    def _finalise(self, utt: OpenUtterance, spec: Hypothesis | None) -> None:
        """Emits the speculative text as the final, or decodes again with the whole silence.

        Decoded 64 ms after the speech, tiny.en sometimes ends the text one word early; it
        then lacks the closing punctuation Whisper gives a finished sentence."""
        if spec is not None and (not spec.text.strip() or _looks_finished(spec.text)):
            assert utt.final_span is not None
            self._resolve(spec, utt.final_span)
        else:
            self._decode_final(utt)

    def _decode_final(self, utt: OpenUtterance) -> None:
        span, audio = utt.final_span, utt.final_audio
        assert span is not None and audio is not None
        self._finals_pending += 1

        def done(hyp: Hypothesis | None, error: BaseException | None) -> None:
            with self._lock:
                self._finals_pending -= 1
                if error is not None:
                    self.errors.append(error)
                self._resolve(hyp if error is None else None, span)
                self._settled.notify_all()

        self._scheduler.submit(priority=self._final_priority, stream=self.speaker.value,
                               audio=audio, context=partial(self._context, span),
                               done=done)

    def _resolve(self, hyp: Hypothesis | None, span: Span) -> None:
        """A final is known (None: nothing to show). Finals are emitted in speaking order: a
        re-decode of an earlier utterance may finish after the next one's decode."""
        self._final_results[span.number] = (hyp, span)
        while self._final_order and self._final_order[0] in self._final_results:
            number = self._final_order.popleft()
            self._final_audio_from.pop(number, None)
            ready, ready_span = self._final_results.pop(number)
            if ready is not None:
                self._emit(ready, ready_span, final=True)
        self._maybe_revise()

    def _context(self, span: Span) -> DecodeContext:
        """Called as the decode of `span` starts: the text (and maybe audio) leading up to it."""
        with self._lock:
            heard = self._last_final
            limit = int(self.options.audio_context_s * SAMPLE_RATE)
            if (heard is None or limit <= 0 or heard.audio_to > span.audio_from
                    or span.audio_from - heard.audio_to > self._gap_samples()
                    or span.audio_to - heard.audio_from > limit):
                return DecodeContext(prompt=self._prompt(span.start_s))
            lead = self._samples.slice(heard.audio_from, span.audio_from)
            if lead.size != span.audio_from - heard.audio_from:
                return DecodeContext(prompt=self._prompt(span.start_s))
            before = self._time(heard.audio_from)
            return DecodeContext(prompt=self._prompt(before), lead=lead, prefix=heard.text)

    def _maybe_revise(self) -> None:
        """Decodes the turn again if it has ended: the speaker is silent, every final of it
        is out, and the pause is long enough (or the turn was ended). Needs a spare lane."""
        if (self._open is not None or self._final_order or self._finals_pending
                or not self._turns.enabled or self._scheduler.lanes < 2):
            return
        revision = self._turns.due(self._time(self._samples.total))
        if revision is None:
            return
        audio = self._samples.slice(revision.audio_from, revision.audio_to)
        if audio.size != revision.audio_to - revision.audio_from:
            return  # already dropped (cannot happen while the tracker holds the turn)
        first, last = revision.finals[0], revision.finals[-1]
        span = Span(last.number, first.start_s, last.end_s, self._time(revision.audio_to),
                     revision.audio_from, revision.audio_to)
        self._revisions_pending += 1

        def done(hyp: Hypothesis | None, error: BaseException | None) -> None:
            with self._lock:
                self._revisions_pending -= 1
                if error is not None:
                    self.errors.append(error)
                elif hyp is not None:
                    self._emit_revision(hyp, span, revision)
                self._settled.notify_all()

        self._scheduler.submit(priority=Priority.REVISION, stream=self.speaker.value,
                               audio=audio, context=lambda: DecodeContext(
                                   revision.prompt, beam_size=self.options.turns.beam_size),
                               done=done)

    def _emit_revision(self, hyp: Hypothesis, span: Span, revision: Revision) -> None:
        text = accept_hypothesis(hyp, self.options.guards,
                                 speech_s=max(0.0, span.end_s - span.start_s))
        if not text or not revision.plausible(text, self.options.turns):
            return
        if (self._echo is not None and self.speaker is Speaker.CANDIDATE
                and self._echo.is_echo(text, span.start_s, span.end_s)):
            return
        segment = Segment(self.speaker, text, span.start_s, span.end_s, False, hyp.confidence)
        self._on_event(TranscriptEvent(segment, self._clock(), span.number, hyp.decode_s,
                                       span.audio_end_s, replaces=revision.numbers))

    def _prompt(self, speech_start: float) -> str:
        """This speaker's final text that leads up to `speech_start` without a long pause."""
        chain: list[str] = []
        with self._lock:
            following = speech_start
            for text, start, end in reversed(self._recent):
                if start >= following - 0.05:
                    continue  # at or after the speech itself (its lead's own text)
                if end > following + 0.05 or following - end > self.options.prompt_gap_s:
                    break
                chain.append(text)
                following = start
        return last_chars(" ".join(reversed(chain)), self.options.prompt_chars)

    def _emit(self, hyp: Hypothesis, span: Span, *, final: bool, at_pause: bool = False) -> None:
        text = accept_hypothesis(hyp, self.options.guards,
                                 speech_s=max(0.0, span.end_s - span.start_s))
        if not text:
            return
        if self._echo is not None:
            if self.speaker is Speaker.CANDIDATE:
                if self._echo.is_echo(text, span.start_s, span.end_s):
                    return
            else:
                self._echo.note_interviewer(text, span.start_s, span.end_s, final=final)
        if final:
            self._recent.append((text, span.start_s, span.end_s))
            self._last_final = HeardAudio(text, span.audio_from, span.audio_to)
            self._turns.heard(HeardFinal(span.number, text, span.start_s, span.end_s,
                                         span.audio_from, span.audio_to))
        segment = Segment(self.speaker, text, span.start_s, span.end_s, final, hyp.confidence)
        event = TranscriptEvent(segment, self._clock(), span.number, hyp.decode_s,
                                span.audio_end_s, at_pause=at_pause)
        self._on_event(event)


def _looks_finished(text: str) -> bool:
    return text.rstrip().rstrip("\"')]»”").endswith((".", "?", "!", "…"))
