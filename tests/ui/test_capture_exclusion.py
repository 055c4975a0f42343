"""Hide-from-capture decisions per OS, and the Windows call sequence against a stand-in for
user32 that returns what the documented API returns (non-zero on success, 0 on failure)."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from smart_interview.ui.capture_exclusion import (
    LINUX_NOTICE,
    MAC_NOTICE,
    OFF_NOTICE,
    WDA_EXCLUDEFROMCAPTURE,
    WDA_MONITOR,
    WDA_NONE,
    WINDOWS_NOTICE,
    WINDOWS_OLD_NOTICE,
    CaptureExclusionFilter,
    decide,
    set_windows_affinity,
)


class User32:
    """SetWindowDisplayAffinity as documented: BOOL result; WDA_EXCLUDEFROMCAPTURE fails
    (returns 0) before Windows 10 version 2004."""

    def __init__(self, *, supports_exclude: bool = True, works: bool = True) -> None:
        self.supports_exclude = supports_exclude
        self.works = works
        self.calls: list[tuple[int, int]] = []

    def SetWindowDisplayAffinity(self, hwnd: int, value: int) -> int:
        self.calls.append((hwnd, value))
        if not self.works:
            return 0
        if value == WDA_EXCLUDEFROMCAPTURE and not self.supports_exclude:
            return 0
        return 1


def test_windows_uses_exclude_from_capture() -> None:
    decision = decide(platform="win32", enabled=True)
    assert decision.supported and decision.value == 0x11 == WDA_EXCLUDEFROMCAPTURE
    user32 = User32()
    assert set_windows_affinity(user32, 42, decision.value) == WINDOWS_NOTICE
    assert user32.calls == [(42, 0x11)]


def test_old_windows_falls_back_to_monitor_and_says_so() -> None:
    user32 = User32(supports_exclude=False)
    assert set_windows_affinity(user32, 7, WDA_EXCLUDEFROMCAPTURE) == WINDOWS_OLD_NOTICE
    assert user32.calls == [(7, WDA_EXCLUDEFROMCAPTURE), (7, WDA_MONITOR)]


def test_windows_refusal_is_reported() -> None:
    notice = set_windows_affinity(User32(works=False), 7, WDA_EXCLUDEFROMCAPTURE)
    assert "refused" in notice and "visible" in notice


def test_turning_it_off_on_windows_sets_none() -> None:
    decision = decide(platform="win32", enabled=False)
    assert decision.value == WDA_NONE
    assert set_windows_affinity(User32(), 1, WDA_NONE) == OFF_NOTICE


def test_macos_is_honest_about_screencapturekit() -> None:
    decision = decide(platform="darwin", enabled=True)
    assert decision.method == "macos-sharing-type" and decision.value == 0
    assert decision.notice == MAC_NOTICE
    assert "macOS 15" in MAC_NOTICE and "may still see it" in MAC_NOTICE


@pytest.mark.parametrize("enabled", [True, False])
def test_linux_says_it_is_not_possible(enabled: bool) -> None:
    decision = decide(platform="linux", enabled=enabled)
    assert not decision.supported and decision.value is None
    assert decision.notice == LINUX_NOTICE and "cannot hide" in LINUX_NOTICE


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="checks the Linux path")
def test_filter_reapplies_when_the_native_window_changes(qtbot: Any) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication, QWidget

    window = QWidget()
    qtbot.addWidget(window)
    exclusion = CaptureExclusionFilter(window, enabled=True)
    before = exclusion.applied_count
    QApplication.sendEvent(window, QEvent(QEvent.Type.WinIdChange))
    assert exclusion.applied_count == before + 1
    assert exclusion.notice == LINUX_NOTICE


@pytest.mark.skipif(sys.platform != "win32", reason="SetWindowDisplayAffinity is Windows-only")
def test_real_windows_affinity(qtbot: Any) -> None:  # pragma: no cover - Windows only
    from PySide6.QtWidgets import QWidget

    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    exclusion = CaptureExclusionFilter(window, enabled=True)
    assert exclusion.apply() in (WINDOWS_NOTICE, WINDOWS_OLD_NOTICE)
