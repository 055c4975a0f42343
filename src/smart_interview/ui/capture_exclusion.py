"""Keeping the overlay out of screen sharing and recordings, per OS, behind one function.

- Windows 10 2004+ (build 19041): ``SetWindowDisplayAffinity(hwnd, WDA_EXCLUDEFROMCAPTURE)``
  (0x11) removes the window from captures. Earlier builds accept 0x11 too (the call returns
  TRUE) but behave as ``WDA_MONITOR``: viewers see a black box. So the build is checked and
  the value is read back with ``GetWindowDisplayAffinity``; the user is told what actually
  holds. A translucent overlay is a layered window (Qt draws it with
  ``UpdateLayeredWindowIndirect``), and layered windows are reported to refuse the affinity
  (microsoft/Windows.UI.Composition-Win32-Samples#56): on a refusal (FALSE, with
  ``GetLastError``) or a value that did not take, the filter asks its window to fall back to
  an opaque, non-layered native window (`fallback`) and applies the affinity again; what
  finally reads back is what the user is told. user32 is loaded with
  ``use_last_error=True`` and both functions get their documented prototypes. The affinity
  belongs to the native window: when Qt recreates it (``QEvent.WinIdChange``) it is applied
  again (`CaptureExclusionFilter`).
- macOS: ``NSWindow.sharingType = NSWindowSharingNone`` on the overlay's NSWindow (the
  ``window`` of the NSView behind ``winId()``), read back after setting. Before the view is in
  a window there is none to set: it is tried again shortly. Apple documents
  ``NSWindowSharingNone`` as a legacy value macOS no longer uses to hide content from capture,
  and ScreenCaptureKit (what sharing uses on macOS 15 and later) ignores it: there the app
  says plainly that a whole-screen share shows the overlay and a single-window share does
  not. The window also joins all Spaces and shows over full-screen apps
  (``NSWindowCollectionBehaviorCanJoinAllSpaces | FullScreenAuxiliary``).
- Linux (X11 and Wayland): no window can hide itself from capture; the app says so.

`decide` is pure and unit-tested everywhere; the OS entry points come in through
`NativeApis`, loaded on first use, so tests pass stand-ins that follow the documented APIs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QWidget

WDA_NONE = 0x0
WDA_MONITOR = 0x1
WDA_EXCLUDEFROMCAPTURE = 0x11
NS_WINDOW_SHARING_NONE = 0
NS_WINDOW_SHARING_READ_ONLY = 1
NS_COLLECTION_CAN_JOIN_ALL_SPACES = 1 << 0
NS_COLLECTION_MOVE_TO_ACTIVE_SPACE = 1 << 1  # excludes CanJoinAllSpaces
NS_COLLECTION_FULL_SCREEN_AUXILIARY = 1 << 8

LINUX_NOTICE = ("Linux cannot hide a window from screen sharing or recording: anyone you share "
                "your whole screen with can see the overlay. Share a single window instead.")
MAC_NOTICE = ("The overlay asks macOS not to be shared. Screen-capture tools built on "
              "ScreenCaptureKit (most of them on macOS 15 and later) may still see it: share a "
              "single window instead of the whole screen to be sure.")
MAC_15_NOTICE = ("On macOS 15 and later, sharing your whole screen shows the overlay; "
                 "sharing a single window (the call app's, or a browser tab) does not. Share "
                 "a window, not the screen.")
WINDOWS_NOTICE = "The overlay is hidden from screen sharing and recordings."
WINDOWS_OPAQUE_NOTICE = (WINDOWS_NOTICE + " Windows would not hide it while it was see-through, "
                         "so it is opaque now; its opacity stays at 100% while it is hidden.")
FALLING_BACK = " Switching to an opaque overlay, which Windows can hide…"
NOT_CHECKED_NOTICE = ("Whether the overlay is hidden from screen sharing is checked when it is "
                      "first shown.")
WINDOWS_OLD_NOTICE = ("This Windows version cannot hide windows from capture; the overlay shows "
                      "as a black box in screen shares. Windows 10 version 2004 or later hides "
                      "it completely.")
WINDOWS_REFUSED_NOTICE = ("Windows did not hide the overlay from capture; it will be visible in "
                          "screen shares.")
OPAQUE_HINT = " Set the overlay opacity to 100% and turn the setting off and on again."
MAC_PENDING_NOTICE = "The overlay will ask macOS not to be shared once it is on screen."
MAC_FAILED_NOTICE = ("macOS did not let the overlay change its sharing type; it may be visible "
                     "in screen shares.")
OFF_NOTICE = "The overlay is visible in screen sharing and recordings."
FIRST_EXCLUDING_BUILD = 19041  # Windows 10 version 2004


@dataclass(frozen=True)
class Decision:
    supported: bool
    """True when this OS can do something at all."""
    method: str
    """"windows-affinity", "macos-sharing-type" or "none"."""
    value: int | None
    """The affinity / sharing type to set, or None."""
    notice: str


def decide(*, platform: str, enabled: bool, macos_major: int = 0) -> Decision:
    if platform == "win32":
        return Decision(True, "windows-affinity",
                        WDA_EXCLUDEFROMCAPTURE if enabled else WDA_NONE,
                        WINDOWS_NOTICE if enabled else OFF_NOTICE)
    if platform == "darwin":
        return Decision(True, "macos-sharing-type",
                        NS_WINDOW_SHARING_NONE if enabled else NS_WINDOW_SHARING_READ_ONLY,
                        (MAC_15_NOTICE if macos_major >= 15 else MAC_NOTICE) if enabled
                        else OFF_NOTICE)
    return Decision(False, "none", None, LINUX_NOTICE)


@dataclass
class NativeApis:
    """The OS entry points; each is loaded on first use when not given."""

    user32: Any = None
    get_last_error: Callable[[], int] | None = None
    windows_build: int | None = None
    objc: Any = None
    macos_major: int | None = None

    def windows(self) -> tuple[Any, Callable[[], int], int]:
        import ctypes

        if self.user32 is None:
            self.user32 = load_user32()
        if self.get_last_error is None:
            self.get_last_error = ctypes.get_last_error  # type: ignore[attr-defined]
        if self.windows_build is None:
            self.windows_build = int(sys.getwindowsversion().build)  # type: ignore[attr-defined]
        return self.user32, self.get_last_error, self.windows_build

    def macos(self) -> Any:
        if self.objc is None:
            from smart_interview.app.native import objc_runtime

            self.objc = objc_runtime()
        return self.objc

    def macos_version(self) -> int:
        if self.macos_major is None:
            import platform

            release = platform.mac_ver()[0] or "0"
            self.macos_major = int(release.split(".")[0] or 0)
        return self.macos_major


def load_user32(loader: Callable[..., Any] | None = None) -> Any:
    """user32 with `use_last_error=True` (so `ctypes.get_last_error` holds the error of the
    last call) and the prototypes Microsoft documents:
    ``BOOL SetWindowDisplayAffinity(HWND, DWORD)``,
    ``BOOL GetWindowDisplayAffinity(HWND, DWORD*)``."""
    import ctypes
    from ctypes import wintypes

    if loader is None:
        loader = ctypes.WinDLL  # type: ignore[attr-defined]
    user32 = loader("user32", use_last_error=True)
    user32.SetWindowDisplayAffinity.argtypes = (wintypes.HWND, wintypes.DWORD)
    user32.SetWindowDisplayAffinity.restype = wintypes.BOOL
    user32.GetWindowDisplayAffinity.argtypes = (wintypes.HWND, ctypes.POINTER(wintypes.DWORD))
    user32.GetWindowDisplayAffinity.restype = wintypes.BOOL
    return user32


def _refused(what: str, error: int, translucent: bool) -> str:
    detail = f" ({what}, error {error})" if error else f" ({what})"
    return WINDOWS_REFUSED_NOTICE + detail + (OPAQUE_HINT if translucent else "")


def set_windows_affinity(user32: Any, hwnd: int, value: int, *, build: int,
                         get_last_error: Callable[[], int], translucent: bool = False) -> str:
    """Sets the affinity, reads back what holds, and returns the notice that says so."""
    from ctypes import byref, wintypes

    if not user32.SetWindowDisplayAffinity(hwnd, value):
        return _refused("SetWindowDisplayAffinity failed", get_last_error(), translucent)
    current = wintypes.DWORD(0)
    if not user32.GetWindowDisplayAffinity(hwnd, byref(current)):
        return _refused("the setting could not be read back", get_last_error(), translucent)
    actual = int(current.value)
    if value == WDA_NONE:
        return OFF_NOTICE if actual == WDA_NONE else _refused("still hidden", 0, translucent)
    if actual == WDA_MONITOR or (actual == WDA_EXCLUDEFROMCAPTURE
                                 and build < FIRST_EXCLUDING_BUILD):
        return WINDOWS_OLD_NOTICE  # documented: before 2004, 0x11 acts as WDA_MONITOR
    if actual == WDA_EXCLUDEFROMCAPTURE:
        return WINDOWS_NOTICE
    return _refused("the setting did not take", 0, translucent)


def set_macos_sharing_type(objc: Any, view_pointer: int, value: int) -> bool | None:
    """Sets the sharing type of the NSWindow holding the NSView `view_pointer`; True when it
    reads back as set, False when it did not take, None when the view has no window yet."""
    import ctypes

    window = objc.send(view_pointer, "window")
    if not window:
        return None
    behaviour = int(objc.send(window, "collectionBehavior", restype=ctypes.c_ulong) or 0)
    behaviour = ((behaviour & ~NS_COLLECTION_MOVE_TO_ACTIVE_SPACE)
                 | NS_COLLECTION_CAN_JOIN_ALL_SPACES | NS_COLLECTION_FULL_SCREEN_AUXILIARY)
    objc.send(window, "setCollectionBehavior:", ctypes.c_ulong(behaviour), restype=None)
    objc.send(window, "setSharingType:", ctypes.c_ulong(value), restype=None)
    return objc.send(window, "sharingType", restype=ctypes.c_ulong) == value


def is_translucent(window: QWidget) -> bool:
    """Whether Qt makes the window layered on Windows: see-through background or opacity."""
    return (window.testAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
            or window.windowOpacity() < 1.0)


def apply_capture_exclusion(window: QWidget, *, enabled: bool, platform: str = sys.platform,
                            apis: NativeApis | None = None) -> str | None:
    """Applies the setting to the window's native handle and returns what to tell the user;
    None on macOS while the window is not on screen yet (try again later)."""
    apis = apis or NativeApis()
    decision = decide(platform=platform, enabled=enabled,
                      macos_major=apis.macos_version() if platform == "darwin" else 0)
    if decision.value is None:
        return decision.notice
    if decision.method == "windows-affinity":
        user32, get_last_error, build = apis.windows()
        return set_windows_affinity(user32, int(window.winId()), decision.value, build=build,
                                    get_last_error=get_last_error,
                                    translucent=is_translucent(window))
    applied = set_macos_sharing_type(apis.macos(), int(window.winId()), decision.value)
    if applied is None:
        return None
    return decision.notice if applied else MAC_FAILED_NOTICE


class CaptureExclusionFilter(QObject):
    """Re-applies the exclusion whenever Qt gives the window a new native handle, and on
    macOS keeps trying (every `RETRY_MS`, `MAX_RETRIES` times) until the view has a window."""

    RETRY_MS = 100
    MAX_RETRIES = 50
    notice_changed = Signal(str)

    def __init__(self, window: QWidget, *, enabled: bool, platform: str = sys.platform,
                 apis: NativeApis | None = None,
                 fallback: Callable[[], None] | None = None) -> None:
        super().__init__(window)
        self._window = window
        self.enabled = enabled
        self.platform = platform
        self.apis = apis or NativeApis()
        self.fallback = fallback
        """Makes the window opaque and non-layered (a new native window) when Windows refuses
        to hide it as it is; used once."""
        self.fell_back = False
        self._falling_back = False
        decision = decide(platform=platform, enabled=enabled)
        self.notice = (NOT_CHECKED_NOTICE if decision.supported and enabled
                       else decision.notice)
        """What was read back the last time the setting was applied, or what will be."""
        self.applied_count = 0
        self._retries = 0
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(self.RETRY_MS)
        self._retry.timeout.connect(self._try_again)
        self._fallback_timer = QTimer(self)
        self._fallback_timer.setSingleShot(True)
        self._fallback_timer.setInterval(0)
        self._fallback_timer.timeout.connect(self._fall_back)
        window.installEventFilter(self)

    def set_enabled(self, enabled: bool) -> str:
        self.enabled = enabled
        return self.apply()

    def apply(self) -> str:
        self._retries = 0
        return self._apply()

    def _apply(self) -> str:
        notice = self._apply_once()
        if (notice is not None and notice.startswith(WINDOWS_REFUSED_NOTICE) and self.enabled
                and self.fallback is not None and not self.fell_back):
            self.fell_back = True
            self._fallback_timer.start()  # not inside the show or paint event that got here
            notice += FALLING_BACK
        self.applied_count += 1
        if notice is None:
            if self._retries < self.MAX_RETRIES:
                self._retries += 1
                self._retry.start()
                notice = MAC_PENDING_NOTICE
            else:
                notice = MAC_FAILED_NOTICE
        if notice != self.notice:
            self.notice = notice
            self.notice_changed.emit(notice)
        return notice

    def _fall_back(self) -> None:
        if self.fallback is None:
            return
        self._falling_back = True
        try:
            self.fallback()
        finally:
            self._falling_back = False
        self.apply()

    def _apply_once(self) -> str | None:
        notice = apply_capture_exclusion(self._window, enabled=self.enabled,
                                         platform=self.platform, apis=self.apis)
        if self.fell_back and notice == WINDOWS_NOTICE:
            notice = WINDOWS_OPAQUE_NOTICE
        return notice

    def _try_again(self) -> None:
        self._apply()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.WinIdChange, QEvent.Type.Show) \
                and watched is getattr(self, "_window", None) \
                and not self._falling_back and self._window.internalWinId():
            self.apply()  # not while torn down, recreated, or without a native window
        return False
