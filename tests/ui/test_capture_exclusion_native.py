"""The capture exclusion through the widgets, with the native APIs replaced by stand-ins that
follow their documentation: user32 (`tests/platform_fakes/user32.py`) and the Objective-C
runtime (`tests/platform_fakes/objc.py`); and the overlay's macOS tool-window attribute."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from smart_interview.ui.capture_exclusion import (
    MAC_NOTICE,
    MAC_PENDING_NOTICE,
    OPAQUE_HINT,
    WDA_EXCLUDEFROMCAPTURE,
    WDA_MONITOR,
    WINDOWS_NOTICE,
    WINDOWS_OLD_NOTICE,
    CaptureExclusionFilter,
    NativeApis,
)
from smart_interview.ui.overlay_window import OverlayWindow
from tests.platform_fakes.objc import ObjC
from tests.platform_fakes.user32 import User32


@pytest.fixture
def context(qtbot: Any, tmp_path: Path) -> Any:
    """What the overlay reads: the settings and where to save them (no account services)."""
    from smart_interview.app.paths import AppPaths
    from smart_interview.app.settings import Settings
    from smart_interview.ui.context import UiContext

    return UiContext(paths=AppPaths.under(tmp_path / "smart-interview"), settings=Settings(),
                     services=None)  # type: ignore[arg-type]


def windows_apis(user32: User32, build: int) -> NativeApis:
    return NativeApis(user32=user32, get_last_error=user32.get_last_error,
                      windows_build=build)


def test_sharing_type_is_set_once_the_view_has_a_window(qtbot: Any) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    objc = ObjC()
    ns_window = objc.add_view(int(window.winId()), windowless_for=3)
    exclusion = CaptureExclusionFilter(window, enabled=True, platform="darwin",
                                       apis=NativeApis(objc=objc))
    with qtbot.waitSignal(exclusion.notice_changed, timeout=5000,
                          check_params_cb=lambda notice: notice == MAC_NOTICE):
        assert exclusion.apply() == MAC_PENDING_NOTICE  # no NSWindow yet: tried again
    assert objc.sharing[ns_window] == 0  # NSWindowSharingNone
    sets = [sent for sent in objc.sent if sent[1] == "setSharingType:"]
    assert sets == [(ns_window, "setSharingType:", (0,))]
    assert [s[1] for s in objc.sent].count("window") == 4
    exclusion.set_enabled(False)
    assert objc.sharing[ns_window] == 1  # NSWindowSharingReadOnly: visible again


def test_overlay_shows_what_windows_actually_did(context: Any, qtbot: Any) -> None:
    user32 = User32(build=18363)  # Windows 10 1909: 0x11 acts as WDA_MONITOR
    overlay = OverlayWindow(context, native_apis=windows_apis(user32, 18363),
                            platform="win32")
    qtbot.addWidget(overlay)
    user32.windows.add(int(overlay.winId()))
    overlay.show_overlay()
    assert overlay.capture_notice.text() == WINDOWS_OLD_NOTICE
    assert user32.affinity[int(overlay.winId())] == WDA_MONITOR
    assert (int(overlay.winId()), WDA_EXCLUDEFROMCAPTURE) in user32.calls


def test_translucent_overlay_refused_by_windows_says_so(context: Any, qtbot: Any) -> None:
    context.settings.ui.overlay_opacity = 0.8
    user32 = User32(build=22631)
    overlay = OverlayWindow(context, native_apis=windows_apis(user32, 22631),
                            platform="win32")
    qtbot.addWidget(overlay)
    hwnd = int(overlay.winId())
    user32.windows.add(hwnd)
    user32.layered.add(hwnd)  # opacity below 100 % makes it a layered window
    overlay.show_overlay()
    assert "did not hide" in overlay.capture_notice.text()
    assert OPAQUE_HINT.strip() in overlay.capture_notice.text()
    user32.layered.discard(hwnd)  # the user sets 100 %: Qt drops WS_EX_LAYERED
    overlay.opacity_slider.setValue(100)
    overlay.show_overlay()
    assert overlay.capture_notice.text() == WINDOWS_NOTICE


def test_overlay_stays_on_screen_when_the_app_is_inactive_on_macos(context: Any,
                                                                   qtbot: Any) -> None:
    overlay = OverlayWindow(context)
    qtbot.addWidget(overlay)
    assert overlay.windowFlags() & Qt.WindowType.Tool  # an NSPanel on macOS
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_MacAlwaysShowToolWindow)
