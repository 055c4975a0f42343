"""Keeping the overlay out of screen sharing and recordings, per OS, behind one function.

- Windows 10 2004+: ``SetWindowDisplayAffinity(hwnd, WDA_EXCLUDEFROMCAPTURE)`` (0x11) removes
  the window from captures; older Windows only knows ``WDA_MONITOR`` (0x1), which shows a black
  box instead, so that is the fallback. The affinity belongs to the native window: when Qt
  recreates it (``QEvent.WinIdChange``) it must be applied again (`CaptureExclusionFilter`).
- macOS: ``NSWindow.sharingType = NSWindowSharingNone``. Capture tools built on
  ScreenCaptureKit (macOS 15 and later) ignore it, so the app says the window may still show.
- Linux (X11 and Wayland): no window can hide itself from capture; the app says so.

`decide` is pure and unit-tested everywhere; the OS calls are thin and guarded.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

WDA_NONE = 0x0
WDA_MONITOR = 0x1
WDA_EXCLUDEFROMCAPTURE = 0x11
NS_WINDOW_SHARING_NONE = 0
NS_WINDOW_SHARING_READ_ONLY = 1

LINUX_NOTICE = ("Linux cannot hide a window from screen sharing or recording: anyone you share "
                "your whole screen with can see the overlay. Share a single window instead.")
MAC_NOTICE = ("The overlay asks macOS not to be shared. Screen-capture tools built on "
              "ScreenCaptureKit (most of them on macOS 15 and later) may still see it: share a "
              "single window instead of the whole screen to be sure.")
WINDOWS_NOTICE = "The overlay is hidden from screen sharing and recordings."
WINDOWS_OLD_NOTICE = ("This Windows version cannot hide windows from capture; the overlay shows "
                      "as a black box in screen shares. Windows 10 version 2004 or later hides "
                      "it completely.")
OFF_NOTICE = "The overlay is visible in screen sharing and recordings."


@dataclass(frozen=True)
class Decision:
    supported: bool
    """True when this OS can do something at all."""
    method: str
    """"windows-affinity", "macos-sharing-type" or "none"."""
    value: int | None
    """The affinity / sharing type to set, or None."""
    notice: str


def decide(*, platform: str, enabled: bool) -> Decision:
    if platform == "win32":
        return Decision(True, "windows-affinity",
                        WDA_EXCLUDEFROMCAPTURE if enabled else WDA_NONE,
                        WINDOWS_NOTICE if enabled else OFF_NOTICE)
    if platform == "darwin":
        return Decision(True, "macos-sharing-type",
                        NS_WINDOW_SHARING_NONE if enabled else NS_WINDOW_SHARING_READ_ONLY,
                        MAC_NOTICE if enabled else OFF_NOTICE)
    return Decision(False, "none", None, LINUX_NOTICE)


def set_windows_affinity(user32: Any, hwnd: int, value: int) -> str:
    """Applies the affinity; falls back to WDA_MONITOR on Windows before 10 2004.

    `user32` is ``ctypes.windll.user32`` in the app; returns the notice to show."""
    if user32.SetWindowDisplayAffinity(hwnd, value):
        return WINDOWS_NOTICE if value else OFF_NOTICE
    if value == WDA_EXCLUDEFROMCAPTURE and user32.SetWindowDisplayAffinity(hwnd, WDA_MONITOR):
        return WINDOWS_OLD_NOTICE
    return ("Windows refused to hide the overlay from capture; it will be visible in screen "
            "shares.")


def _set_macos_sharing_type(view_pointer: int, value: int) -> bool:
    import ctypes
    import ctypes.util

    objc = ctypes.cdll.LoadLibrary(ctypes.util.find_library("objc") or "libobjc.dylib")
    objc.objc_getClass.restype = ctypes.c_void_p
    objc.sel_registerName.restype = ctypes.c_void_p
    send = objc.objc_msgSend
    send.restype = ctypes.c_void_p
    send.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    window = send(ctypes.c_void_p(view_pointer), objc.sel_registerName(b"window"))
    if not window:
        return False
    setter = objc.objc_msgSend
    setter.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_long]
    setter(ctypes.c_void_p(window), objc.sel_registerName(b"setSharingType:"), value)
    return True


def apply_capture_exclusion(window: QWidget, *, enabled: bool,
                            platform: str = sys.platform) -> str:
    """Applies the setting to the window's native handle and returns what to tell the user."""
    decision = decide(platform=platform, enabled=enabled)
    if decision.method == "windows-affinity" and decision.value is not None:
        import ctypes

        return set_windows_affinity(ctypes.windll.user32,  # type: ignore[attr-defined]
                                    int(window.winId()), decision.value)
    if (decision.method == "macos-sharing-type" and decision.value is not None
            and not _set_macos_sharing_type(int(window.winId()), decision.value)):
        return "macOS did not let the overlay change its sharing type."
    return decision.notice


class CaptureExclusionFilter(QObject):
    """Re-applies the exclusion whenever Qt gives the window a new native handle."""

    def __init__(self, window: QWidget, *, enabled: bool, platform: str = sys.platform) -> None:
        super().__init__(window)
        self._window = window
        self.enabled = enabled
        self.platform = platform
        self.notice = decide(platform=platform, enabled=enabled).notice
        self.applied_count = 0
        window.installEventFilter(self)

    def set_enabled(self, enabled: bool) -> str:
        self.enabled = enabled
        return self.apply()

    def apply(self) -> str:
        self.notice = apply_capture_exclusion(self._window, enabled=self.enabled,
                                              platform=self.platform)
        self.applied_count += 1
        return self.notice

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() in (QEvent.Type.WinIdChange,
                                                         QEvent.Type.Show):
            self.apply()
        return False

