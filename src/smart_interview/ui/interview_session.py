"""One interview as the desktop app runs it, Qt-free: capture sources → the app's
`LiveSession` (streaming Whisper for both speakers) → the answer pipeline (questions, talking
points, streamed answers), all reporting plain dict events to one callback.

It is built and started on the live worker's QThread (loading the model takes a moment);
events arrive on the session's dispatcher thread and the worker re-emits them as Qt signals.
Context for answers comes from the device's copy of the CV and of the dossier picked for this
interview, so nothing about the interview goes to the backend. Pausing feeds silence instead
of the captured audio: nothing said while paused is transcribed.
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from smart_interview.app.settings import Settings

SPEAKER_SOURCES = {"interviewer": "loopback", "candidate": "mic"}


class InterviewSession:
    def __init__(self, *, services: Any, settings: Settings,
                 on_event: Callable[[dict], None],
                 on_capture: Callable[[str, Any], None]) -> None:
        self.services = services
        self.settings = settings
        self._on_event = on_event
        self._on_capture = on_capture
        self.sources: dict[str, Any] = {}
        self.live: Any = None
        self.pipeline: Any = None
        self.paused = False
        self.context_note = ""
        self._t0 = time.monotonic()

    def clock(self) -> float:
        return time.monotonic() - self._t0

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        from smart_interview.app.live_session import LiveOptions, LiveSession
        from smart_interview.models.transcript import Speaker

        model, vad = self.services.speech_models(self.settings)
        self._t0 = time.monotonic()
        self.pipeline = self._answer_pipeline()
        self.live = LiveSession(
            model=model, vad=vad, clock=self.clock, on_event=self._transcript_event,
            on_notice=self._notice,
            options=LiveOptions(language=self.settings.transcription.language))
        audio = self.settings.audio
        self.live.attach(Speaker.INTERVIEWER, self._factory(
            "loopback", lambda **kw: self.services.open_system_audio(audio.loopback_device,
                                                                     **kw)))
        self.live.attach(Speaker.CANDIDATE, self._factory(
            "mic", lambda **kw: self.services.open_microphone(audio.mic_device, **kw)))
        try:
            self.live.start()
        except BaseException:
            self._close_pipeline()
            raise

    def stop(self) -> None:
        try:
            if self.live is not None:
                self.live.stop()
        finally:
            self._close_pipeline()

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False

    # -- pieces ----------------------------------------------------------------------------

    def _factory(self, kind: str, opener: Callable[..., Any]) -> Callable[..., Any]:
        def build(on_chunk: Callable[[Any], None], on_event: Callable[[Any], None]) -> Any:
            def chunk(item: Any) -> None:
                if self.paused:
                    from smart_interview.audio.source import AudioChunk

                    item = AudioChunk(samples=np.zeros_like(item.samples), start=item.start,
                                      source=item.source)
                on_chunk(item)

            source = opener(on_chunk=chunk, on_event=on_event, clock=self.clock)
            self.sources[kind] = source
            return source

        return build

    def _answer_pipeline(self) -> Any:
        from smart_interview.answers.context_sources import InterviewContext
        from smart_interview.answers.pipeline import AnswerPipeline
        from smart_interview.app import answer_wiring

        cv_text, cv_summary, dossier = self.services.interview_context(self.settings)
        pipeline = answer_wiring.build(
            args=argparse.Namespace(), settings=self.settings, paths=self.services.paths,
            emit=self._on_event, clock=self.clock, dossier=dossier, cv_text=cv_text,
            cv_summary=cv_summary, keyring_backend=self.services.keyring_backend,
            allow_insecure_keyring=self.services.allow_insecure_keyring)
        if pipeline is None:  # no CV, no dossier, no provider: still spot the questions
            pipeline = AnswerPipeline(context=InterviewContext(cv_text="", cv_summary="",
                                                               job_description="",
                                                               dossier=None),
                                      provider=None, emit=self._on_event, clock=self.clock)
        return pipeline

    def _close_pipeline(self) -> None:
        pipeline, self.pipeline = self.pipeline, None
        if pipeline is not None:
            pipeline.close()

    # -- callbacks (session dispatcher thread) ---------------------------------------------

    def _transcript_event(self, event: Any) -> None:
        self._on_event(event.as_json())
        pipeline = self.pipeline
        if event.segment.final and pipeline is not None:
            pipeline.on_segment(event.segment)

    def _notice(self, notice: Any) -> None:
        speaker = getattr(notice.speaker, "value", str(notice.speaker))
        kind = SPEAKER_SOURCES.get(speaker, speaker)
        if notice.kind == "ended" and self.live is not None:
            # A replayed file reached its end: flush that speaker's last words now.
            threading.Thread(target=self.live.finish_speaker, args=(notice.speaker,),
                             name="finish-speaker", daemon=True).start()
        self._on_capture(kind, notice)
