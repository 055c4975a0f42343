"""Screenshots of an early question: the interview page and the overlay while the interviewer
is still finishing a question, its talking points shown and a speculative answer streaming.

An early question is on screen only until the final transcript of the sentence arrives (a
fraction of a second in a live run), so this script builds the real main window on a
throw-away home and hands the interview page the events a session sends at that moment: the
transcript lines so far, the interviewer's partial, the early question, its talking points and
the first part of its answer. Run under a virtual X server from the repository root:

    xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python scripts/make_early_screenshots.py

Writes docs/screenshots/interview-early.png and overlay-early.png.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_screenshots import ANSWER, save, settle

EARLY_PARTIAL = "And what made you decide to leave Parcelwise"


def transcript_events() -> list[object]:
    from smart_interview.models.transcript import Segment, Speaker, TranscriptUpdate

    lines = [
        (Speaker.INTERVIEWER, "Hi Dana, thanks for joining us today.", 0.6, 2.4, True),
        (Speaker.CANDIDATE, "Thanks for having me, I am happy to be here.", 3.0, 5.1, True),
        (Speaker.INTERVIEWER, "Tell me about your experience with Python services on "
                              "Kubernetes.", 6.2, 9.6, True),
        (Speaker.CANDIDATE, "Sure. At Parcelwise I led the move from a monolith to six "
                            "Python services on Kubernetes.", 11.0, 17.8, True),
        (Speaker.INTERVIEWER, EARLY_PARTIAL, 19.0, 21.7, False),
    ]
    return [TranscriptUpdate(segment=Segment(speaker=speaker, text=text, start=start, end=end,
                                             final=final), emitted_at=end + 0.3)
            for speaker, text, start, end, final in lines]


def answer_events() -> list[object]:
    from smart_interview.models.answers import (
        AnswerDelta,
        AnswerDone,
        QuestionDetected,
        TalkingPoint,
        TalkingPointsReady,
    )

    first = "Tell me about your experience with Python services on Kubernetes."
    return [
        QuestionDetected(emitted_at=9.9, id="q1", text=first, kind="prompt"),
        TalkingPointsReady(emitted_at=9.9, question_id="q1", points=[
            TalkingPoint("Led the migration from a monolith to six Python services on "
                         "Kubernetes with zero downtime.", "CV: Experience"),
            TalkingPoint("Job asks for Kubernetes in AWS: matches your Kubernetes and AWS "
                         "skills.", "Dossier: match"),
        ]),
        AnswerDone(emitted_at=11.0, question_id="q1", text=ANSWER),
        QuestionDetected(emitted_at=21.8, id="q2", text=EARLY_PARTIAL, kind="wh", early=True),
        TalkingPointsReady(emitted_at=21.8, question_id="q2", points=[
            TalkingPoint("Backend Engineer at Parcelwise, 2019–2024: led the services "
                         "migration.", "CV: Experience"),
            TalkingPoint("Northwind routes two million parcels a day: a larger scale than "
                         "Parcelwise.", "Job description"),
        ]),
        AnswerDelta(emitted_at=22.2, question_id="q2",
                    text="After five years at Parcelwise I had taken the platform as far as "
                         "its scale allowed, and I wanted "),
    ]


def main() -> int:
    home = Path(tempfile.mkdtemp(prefix="si-early-screens-"))
    os.environ["HOME"] = str(home)
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
    from keyrings.alt.file import PlaintextKeyring

    from smart_interview.app import gui
    from smart_interview.app.paths import AppPaths
    from smart_interview.models.interview import ContextSummary, SessionStarted

    keyring_backend = PlaintextKeyring()
    keyring_backend.file_path = str(home / "keyring.cfg")  # type: ignore[misc]
    app = gui.make_application()
    window = gui.build_window(AppPaths.under(home / "si"), show_first_run=False,
                              keyring_backend=keyring_backend, allow_insecure_keyring=True)
    try:
        window.resize(1280, 800)
        window.show()
        context = window.context
        answers = context.settings.answers
        answers.provider, answers.model = "openai_compatible", "llama3.1"
        answers.base_url = "http://127.0.0.1:11434/v1"
        context.save_settings()
        window.show_page("interview")
        interview = window.interview
        interview.reload_settings()
        interview._on_started(SessionStarted(  # the page as it looks 22 s into a session
            emitted_at=0.0, sources={"interviewer": "Monitor of Built-in Audio",
                                     "candidate": "Built-in Microphone"},
            context=ContextSummary(cv=True), provider="openai_compatible"))
        interview._started_at = time.monotonic() - 22
        for update in transcript_events():
            interview.transcript.add_event(update)  # type: ignore[arg-type]
        for event in answer_events():
            interview._on_answer(event)  # type: ignore[arg-type]
        window.set_overlay_visible(True)
        window.overlay.move(window.geometry().right() - 480, window.geometry().top() + 90)
        window.overlay.show_question_state("early")  # what the interview page tells it
        settle(app, 0.5)
        save(window, "interview-early")
        save(window.overlay, "overlay-early")
        interview._on_finished()
    finally:
        window.close()
        context.services.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
