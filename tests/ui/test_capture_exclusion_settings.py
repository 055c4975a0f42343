"""Settings shows the hide-from-capture state the overlay's window read back, not the one
that was asked for (Windows stand-in: `tests/platform_fakes/user32.py`)."""

from __future__ import annotations

from typing import Any

from smart_interview.ui.capture_exclusion import (
    OFF_NOTICE,
    WDA_MONITOR,
    WDA_NONE,
    WINDOWS_NOTICE,
    WINDOWS_OLD_NOTICE,
    NativeApis,
)
from tests.platform_fakes.user32 import User32


def as_windows(window: Any, build: int) -> User32:
    overlay = window.overlay
    user32 = User32(build=build, is_window=lambda hwnd: bool(overlay.internalWinId())
                    and hwnd == int(overlay.internalWinId()))
    overlay.exclusion.platform = "win32"
    overlay.exclusion.apis = NativeApis(user32=user32, get_last_error=user32.get_last_error,
                                        windows_build=build)
    return user32


def test_settings_show_what_windows_read_back(make_window: Any, qtbot: Any) -> None:
    window = make_window()
    window.show()
    user32 = as_windows(window, 18363)  # Windows 10 1909: a black box, not hidden
    window.overlay_button.click()
    hwnd = int(window.overlay.winId())
    assert user32.affinity[hwnd] == WDA_MONITOR
    settings = window.settings_view
    settings.load()
    assert settings.capture_notice.text() == WINDOWS_OLD_NOTICE != WINDOWS_NOTICE
    settings.hide_from_capture.setChecked(False)
    qtbot.waitUntil(lambda: settings.capture_notice.text() == OFF_NOTICE, timeout=5000)
    assert user32.affinity[hwnd] == WDA_NONE  # read back as off
    settings.hide_from_capture.setChecked(True)
    qtbot.waitUntil(lambda: settings.capture_notice.text() == WINDOWS_OLD_NOTICE, timeout=5000)
