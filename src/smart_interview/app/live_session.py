"""A live session: capture sources → streaming transcribers → one event sink. No Qt.

The interviewer is whatever the loopback (system audio) source hears, the candidate whatever
the microphone hears. Both transcribers share one loaded Whisper model, one Silero session and
the decode lanes (`DecodeScheduler`), and an `EchoGuard` so the interviewer leaking into the
microphone is not transcribed twice. Events reach `on_event` from one dispatcher thread, in
the order they were produced, so a slow sink (a printer, the answers pipeline, a Qt bridge)
never holds up decoding. `app.interview_session.InterviewSession` drives it for both the
command line and the desktop app.

`stop()` (Ctrl-C, window closed) stops the sources, which deliver the audio captured up to that
moment, finalises what each speaker was saying, and returns once every event was delivered.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from smart_interview.models.transcript import Speaker
from smart_interview.transcription.decoder import DecodeScheduler, WhisperDecoder
from smart_interview.transcription.guards import EchoGuard
from smart_interview.transcription.stream_events import TranscriptEvent
from smart_interview.transcription.streaming import StreamingOptions, StreamingTranscriber
from smart_interview.transcription.vad import SileroVadModel

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

    from smart_interview.audio.source import AudioChunk, CaptureEvent


class Source(Protocol):
    name: str

    def start(self) -> None: ...
    def stop(self) -> None: ...


SourceFactory = Callable[
    [Callable[["AudioChunk"], None], Callable[["CaptureEvent"], None]], Source
]
"""Builds a capture source given its `on_chunk` and `on_event` callbacks."""


@dataclass(frozen=True)
class SessionNotice:
    """Something about the session itself (a capture error, a device change)."""

    speaker: Speaker
    kind: str
    message: str
    at: float


@dataclass
class LiveOptions:
    language: str | None = "en"
    streaming: StreamingOptions = field(default_factory=StreamingOptions)
    echo_guard: bool = True
    trim_encoder: bool = True


_STOP = object()


class LiveSession:
    def __init__(
        self,
        *,
        model: WhisperModel,
        vad: SileroVadModel,
        clock: Callable[[], float],
        on_event: Callable[[TranscriptEvent], None],
        on_notice: Callable[[SessionNotice], None] | None = None,
        options: LiveOptions | None = None,
    ) -> None:
        self.options = options or LiveOptions()
        self.clock = clock
        self._on_event = on_event
        self._on_notice = on_notice
        self.decoder = WhisperDecoder(model, language=self.options.language,
                                      trim_encoder=self.options.trim_encoder)
        # one decode lane per model worker (see `wiring.load_live_model`)
        self.scheduler = DecodeScheduler(
            self.decoder, lanes=max(1, int(getattr(model.model, "num_workers", 1))))
        self.echo_guard = EchoGuard() if self.options.echo_guard else None
        self._outbox: queue.Queue[Any] = queue.Queue()
        self.transcribers = {
            speaker: StreamingTranscriber(
                speaker=speaker, vad=vad, scheduler=self.scheduler, on_event=self._outbox.put,
                clock=clock, options=self.options.streaming, echo_guard=self.echo_guard,
            )
            for speaker in (Speaker.INTERVIEWER, Speaker.CANDIDATE)
        }
        self.sources: dict[Speaker, Source] = {}
        self._dispatcher: threading.Thread | None = None
        self._stopped = False
        self.sink_errors: list[BaseException] = []

    def attach(self, speaker: Speaker, factory: SourceFactory) -> Source:
        """Builds the source for `speaker` with this session's callbacks (not started)."""
        transcriber = self.transcribers[speaker]

        def on_chunk(chunk: AudioChunk) -> None:
            transcriber.feed(chunk.samples, chunk.start)

        def on_event(event: CaptureEvent) -> None:
            self._outbox.put(SessionNotice(speaker, event.kind, event.message, event.at))
            if event.kind == "ended":  # a replayed file ran out: its last words are final now
                transcriber.finish()

        source = factory(on_chunk, on_event)
        self.sources[speaker] = source
        return source

    def feed(self, speaker: Speaker, samples: Any, start: float) -> None:
        """Audio for `speaker` from the caller's own capture (instead of an attached source)."""
        self.transcribers[speaker].feed(samples, start)

    def start(self) -> None:
        self.scheduler.start()
        self._dispatcher = threading.Thread(target=self._dispatch, name="live-events",
                                            daemon=True)
        self._dispatcher.start()
        started: list[Source] = []
        try:
            for source in self.sources.values():
                source.start()
                started.append(source)
        except BaseException:
            for source in started:
                source.stop()
            self._shutdown()
            raise

    def finish_speaker(self, speaker: Speaker) -> None:
        """That source ended (a file played to its end): flush its tail now."""
        self.transcribers[speaker].finish()

    def stop(self) -> None:
        """Stops capture, flushes each speaker's tail, delivers every event, then returns."""
        if self._stopped:
            return
        self._stopped = True
        for source in self.sources.values():
            source.stop()
        self._shutdown()

    def _shutdown(self) -> None:
        for transcriber in self.transcribers.values():
            transcriber.finish()
        self.scheduler.stop()
        self._outbox.put(_STOP)
        if self._dispatcher is not None:
            self._dispatcher.join()
            self._dispatcher = None

    @property
    def errors(self) -> list[BaseException]:
        found = [e for t in self.transcribers.values() for e in t.errors]
        return found + self.sink_errors

    def _dispatch(self) -> None:
        while (item := self._outbox.get()) is not _STOP:
            try:
                if isinstance(item, TranscriptEvent):
                    self._on_event(item)
                elif self._on_notice is not None:
                    self._on_notice(item)
            except Exception as exc:  # a broken sink must not stop the transcript
                self.sink_errors.append(exc)
