"""A live interview through the real pipeline: espeak-ng speech replayed by FileSource as the
interviewer, silence as the microphone, the real tiny.en model, talking points from the CV
stored in the local account. The view shows finals, highlights the question, shows talking
points, and the overlay follows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from smart_interview.models.answers import (
    AnswerFailed,
    QuestionDetected,
    TalkingPoint,
    TalkingPointsReady,
)
from smart_interview.models.transcript import Segment, Speaker, TranscriptUpdate
from tests.support.speech import say
from tests.ui.documents import CV_LINES

WAIT = 60_000
QUESTION = "Tell me about your experience with Python services on Kubernetes."


def update(speaker: str, text: str, start: float, *, final: bool = True) -> TranscriptUpdate:
    return TranscriptUpdate(Segment(Speaker(speaker), text, start, start + 1.0, final=final),
                            emitted_at=start + 1.2)


def _silence(path: Path, seconds: float) -> Path:
    import soundfile

    soundfile.write(str(path), np.zeros(int(16_000 * seconds), dtype=np.float32), 16_000)
    return path


def _window_hearing_the_question(make_window: Any, tmp_path: Path) -> Any:
    """The main window with espeak-ng asking QUESTION as the interviewer, a silent mic."""
    interviewer = say(f"Thanks for joining us today. {QUESTION}", tmp_path / "interviewer.wav",
                      pad_s=0.8, wpm=140)
    mic = _silence(tmp_path / "mic.wav", 2.0)
    window = make_window(interviewer_file=interviewer, mic_file=mic)
    window.show()
    return window


def test_live_interview_shows_finals_question_and_talking_points(
        make_window: Any, qtbot: Any, tmp_path: Path) -> None:
    window = _window_hearing_the_question(make_window, tmp_path)
    account = window.context.services.account()
    account.upload_cv(account.preview_cv_text("\n".join(CV_LINES)))
    interview = window.interview
    assert window.context.settings.answers.provider == "none"
    window.set_overlay_visible(True)

    with qtbot.waitSignal(interview.session_started, timeout=WAIT):
        interview.start_button.click()
    assert interview.state == "live" and interview.start_button.text() == "Stop"
    assert window.overlay.status.text() == "● Listening"
    guard = window.context.services.crash_guard
    assert guard.marker.exists()  # a crash from here on is told at the next start

    transcript = interview.transcript
    qtbot.waitUntil(lambda: any("experience with python" in t.lower()
                                for t in transcript.final_texts("interviewer")), timeout=WAIT)
    panel = interview.answer_panel
    qtbot.waitUntil(lambda: panel.current is not None and bool(panel.current.points)
                    and not panel.current.early,
                    timeout=WAIT)
    question = panel.current
    assert "experience with python" in question.text.lower()
    assert panel.question.text() == question.text
    sources = [p.source for p in question.points]
    assert any(s.startswith("CV") for s in sources), sources
    points_text = panel.points_view.toPlainText()
    assert question.points[0].text[:30] in points_text
    assert "Talking points only" in panel.answer_view.toPlainText()
    assert any(line.question for line in transcript.lines)
    assert window.overlay.question.text() == question.text
    assert window.overlay.answer.text() == panel.points_text()
    assert interview.elapsed.text() != "00:00"

    with qtbot.waitSignal(interview.session_stopped, timeout=WAIT):
        interview.start_button.click()
    assert interview.state == "idle" and interview.start_button.text() == "Start"
    assert not guard.marker.exists() and guard.previous_crash() is None
    assert all(line.final for line in transcript.lines) and not transcript.partials
    assert window.overlay.status.text() == "● Not listening"
    panel.copy_points()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == panel.points_text()


def test_transcript_styles_and_follow_mode(qtbot: Any) -> None:
    from smart_interview.ui.transcript_view import TranscriptView

    view = TranscriptView()
    view.resize(400, 200)
    qtbot.addWidget(view)
    view.show()
    view.add_event(update("interviewer", "so tell me", 1.0, final=False))
    assert "font-style:italic" in view._line_html(view.partials["interviewer"])
    assert "#6f7890" in view._line_html(view.partials["interviewer"])
    for n in range(40):
        view.add_event(update("interviewer" if n % 2 else "candidate",
                              f"line number {n} of a long conversation", n))
    bar = view.browser.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == bar.maximum() and view.following
    bar.setValue(0)
    assert not view.following and view.jump_button.isVisibleTo(view)
    view.add_event(update("interviewer", "a new line", 50))
    assert bar.value() == 0, "new text must not pull the reader down while scrolled up"
    view.jump_button.click()
    assert view.following and bar.value() == bar.maximum()
    assert view.lines[-1].final and "#e6e9f2" in view._line_html(view.lines[-1])


def test_live_interview_streams_an_answer_from_the_provider(
        make_window: Any, qtbot: Any, tmp_path: Path) -> None:
    from smart_interview.app.benchmarks.llm_server import LlmServer, Reply

    interviewer = say(f"Thanks for joining us today. {QUESTION}", tmp_path / "interviewer.wav",
                      pad_s=0.8, wpm=140)
    mic = _silence(tmp_path / "mic.wav", 2.0)
    answer = ("I led the move of six Python services onto Kubernetes at Parcelwise, "
              "with zero downtime.")
    with LlmServer() as server:
        server.default_reply = Reply.text(answer, gap_s=0.02)
        window = make_window(interviewer_file=interviewer, mic_file=mic)
        settings = window.context.settings
        settings.answers.provider = "openai_compatible"
        settings.answers.model = "local-model"
        settings.answers.base_url = server.openai_base_url
        window.context.save_settings()
        window.show()
        interview = window.interview
        panel = interview.answer_panel
        with qtbot.waitSignal(interview.session_started, timeout=WAIT):
            interview.start_button.click()
        assert "answers by openai-compatible local-model" in interview.model_label.text()
        qtbot.waitUntil(lambda: panel.current is not None and panel.current.done
                        and not panel.current.early, timeout=WAIT)
        assert panel.current.answer == answer and not panel.current.error
        assert panel.answer_view.toPlainText() == answer
        assert panel.answer_state.text() == "✓ done"
        assert window.overlay.answer.text() == answer
        body = server.requests[-1].body
        assert body["model"] == "local-model" and body["stream"] is True
        assert "experience with python" in json.dumps(body).lower()
        with qtbot.waitSignal(interview.session_stopped, timeout=WAIT):
            interview.start_button.click()


def test_answer_errors_say_what_to_do(qtbot: Any) -> None:
    from smart_interview.ui.answer_panel import AnswerPanel

    panel = AnswerPanel()
    qtbot.addWidget(panel)
    panel.handle_event(QuestionDetected(emitted_at=1.0, id="q1", text="Why this company?",
                                        kind="wh"))
    panel.handle_event(TalkingPointsReady(
        emitted_at=1.0, question_id="q1",
        points=[TalkingPoint(text="Logistics at scale", source="Job description")]))
    panel.handle_event(AnswerFailed(emitted_at=2.0, question_id="q1", code="unauthorized",
                                    message="OpenAI refused the API key (401)."))
    assert panel.error.isVisibleTo(panel)
    assert "Check the API key in Settings → Answers" in panel.error.text()
    panel.handle_event(QuestionDetected(emitted_at=3.0, id="q2",
                                        text="Where do you see yourself?", kind="wh"))
    assert panel.position.text() == "2 of 2" and not panel.error.isVisibleTo(panel)
    panel.previous_button.click()
    assert panel.question.text() == "Why this company?" and panel.position.text() == "1 of 2"
    assert "Logistics at scale" in panel.points_view.toPlainText()


def test_without_a_cv_or_dossier_the_question_says_what_is_missing(
        make_window: Any, qtbot: Any, tmp_path: Path) -> None:
    from smart_interview.ui.answer_panel import NO_CONTEXT

    window = _window_hearing_the_question(make_window, tmp_path)
    interview = window.interview
    panel = interview.answer_panel
    with qtbot.waitSignal(interview.session_started, timeout=WAIT):
        interview.start_button.click()
    assert panel.context is not None and panel.context.empty
    qtbot.waitUntil(lambda: panel.current is not None and panel.current.points_ready
                    and not panel.current.early, timeout=WAIT)  # the final question
    assert "experience with python" in panel.current.text.lower()
    assert panel.points_view.toPlainText() == NO_CONTEXT
    assert "Finding talking points" not in panel.points_view.toPlainText()
    with qtbot.waitSignal(interview.session_stopped, timeout=WAIT):
        interview.start_button.click()
