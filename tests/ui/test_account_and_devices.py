"""Signing up and out against a Smart Interview server (a real one on 127.0.0.1 with its own
SQLite file), and the interview page's device banners."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.ui.consent import accept_consent

WAIT = 30_000


def test_sign_up_and_out_on_a_server(make_window: Any, qtbot: Any, tmp_path: Path) -> None:
    from smart_interview_server.embedded import start_embedded_server

    database = tmp_path / "server.db"
    server = start_embedded_server(database_url=f"sqlite:///{database}",
                                   data_dir=tmp_path / "server-data")
    try:
        window = make_window()
        window.show()
        view = window.settings_view
        view.server_url.setText(server.url)
        view.apply_server_button.click()
        assert window.context.settings.sync.server_url == server.url
        window.show_page("profile")
        panel = window.profile.account_panel
        qtbot.waitUntil(lambda: panel.job is None and "Not signed in" in panel.state.text(),
                        timeout=WAIT)
        assert panel.server_box.isVisible() and server.url in panel.server_hint.text()
        assert not panel.local_button.isVisible()

        panel.email.setText("dana@example.org")
        panel.password.setText("short")
        panel.sign_up_button.click()
        assert "at least 8 characters" in panel.message.text()
        panel.password.setText("correct horse battery")
        panel.sign_up_button.click()
        qtbot.waitUntil(lambda: "Signed in as dana@example.org" in panel.state.text(),
                        timeout=WAIT)
        assert panel.password.text() == "" and panel.sign_out_button.isVisible()
        assert window.account_label.text() == "dana@example.org"

        panel.sign_out_button.click()
        qtbot.waitUntil(lambda: "Not signed in" in panel.state.text(), timeout=WAIT)
        assert window.account_label.text() == "Not signed in"
        panel.email.setText("dana@example.org")
        panel.password.setText("wrong password!")
        panel.sign_in_button.click()
        qtbot.waitUntil(lambda: panel.message.property("role") == "error", timeout=WAIT)
        assert panel.message.text()
    finally:
        server.stop()


def test_device_drop_out_shows_a_banner_and_recovers(make_window: Any) -> None:
    from smart_interview.models.transcript import CaptureNotice, Speaker

    window = make_window()
    interview = window.interview
    interview._on_capture(CaptureNotice(Speaker.CANDIDATE, "error",
                                        "microphone: no audio for 2.0 s", 1.0))
    assert interview.banner.isVisibleTo(interview)
    assert interview.banner.property("level") == "error"
    assert "Microphone dropped out" in interview.banner_text.text()
    assert "Reconnecting by itself" in interview.banner_text.text()
    assert interview.device_labels["mic"].text() == "● Microphone: lost"
    interview._on_capture(CaptureNotice(Speaker.CANDIDATE, "reopened",
                                        "microphone is back after 1.2 s", 2.0))
    assert interview.banner.property("level") == "info"
    assert "Microphone is back" in interview.banner_text.text()
    assert interview.device_labels["mic"].property("role") == "ok"
    interview._on_capture(CaptureNotice(Speaker.INTERVIEWER, "silence_suspected",
                                        "nothing for 30 s", 3.0))
    assert "Check it is not muted" in interview.banner_text.text()
    interview.banner_close.click()
    assert not interview.banner.isVisibleTo(interview)


def test_without_a_secure_keyring_the_app_says_how_to_fix_it(make_window: Any,
                                                              qtbot: Any) -> None:
    """The product refuses a plain-file keyring (the one this test offers) and says why."""
    window = make_window(allow_insecure_keyring=False)
    window.show_page("profile")
    panel = window.profile.account_panel
    qtbot.waitUntil(lambda: panel.message.property("role") == "error", timeout=WAIT)
    assert "No secure password store is available" in panel.message.text()
    assert "To fix it" in panel.message.text()
    assert "not available yet" in panel.state.text()
    assert not panel.sign_out_button.isVisible()
    picker = window.settings_view.provider_picker
    picker.provider.setCurrentIndex(picker.provider.findData("anthropic"))
    accept_consent(qtbot, picker)
    assert "No secure password store" in picker.status.text()
