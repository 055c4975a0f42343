""""Listening for: …" on the Interview page and in Settings: the session's terms, and words the
user adds or removes, saved in the settings and shown on both pages."""

from __future__ import annotations

from typing import Any

from smart_interview.app.settings import Settings
from smart_interview.models.interview import SessionStarted


def test_words_added_and_removed_are_saved_and_shown_on_both_pages(make_window: Any) -> None:
    window = make_window()
    settings_editor = window.settings_view.vocabulary
    page_editor = window.interview.vocabulary
    assert "terms of your CV" in page_editor.listening.text()

    settings_editor.word.setText("Nimbalo")
    settings_editor.add_button.click()
    settings_editor.word.setText("  Castro   Freight ")
    settings_editor.word.returnPressed.emit()
    saved = Settings.load(window.context.paths.settings_file).transcription
    assert saved.vocabulary_added == ["Nimbalo", "Castro Freight"]
    assert page_editor.listening.text().startswith("Listening for: Nimbalo, Castro Freight,")

    page_editor.set_session_terms(("Kubernetes", "Kafka", "nimbalo"))
    assert page_editor.terms() == ("Nimbalo", "Castro Freight", "Kubernetes", "Kafka")
    page_editor.word.setText("kafka")
    page_editor.remove_button.click()
    assert page_editor.terms() == ("Nimbalo", "Castro Freight", "Kubernetes")
    assert "kafka" in page_editor.listening.toolTip()
    saved = Settings.load(window.context.paths.settings_file).transcription
    assert saved.vocabulary_removed == ["kafka"]

    page_editor.word.setText("Kafka")  # adding it back undoes the removal
    page_editor.add_button.click()
    assert "Kafka" in page_editor.terms()
    assert Settings.load(window.context.paths.settings_file).transcription \
        .vocabulary_removed == []
    assert "Kafka" in settings_editor.listening.text()


def test_the_interview_page_shows_what_the_session_listens_for(make_window: Any) -> None:
    window = make_window()
    view = window.interview
    view._on_started(SessionStarted(emitted_at=0.1, vocabulary=("gRPC", "PostgreSQL")))
    assert view.vocabulary.listening.text() == "Listening for: gRPC, PostgreSQL"
    view._on_finished()
    assert "terms of your CV" in view.vocabulary.listening.text()
