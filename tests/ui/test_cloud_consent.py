"""Consent before a cloud provider first receives the interview, through the real widgets:
the dialog names the host and the fields (built from the user's real CV), declining keeps the
previous provider, accepting records consent for that provider and choice, sending more asks
again; a server found on this device needs no consent; the first-run setup asks about history;
and an interview with consent missing refuses to send anything."""

from __future__ import annotations

from typing import Any

from smart_interview.app.local_llm import Candidate, probe_ollama
from smart_interview.app.settings import Settings
from smart_interview.ui.first_run_wizard import FirstRunWizard
from tests.app.test_local_llm import OLLAMA_TAGS, JsonServer
from tests.ui.consent import accept_consent, consent_dialog, decline_consent
from tests.ui.documents import CV_LINES

WAIT = 30_000


def _settings_with_cv(make_window: Any) -> Any:
    window = make_window()
    account = window.context.services.account()
    account.upload_cv(account.preview_cv_text("\n".join(CV_LINES)))
    return window


def _cv_line() -> str:
    return max(CV_LINES, key=len)


def test_the_dialog_shows_host_and_fields_and_declining_keeps_the_previous_provider(
        make_window: Any, qtbot: Any) -> None:
    window = _settings_with_cv(make_window)
    picker = window.settings_view.provider_picker
    picker.provider.setCurrentIndex(picker.provider.findData("openai"))
    dialog = consent_dialog(qtbot, picker)
    assert "api.openai.com" in dialog.host_label.text()
    assert "api.openai.com" in dialog.windowTitle() or "OpenAI" in dialog.windowTitle()
    fields = dialog.fields_label.text()
    assert "the question — about" in fields and "instructions" in fields
    assert "your CV text" not in fields
    assert "your CV text" in dialog.not_sent_label.text()
    request = dialog.request_view.toPlainText()
    assert "Tell me about a time you disagreed with a colleague." in request
    assert _cv_line() not in request
    decline_consent(qtbot, picker)
    assert picker.provider_name == "none"
    saved = Settings.load(window.context.paths.settings_file)
    assert saved.answers.provider == "none" and saved.answers.cloud_consent == {}
    assert "Nothing will be sent to OpenAI" in picker.status.text()


def test_accepting_records_consent_and_sending_more_asks_again(make_window: Any,
                                                              qtbot: Any) -> None:
    window = _settings_with_cv(make_window)
    picker = window.settings_view.provider_picker
    picker.provider.setCurrentIndex(picker.provider.findData("anthropic"))
    accept_consent(qtbot, picker)
    saved = Settings.load(window.context.paths.settings_file)
    assert saved.answers.provider == "anthropic"
    assert saved.answers.cloud_consent == {"anthropic@api.anthropic.com": "question"}

    picker.share.buttons["question_transcript_context"].click()
    dialog = consent_dialog(qtbot, picker)
    assert "your CV text" in dialog.fields_label.text()
    assert _cv_line() in dialog.request_view.toPlainText()
    decline_consent(qtbot, picker)
    assert picker.share.choice == "question"
    assert Settings.load(window.context.paths.settings_file).answers.share == "question"

    picker.share.buttons["question_transcript"].click()
    dialog = accept_consent(qtbot, picker)
    assert "recent conversation lines" in dialog.fields_label.text()
    saved = Settings.load(window.context.paths.settings_file)
    assert saved.answers.share == "question_transcript"
    assert saved.answers.cloud_consent == {"anthropic@api.anthropic.com": "question_transcript"}

    picker.share.buttons["question"].click()  # less than agreed: no question asked
    assert picker.consent_dialog is None
    assert Settings.load(window.context.paths.settings_file).answers.share == "question"


def test_a_server_on_this_device_is_offered_with_its_models_and_needs_no_consent(
        make_window: Any, qtbot: Any) -> None:
    server = JsonServer({"/api/tags": (200, OLLAMA_TAGS)})
    try:
        window = make_window()
        picker = window.settings_view.provider_picker
        panel = picker.local_servers
        panel.candidates = (Candidate("Ollama", server.port, probe_ollama),)
        with qtbot.waitSignal(panel.searched, timeout=WAIT):
            panel.search_button.click()
        assert "answers stay on this device" in panel.status.text()
        [(server_found, models, use)] = panel.use_buttons
        assert [models.itemText(i) for i in range(models.count())] == ["llama3.2:latest",
                                                                       "qwen2.5:7b"]
        assert server_found.kind == "Ollama"
        # The probe went through the app's network door: the Network page lists it.
        probes = [e for e in window.context.services.door.log.entries()
                  if e.host == f"127.0.0.1:{server.port}"]
        assert [(e.method, e.path) for e in probes] == [("GET", "/api/tags")]
        models.setCurrentIndex(1)
        use.click()
    finally:
        server.close()
    assert picker.consent_dialog is None
    saved = Settings.load(window.context.paths.settings_file)
    assert (saved.answers.provider, saved.answers.base_url, saved.answers.model) == (
        "openai_compatible", f"http://127.0.0.1:{server.port}/v1", "qwen2.5:7b")
    assert saved.answers.cloud_consent == {}
    assert "Answers stay on this device" in picker.status.text()


def test_nothing_found_says_how_to_keep_answers_on_the_device(make_window: Any,
                                                              qtbot: Any) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = int(sock.getsockname()[1])
    panel = make_window().settings_view.provider_picker.local_servers
    panel.candidates = (Candidate("Ollama", closed, probe_ollama),)
    with qtbot.waitSignal(panel.searched, timeout=WAIT):
        panel.search()
    assert "No model server found on this device" in panel.status.text()
    assert panel.use_buttons == []


def test_first_run_asks_about_history_off_by_default(make_window: Any) -> None:
    window = make_window()
    wizard = FirstRunWizard(window.context)
    try:
        pages = [wizard.page(i) for i in wizard.pageIds()]
        assert pages.index(wizard.answers_page) + 1 == pages.index(wizard.history_page)
        assert not wizard.keep_history.isChecked()
        wizard.keep_history.click()
        assert Settings.load(window.context.paths.settings_file).ui.history_enabled
        assert window.settings_view.history_enabled.isChecked()
        assert wizard.provider_picker.share.choice == "question"
    finally:
        wizard.close()
        wizard.deleteLater()


def test_with_consent_missing_the_interview_refuses_to_send(make_window: Any, qtbot: Any,
                                                            file_keyring: Any) -> None:
    window = make_window()
    window.context.services.set_api_key("openai", "sk-test-1234567890abcd")
    settings = window.context.settings
    settings.answers.provider = "openai"  # e.g. a settings file written by hand
    window.context.save_settings()
    interview = window.interview
    with qtbot.waitSignal(interview.session_stopped, timeout=60_000):
        interview.start_button.click()
    shown = interview.banner_text.text()
    assert "OpenAI has not been allowed to receive your interview yet" in shown
    assert "api.openai.com would receive, for each question" in shown
    assert "Settings → Answers" in shown and "--" not in shown
    assert interview.state == "idle"
