"""Settings and the overlay through their widgets: API key in the keyring shown masked,
server URL checks, overlay opacity / click-through / hide-from-capture notice, hotkeys."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from smart_interview.app.settings import Settings, UiSettings
from smart_interview.ui.capture_exclusion import LINUX_NOTICE
from tests.ui.consent import accept_consent


def test_api_key_goes_to_the_keyring_and_is_shown_masked(make_window: Any, qtbot: Any,
                                                         file_keyring: Any) -> None:
    window = make_window()
    picker = window.settings_view.provider_picker
    picker.provider.setCurrentIndex(picker.provider.findData("openai"))
    accept_consent(qtbot, picker)
    assert window.context.settings.answers.provider == "openai"
    assert picker.model.text() == "gpt-4o-mini"
    assert "Add an API key" in picker.status.text()
    picker.api_key.setText("sk-test-1234567890abcd")
    picker.save_key_button.click()
    assert file_keyring.get_password("smart-interview", "provider:openai") == \
        "sk-test-1234567890abcd", picker.status.text()
    assert picker.api_key.text() == ""
    assert picker.api_key.placeholderText() == "••••••••abcd"
    assert "sk-test" not in picker.status.text() and "••••••••abcd" in picker.status.text()
    assert picker.api_key.echoMode() == picker.api_key.EchoMode.Password
    saved = Settings.load(window.context.paths.settings_file)
    assert saved.answers.provider == "openai"
    assert "sk-test" not in window.context.paths.settings_file.read_text()
    picker.forget_key_button.click()
    assert file_keyring.get_password("smart-interview", "provider:openai") is None
    picker.provider.setCurrentIndex(picker.provider.findData("none"))
    assert "Nothing is sent to any AI provider" in picker.status.text()


def test_server_url_must_be_https_for_remote_hosts(make_window: Any) -> None:
    window = make_window()
    view = window.settings_view
    view.server_url.setText("http://accounts.example.com")
    view.apply_server_button.click()
    assert "https://" in view.server_message.text()
    assert window.context.settings.sync.server_url == ""
    view.server_url.setText("")
    view.apply_server_button.click()
    assert "local account" in view.server_message.text()


def test_overlay_opacity_click_through_and_capture_notice(make_window: Any, qtbot: Any) -> None:
    window = make_window()
    window.show()
    overlay = window.overlay
    flags = overlay.windowFlags()
    assert flags & Qt.WindowType.FramelessWindowHint
    assert flags & Qt.WindowType.WindowStaysOnTopHint
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
    window.overlay_button.click()
    assert overlay.isVisible() and window.overlay_button.text() == "Hide overlay"
    assert overlay.capture_notice.text() == LINUX_NOTICE

    overlay.opacity_slider.setValue(55)
    assert abs(overlay.windowOpacity() - 0.55) < 0.01
    assert Settings.load(window.context.paths.settings_file).ui.overlay_opacity == 0.55
    assert window.settings_view.opacity.value() == 55

    window.settings_view.click_through.setChecked(True)
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    assert overlay.windowFlags() & Qt.WindowType.WindowTransparentForInput
    assert overlay.isVisible() and overlay.click_through.isChecked()
    overlay.click_through.setChecked(False)
    assert not overlay.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    assert not window.settings_view.click_through.isChecked()
    assert "cannot hide" in window.settings_view.capture_notice.text()

    overlay.close_button.click()
    assert not overlay.isVisible() and not window.overlay_button.isChecked()
    window.hotkeys.fire("toggle_overlay")
    assert overlay.isVisible()
    window.hotkeys.fire("toggle_overlay")
    assert not overlay.isVisible()


def test_hotkeys_can_be_changed_and_conflicts_are_refused(make_window: Any) -> None:
    window = make_window()
    view = window.settings_view
    assert "not available here" in view.hotkey_notice.text()
    edits = view.hotkey_edits
    edits["next_answer"].setKeySequence(QKeySequence("Ctrl+Alt+O"))
    view.save_hotkeys()
    assert "used for both" in view.hotkey_notice.text() and "Not saved" in \
        view.hotkey_notice.text()
    assert window.context.settings.ui.hotkeys["next_answer"] == "Ctrl+Alt+Right"
    edits["next_answer"].setKeySequence(QKeySequence("Ctrl+Alt+N"))
    view.save_hotkeys()
    assert Settings.load(window.context.paths.settings_file).ui.hotkeys["next_answer"] == \
        "Ctrl+Alt+N"
    bound = [s.key().toString() for s in window.hotkeys._shortcuts]
    assert "Ctrl+Alt+N" in bound and "Ctrl+Alt+Right" not in bound
    view.reset_hotkeys_button.click()
    assert window.context.settings.ui.hotkeys == UiSettings().hotkeys


def test_history_setting_and_rerun_setup(make_window: Any, qtbot: Any) -> None:
    window = make_window()
    window.show()
    view = window.settings_view
    assert not view.retention.isEnabled()
    view.history_enabled.setChecked(True)
    view.retention.setValue(7)
    saved = Settings.load(window.context.paths.settings_file)
    assert saved.ui.history_enabled and saved.ui.history_retention_days == 7
    view.setup_button.click()
    qtbot.waitUntil(lambda: window.wizard is not None and window.wizard.isVisible())
    window.wizard.reject()
