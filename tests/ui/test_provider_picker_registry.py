"""The settings picker reads the app's provider table, and a server URL is kept only for the
OpenAI-compatible server, so no leftover URL waits for a cloud provider's key."""

from __future__ import annotations

from typing import Any

from smart_interview.app.answer_wiring import PROVIDERS as WIRING_PROVIDERS
from smart_interview.app.providers import PROVIDERS
from smart_interview.app.settings import Settings
from tests.ui.consent import accept_consent


def test_picker_and_wiring_share_one_provider_table(make_window: Any, qtbot: Any) -> None:
    picker = make_window().settings_view.provider_picker
    offered = [picker.provider.itemData(i) for i in range(picker.provider.count())]
    assert offered == list(PROVIDERS) == list(WIRING_PROVIDERS)
    for spec in PROVIDERS.values():
        picker.provider.setCurrentIndex(picker.provider.findData(spec.id))
        if spec.fixed_endpoint is not None:
            accept_consent(qtbot, picker)
        if spec.writes_answers:
            assert picker.model.text() == spec.default_model
        assert picker.provider.currentText() == spec.label


def test_switching_away_from_a_local_server_drops_its_url(make_window: Any,
                                                          qtbot: Any) -> None:
    window = make_window()
    picker = window.settings_view.provider_picker
    picker.provider.setCurrentIndex(picker.provider.findData("openai_compatible"))
    picker.base_url.setText("http://127.0.0.1:11434/v1")
    picker.save()
    assert window.context.settings.answers.base_url == "http://127.0.0.1:11434/v1"
    picker.provider.setCurrentIndex(picker.provider.findData("openai"))
    accept_consent(qtbot, picker)
    saved = Settings.load(window.context.paths.settings_file)
    assert saved.answers.provider == "openai" and saved.answers.base_url == ""
    assert not picker.base_url.isVisibleTo(picker)


def test_the_interview_refuses_plain_http_to_another_machine(make_window: Any,
                                                             qtbot: Any) -> None:
    window = make_window()
    settings = window.context.settings
    settings.answers.provider = "openai_compatible"
    settings.answers.base_url = "http://192.168.1.20:11434/v1"
    window.context.save_settings()
    interview = window.interview
    with qtbot.waitSignal(interview.session_stopped, timeout=60_000):
        interview.start_button.click()
    shown = interview.banner_text.text()
    assert interview.banner.isVisibleTo(interview)
    assert "Refusing to send the interview to 192.168.1.20 over plain http" in shown
    assert "--" not in shown, "the desktop app must not talk about command-line flags"
    assert interview.state == "idle"
