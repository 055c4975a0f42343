"""The revision pass of a `StreamingTranscriber` (a mixin of it): when a speaker's turn has
ended, its finals are decoded again as one piece on a lane only partials could use, and the
text comes out as a `revised` event that replaces them (`turns` decides when a turn ended)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from smart_interview.models.transcript import Segment, Speaker
from smart_interview.transcription.decoder import (
    DecodeContext,
    DecodeScheduler,
    Hypothesis,
    Priority,
)
from smart_interview.transcription.guards import EchoGuard, accept_hypothesis
from smart_interview.transcription.stream_events import EventSink, TranscriptEvent
from smart_interview.transcription.stream_options import StreamingOptions
from smart_interview.transcription.stream_state import OpenUtterance, SampleBuffer, Span
from smart_interview.transcription.turns import Revision, TurnTracker


class RevisionPass:
    """The state it reads is the transcriber's own (set in its `__init__`); every method is
    called with the transcriber's lock held."""

    speaker: Speaker
    options: StreamingOptions
    errors: list[BaseException]
    _open: OpenUtterance | None
    _final_order: object
    _finals_pending: int
    _revisions_pending: int
    _turns: TurnTracker
    _scheduler: DecodeScheduler
    _samples: SampleBuffer
    _lock: threading.RLock
    _settled: threading.Condition
    _echo: EchoGuard | None
    _on_event: EventSink
    _clock: Callable[[], float]

    def _time(self, index: int) -> float:
        raise NotImplementedError

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
                                   revision.prompt, beam_size=self.options.turns.beam_size,
                                   start_offsets=self.options.turns.start_offsets),
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
