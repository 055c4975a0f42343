"""A stand-in for user32's display-affinity functions that follows Microsoft's documentation
(learn.microsoft.com, SetWindowDisplayAffinity / GetWindowDisplayAffinity):

- both return BOOL: non-zero on success, FALSE on failure with the reason in GetLastError
  (ERROR_INVALID_WINDOW_HANDLE for a handle that is not a window of this process);
- ``WDA_EXCLUDEFROMCAPTURE`` (0x11) exists from Windows 10 version 2004 (build 19041);
  "setting the display affinity to WDA_EXCLUDEFROMCAPTURE on previous version of Windows
  will behave as if WDA_MONITOR is applied": the call succeeds and the window shows as a black
  box, so the value reads back as WDA_MONITOR here;
- ``GetWindowDisplayAffinity(HWND, DWORD*)`` writes the current value through the pointer.
- `layered`: a translucent (WS_EX_LAYERED) window for which the affinity is refused (FALSE,
  ERROR_INVALID_PARAMETER) or, with `layered_ignores`, accepted without effect, as reported
  for layered windows (microsoft/Windows.UI.Composition-Win32-Samples#56, build 19041).
- `is_window` / `is_layered`: optional predicates for windows a test cannot list up front (a
  widget whose native window Qt recreates). Qt's Windows plugin makes a top-level window
  layered when its format has alpha (WA_TranslucentBackground) or its opacity is below 1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

WDA_NONE, WDA_MONITOR, WDA_EXCLUDEFROMCAPTURE = 0x0, 0x1, 0x11
ERROR_INVALID_PARAMETER = 87
ERROR_INVALID_WINDOW_HANDLE = 1400


class ForeignFunction:
    """Like a ctypes function pointer: `argtypes` and `restype` can be declared on it."""

    def __init__(self, implementation: Callable[..., int]) -> None:
        self._implementation = implementation
        self.argtypes: Any = None
        self.restype: Any = None

    def __call__(self, *args: Any) -> int:
        return self._implementation(*args)


class User32:
    def __init__(self, *, build: int = 22631, layered_ignores: bool = False,
                 is_window: Callable[[int], bool] | None = None,
                 is_layered: Callable[[int], bool] | None = None) -> None:
        self.build = build
        self.is_window = is_window
        self.is_layered = is_layered
        self.layered_ignores = layered_ignores
        self.windows: set[int] = set()
        self.layered: set[int] = set()
        self.affinity: dict[int, int] = {}
        self.calls: list[tuple[int, int]] = []
        self.last_error = 0
        self.SetWindowDisplayAffinity = ForeignFunction(self._set)
        self.GetWindowDisplayAffinity = ForeignFunction(self._get)

    def get_last_error(self) -> int:
        """What `ctypes.get_last_error()` returns for a DLL loaded with use_last_error."""
        return self.last_error

    def _fail(self, error: int) -> int:
        self.last_error = error
        return 0

    def _set(self, hwnd: int, value: int) -> int:
        self.calls.append((hwnd, value))
        if not self._known(hwnd):
            return self._fail(ERROR_INVALID_WINDOW_HANDLE)
        if value not in (WDA_NONE, WDA_MONITOR, WDA_EXCLUDEFROMCAPTURE):
            return self._fail(ERROR_INVALID_PARAMETER)
        layered = hwnd in self.layered or (self.is_layered is not None
                                             and self.is_layered(hwnd))
        if layered and value != WDA_NONE:
            if not self.layered_ignores:
                return self._fail(ERROR_INVALID_PARAMETER)
            return 1  # accepted, without effect
        if value == WDA_EXCLUDEFROMCAPTURE and self.build < 19041:
            value = WDA_MONITOR  # behaves as WDA_MONITOR before Windows 10 2004
        self.affinity[hwnd] = value
        return 1

    def _known(self, hwnd: int) -> bool:
        return hwnd in self.windows or (self.is_window is not None and self.is_window(hwnd))

    def _get(self, hwnd: int, affinity: Any) -> int:
        if not self._known(hwnd):
            return self._fail(ERROR_INVALID_WINDOW_HANDLE)
        affinity._obj.value = self.affinity.get(hwnd, WDA_NONE)  # through the DWORD*
        return 1


class WinDLLLoader:
    """Stands in for `ctypes.WinDLL`: records how the DLL was loaded."""

    def __init__(self, user32: User32) -> None:
        self.user32 = user32
        self.loads: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, name: str, **options: Any) -> User32:
        self.loads.append((name, options))
        return self.user32
