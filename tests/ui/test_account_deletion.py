"""Deleting the account and changing its password from Profile → Account, against a real
backend on 127.0.0.1 (its own SQLite file): the password dialogs, wrong passwords included."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

WAIT = 30_000
PASSWORD = "velvet quarry lantern 42"
NEW_PASSWORD = "orchid tundra saxophone 7"


def _signed_up_panel(make_window: Any, qtbot: Any, url: str) -> Any:
    window = make_window()
    window.show()
    window.settings_view.server_url.setText(url)
    window.settings_view.apply_server_button.click()
    window.show_page("profile")
    panel = window.profile.account_panel
    qtbot.waitUntil(lambda: panel.job is None and "Not signed in" in panel.state.text(),
                    timeout=WAIT)
    panel.email.setText("erin@example.org")
    panel.password.setText(PASSWORD)
    panel.sign_up_button.click()
    qtbot.waitUntil(lambda: "Signed in as erin@example.org" in panel.state.text(), timeout=WAIT)
    return panel


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    """A real backend on 127.0.0.1 with its own SQLite file."""
    from smart_interview_server.embedded import start_embedded_server

    server = start_embedded_server(database_url=f"sqlite:///{tmp_path / 'server.db'}",
                                   data_dir=tmp_path / "server-data")
    try:
        yield server.url
    finally:
        server.stop()


def _login(url: str, password: str) -> int:
    return httpx.post(f"{url}/api/v1/auth/login",
                      json={"email": "erin@example.org", "password": password},
                      timeout=30).status_code


def test_deleting_a_server_account_asks_for_its_password(make_window: Any, qtbot: Any,
                                                         server_url: str) -> None:
    panel = _signed_up_panel(make_window, qtbot, server_url)
    assert panel.delete_button.isVisible() and panel.sign_out_everywhere_button.isVisible()

    dialog = panel.delete_account()
    assert dialog.password.isVisible() and "erin@example.org" in dialog.text.text()
    dialog.delete_button.click()  # nothing typed: nothing sent
    assert dialog.job is None and "Type your password" in dialog.message.text()
    dialog.password.setText("not my password")
    dialog.delete_button.click()
    qtbot.waitUntil(lambda: dialog.job is None, timeout=WAIT)
    assert "password is wrong" in dialog.message.text()
    assert dialog.message.property("role") == "error" and dialog.isVisible()
    assert dialog.password.text() == ""
    assert _login(server_url, PASSWORD) == 200  # still there

    dialog.password.setText(PASSWORD)
    with qtbot.waitSignal(dialog.deleted, timeout=WAIT):
        dialog.delete_button.click()
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: panel.job is None and "Not signed in" in panel.state.text(),
                    timeout=WAIT)
    assert not panel.delete_button.isVisible()
    assert _login(server_url, PASSWORD) == 401


def test_changing_the_password_in_a_dialog(make_window: Any, qtbot: Any,
                                           server_url: str) -> None:
    panel = _signed_up_panel(make_window, qtbot, server_url)
    dialog = panel.change_password()
    dialog.current.setText(PASSWORD)
    dialog.new.setText("password")
    dialog.repeat.setText("password")
    dialog.change_button.click()
    qtbot.waitUntil(lambda: dialog.job is None, timeout=WAIT)
    assert "most common passwords" in dialog.message.text() and dialog.isVisible()

    dialog.new.setText(NEW_PASSWORD)
    dialog.repeat.setText(NEW_PASSWORD)
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        dialog.change_button.click()
    assert "Password changed" in panel.message.text()
    assert _login(server_url, PASSWORD) == 401 and _login(server_url, NEW_PASSWORD) == 200
    assert "Signed in as erin@example.org" in panel.state.text()


def test_the_local_account_is_deleted_without_a_password(make_window: Any, qtbot: Any) -> None:
    window = make_window()
    window.show_page("profile")
    panel = window.profile.account_panel
    qtbot.waitUntil(lambda: panel.job is None, timeout=WAIT)
    panel.use_local_account()
    qtbot.waitUntil(lambda: panel.job is None and "Local account" in panel.state.text(),
                    timeout=WAIT)
    assert not panel.change_password_button.isVisibleTo(panel)
    dialog = panel.delete_account()
    assert not dialog.password.isVisibleTo(dialog)
    assert "local account on this device" in dialog.text.text()
    with qtbot.waitSignal(dialog.deleted, timeout=WAIT):
        dialog.delete_button.click()
    qtbot.waitUntil(lambda: panel.job is None and "Not signed in" in panel.state.text(),
                    timeout=WAIT)
