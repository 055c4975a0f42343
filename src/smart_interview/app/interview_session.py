"""One interview, Qt-free, for every front end: capture sources → `LiveSession` (streaming
Whisper for both speakers) → `AnswerPipeline` (questions, talking points, streamed answers),
reporting typed `InterviewEvent`s (`models.interview`) to one callback.

`smart-interview live` prints the events; the desktop app's live worker turns them into typed
Qt signals. Both build the session from the same `InterviewOptions`, so they see the same
events from the same audio. Events arrive on the session's threads (the transcript dispatcher,
an answer's stream): the callback must be quick and thread-safe.

A revised turn (the streaming transcriber's revision pass) is forwarded as a `TranscriptUpdate`
with `replaces` set: front ends and the history replace the finals it lists by its text, and
`AnswerPipeline.on_revision` puts it in the context of later answers. Questions fire on the
first final only, never on a revision.

Questions are detected whether or not there is context; talking points need a CV, job
description or dossier; written answers need a provider. Pausing feeds silence instead of the
captured audio: nothing said while paused is transcribed. When every source is a file that
played to its end, `stop()` also answers a question said at the very end before closing.

Every request the interview makes (answers) goes through its `NetworkDoor`; `network_entries()`
is what this interview sent. With history on in the settings and a `HistoryTarget` given, each
final segment, revised turn, question, talking points and answer is appended to an encrypted
history file as it happens (`app.history`), and the file is closed when the session stops;
with history off nothing is written.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smart_interview.app import answer_wiring
from smart_interview.app.answer_wiring import AnswerOptions
from smart_interview.app.network.log import NetworkEntry
from smart_interview.app.settings import Settings
from smart_interview.app.sources import SourceOptions, open_source
from smart_interview.models.interview import ContextSummary, InterviewEvent, SessionStarted
from smart_interview.models.transcript import (
    AudioLevel,
    CaptureNotice,
    Speaker,
    TranscriptUpdate,
)

if TYPE_CHECKING:
    from faster_whisper import WhisperModel
    from keyring.backend import KeyringBackend

    from smart_interview.answers.pipeline import AnswerPipeline
    from smart_interview.app.crash_guard import CrashGuard
    from smart_interview.app.history import InterviewRecorder, KeySource
    from smart_interview.app.live_session import LiveSession, SessionNotice
    from smart_interview.app.network.door import NetworkDoor
    from smart_interview.audio.source import AudioChunk, CaptureEvent, CaptureSource
    from smart_interview.models.account import Dossier
    from smart_interview.transcription.registry import ModelRegistry
    from smart_interview.transcription.stream_events import TranscriptEvent
    from smart_interview.transcription.vad import SileroVadModel

EventSink = Callable[[InterviewEvent], None]


@dataclass(frozen=True)
class SpeechModels:
    """The loaded Whisper model and Silero VAD (shared by both speakers)."""

    whisper: WhisperModel
    vad: SileroVadModel


@dataclass(frozen=True)
class StoredContext:
    """What the app already holds for this interview: the synced CV and the chosen dossier."""

    cv_text: str = ""
    cv_summary: str = ""
    dossier: Dossier | dict[str, Any] | None = None


@dataclass(frozen=True)
class KeyringAccess:
    backend: KeyringBackend | None = None
    """A keyring backend; None is the OS keyring."""
    allow_insecure: bool = False


@dataclass(frozen=True)
class HistoryTarget:
    """Where this interview is recorded when history is on in the settings."""

    data_dir: Path
    keys: KeySource
    dossier_title: str = ""
    dossier_id: str | None = None


@dataclass(frozen=True)
class InterviewOptions:
    interviewer: SourceOptions = field(default_factory=SourceOptions)
    """The system audio (the call), or a file replayed in its place."""
    candidate: SourceOptions = field(default_factory=SourceOptions)
    """The microphone, or a file replayed in its place."""
    language: str | None = "en"
    echo_guard: bool = True
    """Drop candidate text that repeats the interviewer (speakers, no headphones)."""
    answers: AnswerOptions = field(default_factory=AnswerOptions)


class InterviewSession:
    def __init__(self, *, options: InterviewOptions, settings: Settings, speech: SpeechModels,
                 on_event: EventSink, context: StoredContext | None = None,
                 keyring: KeyringAccess | None = None,
                 clock: Callable[[], float] | None = None,
                 door: NetworkDoor | None = None,
                 history: HistoryTarget | None = None,
                 crash_guard: CrashGuard | None = None) -> None:
        from smart_interview.app.network.door import NetworkDoor

        self.options = options
        self.settings = settings
        self._speech = speech
        self._forward = on_event
        self.door = door if door is not None else NetworkDoor()
        self._network_since = self.door.log.last_id()
        self._history = history
        self._crash_guard = crash_guard
        """Marks the interview as running, so a crash is told at the next start."""
        self._guard_seen_at = 0.0
        self.recorder: InterviewRecorder | None = None
        self.history_error: Exception | None = None
        """Why this interview is not being recorded although history is on (None: it is)."""
        self._context = context or StoredContext()
        self._keyring = keyring or KeyringAccess()
        self._t0 = time.monotonic()
        self._clock = clock
        self.sources: dict[Speaker, CaptureSource] = {}
        self.live: LiveSession | None = None
        self.pipeline: AnswerPipeline | None = None
        self.paused = False
        self._ended: set[Speaker] = set()
        self._all_ended = threading.Event()
        self._stopped = False

    def clock(self) -> float:
        return self._clock() if self._clock is not None else time.monotonic() - self._t0

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> SessionStarted:
        """Builds the answers, opens and starts both sources; emits and returns
        `SessionStarted`. Raises `AppError` (answers) or the audio package's errors."""
        from smart_interview.app.live_session import LiveOptions, LiveSession

        self._t0 = time.monotonic()
        self._network_since = self.door.log.last_id()
        pipeline = answer_wiring.build(
            options=self.options.answers, settings=self.settings, on_event=self._on_event,
            clock=self.clock, dossier=self._context.dossier, cv_text=self._context.cv_text,
            cv_summary=self._context.cv_summary, keyring_backend=self._keyring.backend,
            allow_insecure_keyring=self._keyring.allow_insecure, door=self.door)
        self.pipeline = pipeline
        self.live = LiveSession(
            model=self._speech.whisper, vad=self._speech.vad, clock=self.clock,
            on_event=self._transcript_event, on_notice=self._notice,
            options=LiveOptions(language=self.options.language,
                                echo_guard=self.options.echo_guard))
        try:
            for speaker, source_options in ((Speaker.INTERVIEWER, self.options.interviewer),
                                            (Speaker.CANDIDATE, self.options.candidate)):
                self.live.attach(speaker, self._factory(speaker, source_options))
            self._start_recording()
            self.live.start()
            if self._crash_guard is not None:
                recorder = self.recorder
                self._crash_guard.interview_started(
                    recorder.interview_id if recorder is not None else None)
        except BaseException:
            self._close_pipeline()
            self._discard_recording()
            raise
        started = SessionStarted(
            emitted_at=self.clock(),
            sources={speaker.value: self.source_name(speaker) for speaker in self.sources},
            context=self.context_summary(), provider=answer_wiring.chosen_provider(
                self.options.answers, self.settings))
        self._on_event(started)
        return started

    def stop(self) -> None:
        """Stops capture, delivers every last event, then closes the answers. Blocks until
        then (the desktop app calls it on its live worker's thread)."""
        if self._stopped:
            return
        self._stopped = True
        try:
            if self.live is not None:
                self.live.stop()
            if self.pipeline is not None and self._all_ended.is_set():
                self.pipeline.finish()  # the files ended: answer a question said at the end
        finally:
            try:
                self._close_pipeline()
            finally:
                self._close_recording()
                if self._crash_guard is not None:
                    self._crash_guard.interview_stopped()

    def wait_until_sources_end(self, timeout: float) -> bool:
        """True once every source has ended by itself (replayed files that ran out)."""
        return self._all_ended.wait(timeout)

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False

    # -- what the front ends show ----------------------------------------------------------

    def network_entries(self) -> list[NetworkEntry]:
        """The requests made since this interview started (its door may serve the whole app)."""
        return self.door.log.entries(since=self._network_since)

    @property
    def errors(self) -> list[BaseException]:
        return self.live.errors if self.live is not None else []

    def context_summary(self) -> ContextSummary:
        pipeline = self.pipeline
        if pipeline is None:
            return ContextSummary()
        context = pipeline.context
        return ContextSummary(cv=bool(context.cv_text.strip()),
                              job_description=bool(context.job_description.strip()),
                              dossier=context.dossier is not None)

    def source_name(self, speaker: Speaker) -> str:
        source = self.sources.get(speaker)
        return str(getattr(source, "name", "") or "") if source is not None else ""

    def source_level(self, speaker: Speaker) -> AudioLevel | None:
        source = self.sources.get(speaker)
        if source is None:
            return None
        level = source.level
        return AudioLevel(rms=level.rms, peak=level.peak)

    # -- pieces ----------------------------------------------------------------------------

    def _factory(self, speaker: Speaker, options: SourceOptions) -> Callable[..., CaptureSource]:
        def build(on_chunk: Callable[[AudioChunk], None],
                  on_event: Callable[[CaptureEvent], None]) -> CaptureSource:
            def chunk(item: AudioChunk) -> None:
                if self.paused:
                    import numpy as np

                    from smart_interview.audio.source import AudioChunk

                    item = AudioChunk(samples=np.zeros_like(item.samples), start=item.start,
                                      source=item.source)
                on_chunk(item)

            source = open_source(speaker, options, on_chunk=chunk, on_event=on_event,
                                 clock=self.clock)
            self.sources[speaker] = source
            return source

        return build

    def _close_pipeline(self) -> None:
        pipeline, self.pipeline = self.pipeline, None
        if pipeline is not None:
            pipeline.close()

    # -- history ---------------------------------------------------------------------------

    def _start_recording(self) -> None:
        """A recorder when history is on; an unusable keyring or disk only costs the record
        (the reason is kept in `history_error`), never the interview."""
        from smart_interview.app.history import HistoryError, start_recording
        from smart_interview.sync.errors import SyncError

        target = self._history
        ui = self.settings.ui
        if target is None or not ui.history_enabled:
            return
        try:
            self.recorder = start_recording(
                enabled=True, data_dir=target.data_dir, keys=target.keys,
                dossier_title=target.dossier_title, dossier_id=target.dossier_id,
                retention_days=ui.history_retention_days)
        except (HistoryError, SyncError, OSError) as exc:
            self.history_error = exc

    def _close_recording(self) -> None:
        recorder, self.recorder = self.recorder, None
        if recorder is not None:
            recorder.close()
            if recorder.error is not None and self.history_error is None:
                self.history_error = recorder.error

    def _discard_recording(self) -> None:
        """The interview never started: its (empty) record is removed."""
        recorder, self.recorder = self.recorder, None
        if recorder is not None:
            recorder.close()
            recorder.path.unlink(missing_ok=True)

    def _on_event(self, event: InterviewEvent) -> None:
        """Every event: first into the history (when recording), then to the front end."""
        recorder = self.recorder
        if recorder is not None:
            recorder.on_event(event)
        self._forward(event)

    # -- callbacks (the live session's dispatcher thread) ----------------------------------

    def _transcript_event(self, event: TranscriptEvent) -> None:
        if event.replaces:
            self._revised(event)
            return
        self._on_event(TranscriptUpdate(segment=event.segment, emitted_at=event.emitted_at,
                                        utterance=event.utterance, at_pause=event.at_pause))
        pipeline = self.pipeline
        if event.segment.final:
            self._still_alive()
        if event.segment.final and pipeline is not None:
            pipeline.on_segment(event.segment)
        elif pipeline is not None:  # early questions (and answers, at a pause) on partials
            pipeline.on_partial(event.segment, at_pause=event.at_pause)

    def _still_alive(self) -> None:
        now = time.monotonic()
        if self._crash_guard is not None and now - self._guard_seen_at >= 15.0:
            self._guard_seen_at = now
            self._crash_guard.interview_alive()

    def _revised(self, event: TranscriptEvent) -> None:
        """A finished turn decoded again: the front ends and the history replace the finals
        it spans; the answers use its text as context. Questions never fire on it."""
        self._on_event(TranscriptUpdate(segment=event.segment, emitted_at=event.emitted_at,
                                        utterance=event.utterance, replaces=event.replaces))
        pipeline = self.pipeline
        if pipeline is not None:
            pipeline.on_revision(event.segment, event.replaces)

    def _notice(self, notice: SessionNotice) -> None:
        self._on_event(CaptureNotice(speaker=notice.speaker, kind=notice.kind,
                                     message=notice.message, at=notice.at))
        if notice.kind == "ended":
            self._ended.add(notice.speaker)
            if self._ended >= set(self.sources):
                self._all_ended.set()


def load_speech_models(registry: ModelRegistry, name: str, cpu_threads: int) -> SpeechModels:
    """Loads the live model (see `wiring.load_live_model`) and the VAD."""
    from smart_interview.app import wiring
    from smart_interview.transcription.vad import SileroVadModel

    return SpeechModels(whisper=wiring.load_live_model(registry, name, cpu_threads),
                        vad=SileroVadModel.load())
