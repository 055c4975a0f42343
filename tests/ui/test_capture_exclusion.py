"""Hide-from-capture decisions per OS, and the Windows calls against a stand-in for user32
that follows Microsoft's documentation (`tests/platform_fakes/user32.py`)."""

from __future__ import annotations

import ctypes
import sys
from ctypes import wintypes
from typing import Any

import pytest

from smart_interview.ui.capture_exclusion import (
    LINUX_NOTICE,
    MAC_NOTICE,
    OFF_NOTICE,
    OPAQUE_HINT,
    WDA_EXCLUDEFROMCAPTURE,
    WDA_MONITOR,
    WDA_NONE,
    WINDOWS_NOTICE,
    WINDOWS_OLD_NOTICE,
    WINDOWS_REFUSED_NOTICE,
    CaptureExclusionFilter,
    decide,
    load_user32,
    set_windows_affinity,
)
from tests.platform_fakes.user32 import User32, WinDLLLoader


def affinity(user32: User32, hwnd: int, value: int, *, build: int = 22631,
             translucent: bool = False) -> str:
    user32.windows.add(hwnd)
    return set_windows_affinity(user32, hwnd, value, build=build,
                                get_last_error=user32.get_last_error, translucent=translucent)


def test_windows_uses_exclude_from_capture_and_checks_it_took() -> None:
    decision = decide(platform="win32", enabled=True)
    assert decision.supported and decision.value == 0x11 == WDA_EXCLUDEFROMCAPTURE
    user32 = User32(build=19045)
    assert affinity(user32, 42, WDA_EXCLUDEFROMCAPTURE, build=19045) == WINDOWS_NOTICE
    assert user32.calls == [(42, 0x11)] and user32.affinity[42] == WDA_EXCLUDEFROMCAPTURE


def test_before_windows_10_2004_the_black_box_is_admitted() -> None:
    """The call succeeds there, and the window shows as a black box (WDA_MONITOR)."""
    user32 = User32(build=18363)  # Windows 10 1909
    assert affinity(user32, 7, WDA_EXCLUDEFROMCAPTURE, build=18363) == WINDOWS_OLD_NOTICE
    assert user32.affinity[7] == WDA_MONITOR
    # even when the build is misreported, reading the value back tells the truth
    assert affinity(User32(build=18363), 8, WDA_EXCLUDEFROMCAPTURE) == WINDOWS_OLD_NOTICE


def test_a_refusal_is_reported_with_the_error_and_what_to_do() -> None:
    user32 = User32()
    user32.layered.add(9)  # a translucent overlay is a layered window
    notice = affinity(user32, 9, WDA_EXCLUDEFROMCAPTURE, translucent=True)
    assert notice.startswith(WINDOWS_REFUSED_NOTICE) and "error 87" in notice
    assert OPAQUE_HINT in notice
    ignored = User32(layered_ignores=True)
    ignored.layered.add(9)
    notice = affinity(ignored, 9, WDA_EXCLUDEFROMCAPTURE, translucent=True)
    assert notice.startswith(WINDOWS_REFUSED_NOTICE) and "did not take" in notice
    stranger = User32()
    notice = set_windows_affinity(stranger, 5, WDA_EXCLUDEFROMCAPTURE, build=22631,
                                  get_last_error=stranger.get_last_error)
    assert "error 1400" in notice and OPAQUE_HINT not in notice  # not a window of ours


def test_turning_it_off_on_windows_sets_none() -> None:
    decision = decide(platform="win32", enabled=False)
    assert decision.value == WDA_NONE
    user32 = User32()
    affinity(user32, 1, WDA_EXCLUDEFROMCAPTURE)
    assert affinity(user32, 1, WDA_NONE) == OFF_NOTICE and user32.affinity[1] == WDA_NONE


def test_user32_is_declared_as_documented() -> None:
    loader = WinDLLLoader(User32())
    user32 = load_user32(loader)
    assert loader.loads == [("user32", {"use_last_error": True})]
    assert tuple(user32.SetWindowDisplayAffinity.argtypes) == (wintypes.HWND, wintypes.DWORD)
    assert user32.SetWindowDisplayAffinity.restype is wintypes.BOOL
    assert tuple(user32.GetWindowDisplayAffinity.argtypes) == (
        wintypes.HWND, ctypes.POINTER(wintypes.DWORD))
    assert user32.GetWindowDisplayAffinity.restype is wintypes.BOOL


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
    window.winId()  # a native window: the affinity belongs to it
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
