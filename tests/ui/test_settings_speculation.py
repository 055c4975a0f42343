"""The "Answer early" setting: saved and loaded through the settings file, and what
"Automatic" means with the provider chosen now. Also how the interview page treats early
questions (the transcript is marked only once a question is final)."""

from __future__ import annotations

from typing import Any

from smart_interview.app.settings import Settings
from smart_interview.models.answers import QuestionDetected, QuestionWithdrawn
from smart_interview.models.transcript import Segment, Speaker, TranscriptUpdate


def test_the_speculation_choice_is_saved_and_loaded(make_window: Any) -> None:
    window = make_window()
    choice = window.settings_view.speculation
    assert window.context.settings.answers.speculate == "auto"
    assert choice.choice == "auto" and choice.combo.currentText() == "Automatic"
    assert "talking points only" in choice.status.text()
    assert "extra request" in " ".join(
        w.text() for w in choice.findChildren(type(choice.status)))

    choice.combo.setCurrentIndex(choice.combo.findData("off"))
    assert Settings.load(window.context.paths.settings_file).answers.speculate == "off"
    choice.combo.setCurrentIndex(choice.combo.findData("on"))
    assert Settings.load(window.context.paths.settings_file).answers.speculate == "on"

    again = make_window()
    assert again.settings_view.speculation.choice == "on"
    assert again.settings_view.speculation.combo.currentText() == "On"


def test_automatic_says_whether_it_is_on_for_the_chosen_provider(make_window: Any) -> None:
    window = make_window()
    context = window.context
    choice = window.settings_view.speculation
    answers = context.settings.answers
    answers.provider, answers.base_url = "openai_compatible", "http://127.0.0.1:11434/v1"
    context.save_settings()
    assert choice.status.text() == "Automatic, now on: the model server is on this device."
    answers.provider, answers.base_url = "openai", ""
    context.save_settings()
    assert choice.status.text().startswith("Automatic, now off: OpenAI is a cloud provider")
    choice.combo.setCurrentIndex(choice.combo.findData("on"))
    assert "one extra request" in choice.status.text()
    assert context.settings.answers.speculate == "on"


def test_a_setting_from_a_newer_version_shows_as_automatic(make_window: Any) -> None:
    window = make_window()
    window.context.settings.answers.speculate = "sometimes"
    window.context.save_settings()
    assert window.settings_view.speculation.combo.currentText() == "Automatic"


def _interviewer_final(text: str) -> TranscriptUpdate:
    return TranscriptUpdate(segment=Segment(speaker=Speaker.INTERVIEWER, text=text, start=1.0,
                                            end=3.0, final=True), emitted_at=3.2)


def test_the_transcript_is_marked_only_for_a_final_question(make_window: Any,
                                                            qtbot: Any) -> None:
    interview = make_window().interview
    interview._on_transcript(_interviewer_final("Tell me about your Python services."))
    interview._on_transcript(_interviewer_final("Why did you leave your last job?"))
    states: list[str] = []
    interview.question_state_changed.connect(states.append)
    interview._on_answer(QuestionDetected(emitted_at=3.0, id="q1", text="Why did you leave",
                                          kind="wh", early=True))
    assert not any(line.question for line in interview.transcript.lines)
    interview._on_answer(QuestionDetected(emitted_at=3.3, id="q1",
                                          text="Why did you leave your last job?", kind="wh"))
    assert [line.question for line in interview.transcript.lines] == [False, True]
    interview._on_answer(QuestionDetected(emitted_at=4.0, id="q2", text="And Python",
                                          kind="wh", early=True))
    interview._on_answer(QuestionWithdrawn(emitted_at=4.2, question_id="q2"))
    qtbot.waitUntil(lambda: states[-1:] == ["final"], timeout=3000)
    assert states[:3] == ["early", "final", "early"] and "withdrawing" in states
    assert [line.question for line in interview.transcript.lines] == [False, True]
