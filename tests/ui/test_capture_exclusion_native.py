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
    MAC_15_NOTICE,
    MAC_NOTICE,
    MAC_PENDING_NOTICE,
    NS_COLLECTION_CAN_JOIN_ALL_SPACES,
    NS_COLLECTION_FULL_SCREEN_AUXILIARY,
    NS_COLLECTION_MOVE_TO_ACTIVE_SPACE,
    OPAQUE_HINT,
    WDA_EXCLUDEFROMCAPTURE,
    WDA_MONITOR,
    WINDOWS_OLD_NOTICE,
    WINDOWS_OPAQUE_NOTICE,
    WINDOWS_REFUSED_NOTICE,
    CaptureExclusionFilter,
    NativeApis,
    is_translucent,
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


def overlay_user32(overlay_ref: list[OverlayWindow], *, always_layered: bool = False) -> User32:
    """user32 for the overlay's current native window; layered as Qt's Windows plugin makes
    it: when its background is see-through or its opacity below 100 %."""
    def current(hwnd: int) -> bool:
        overlay = overlay_ref[0]
        return bool(overlay.internalWinId()) and hwnd == int(overlay.internalWinId())

    return User32(build=22631, is_window=current,
                  is_layered=lambda hwnd: always_layered or is_translucent(overlay_ref[0]))


def test_translucent_overlay_refused_by_windows_goes_opaque(context: Any, qtbot: Any) -> None:
    context.settings.ui.overlay_opacity = 0.8
    ref: list[OverlayWindow] = []
    user32 = overlay_user32(ref)
    overlay = OverlayWindow(context, native_apis=windows_apis(user32, 22631), platform="win32")
    ref.append(overlay)
    qtbot.addWidget(overlay)
    first = int(overlay.winId())
    with qtbot.waitSignal(overlay.exclusion.notice_changed, timeout=5000,
                          check_params_cb=lambda notice: notice == WINDOWS_OPAQUE_NOTICE):
        overlay.show_overlay()
        assert overlay.capture_notice.text().startswith(WINDOWS_REFUSED_NOTICE)
    hwnd = int(overlay.winId())
    assert hwnd != first  # a new native window, without WS_EX_LAYERED
    assert {call[0] for call in user32.calls} == {first, hwnd}
    assert user32.affinity == {hwnd: WDA_EXCLUDEFROMCAPTURE}
    assert overlay.capture_notice.text() == WINDOWS_OPAQUE_NOTICE
    assert overlay.exclusion.notice == WINDOWS_OPAQUE_NOTICE and overlay.isVisible()
    assert not overlay.testAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
    assert overlay.windowOpacity() == 1.0 and not overlay.opacity_slider.isEnabled()
    overlay.opacity_slider.setValue(50)  # e.g. from Settings: stays opaque, stays hidden
    assert overlay.windowOpacity() == 1.0
    overlay.show_overlay()
    assert overlay.capture_notice.text() == WINDOWS_OPAQUE_NOTICE
    assert user32.affinity == {hwnd: WDA_EXCLUDEFROMCAPTURE}


def test_overlay_refused_even_when_opaque_says_so_once(context: Any, qtbot: Any) -> None:
    ref: list[OverlayWindow] = []
    user32 = overlay_user32(ref, always_layered=True)
    overlay = OverlayWindow(context, native_apis=windows_apis(user32, 22631), platform="win32")
    ref.append(overlay)
    qtbot.addWidget(overlay)
    overlay.show_overlay()
    qtbot.waitUntil(lambda: not is_translucent(overlay) and "Switching" not in
                    overlay.capture_notice.text(), timeout=5000)
    notice = overlay.capture_notice.text()
    assert notice.startswith(WINDOWS_REFUSED_NOTICE) and "error 87" in notice
    assert OPAQUE_HINT.strip() not in notice  # it is opaque already: no false hint
    hwnds = {call[0] for call in user32.calls}
    assert len(hwnds) == 2  # the fallback is tried once: one new window
    overlay.show_overlay()
    assert {call[0] for call in user32.calls} == hwnds and overlay.capture_notice.text() == notice


def test_macos_overlay_joins_all_spaces_and_full_screen_apps(context: Any, qtbot: Any) -> None:
    objc = ObjC()
    overlay = OverlayWindow(context, native_apis=NativeApis(objc=objc, macos_major=15),
                            platform="darwin")
    qtbot.addWidget(overlay)
    ns_window = objc.add_view(int(overlay.winId()))
    objc.behaviour[ns_window] = NS_COLLECTION_MOVE_TO_ACTIVE_SPACE | (1 << 7)  # + Transient
    overlay.show_overlay()
    assert objc.behaviour[ns_window] == (NS_COLLECTION_CAN_JOIN_ALL_SPACES
                                         | NS_COLLECTION_FULL_SCREEN_AUXILIARY | (1 << 7))
    assert objc.sharing[ns_window] == 0
    # macOS 15+: told as it is, not "may"
    assert overlay.capture_notice.text() == MAC_15_NOTICE
    assert "whole screen shows the overlay" in MAC_15_NOTICE
    assert "single window" in MAC_15_NOTICE and "does not" in MAC_15_NOTICE


def test_macos_14_keeps_the_cautious_notice(context: Any, qtbot: Any) -> None:
    objc = ObjC()
    overlay = OverlayWindow(context, native_apis=NativeApis(objc=objc, macos_major=14),
                            platform="darwin")
    qtbot.addWidget(overlay)
    objc.add_view(int(overlay.winId()))
    overlay.show_overlay()
    assert overlay.capture_notice.text() == MAC_NOTICE


def test_overlay_stays_on_screen_when_the_app_is_inactive_on_macos(context: Any,
                                                                   qtbot: Any) -> None:
    overlay = OverlayWindow(context)
    qtbot.addWidget(overlay)
    assert overlay.windowFlags() & Qt.WindowType.Tool  # an NSPanel on macOS
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_MacAlwaysShowToolWindow)
