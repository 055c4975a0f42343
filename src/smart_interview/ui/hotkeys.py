"""Hotkeys for the overlay and the live session, behind one interface on every OS.

- Windows: true global hotkeys with ``RegisterHotKey`` on the main window's HWND; the
  ``WM_HOTKEY`` messages are picked up by a native event filter. They work while another app
  (the video call) has the focus.
- macOS and Linux: application-wide ``QShortcut``s. They work while any Smart Interview window
  (main window or overlay) has the focus, not while the call app has it: on X11 a global grab
  needs an X connection the Qt platform does not expose, and Wayland forbids global grabs by
  design; macOS needs the Accessibility permission for event taps. The settings page says so.

`parse_windows_hotkey` is pure and unit-tested on every OS.
"""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import QAbstractNativeEventFilter, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QWidget

ACTIONS: dict[str, str] = {
    "toggle_overlay": "Show / hide overlay",
    "next_answer": "Next answer",
    "previous_answer": "Previous answer",
    "pause_listening": "Pause / resume listening",
}

MOD_ALT, MOD_CONTROL, MOD_SHIFT, MOD_WIN, MOD_NOREPEAT = 0x1, 0x2, 0x4, 0x8, 0x4000
WM_HOTKEY = 0x0312
_VK_NAMED = {
    "left": 0x25, "up": 0x26, "right": 0x27, "down": 0x28, "space": 0x20, "tab": 0x09,
    "return": 0x0D, "enter": 0x0D, "esc": 0x1B, "escape": 0x1B, "home": 0x24, "end": 0x23,
    "pgup": 0x21, "pgdown": 0x22, "ins": 0x2D, "del": 0x2E, "backspace": 0x08,
    ",": 0xBC, ".": 0xBE, "-": 0xBD, "=": 0xBB, ";": 0xBA, "/": 0xBF, "`": 0xC0,
    "[": 0xDB, "]": 0xDD, "\\": 0xDC, "'": 0xDE,
}
_MODS = {"ctrl": MOD_CONTROL, "alt": MOD_ALT, "shift": MOD_SHIFT, "meta": MOD_WIN,
         "win": MOD_WIN}


class HotkeyError(ValueError):
    """A key combination that cannot be used as a hotkey; the message says why."""


def parse_windows_hotkey(text: str) -> tuple[int, int]:
    """"Ctrl+Alt+O" → (MOD_CONTROL | MOD_ALT, virtual-key code of O)."""
    parts = [p.strip() for p in text.replace(" ", "").split("+")]
    if text.strip().endswith("++"):
        parts = [*parts[:-2], "+"]
    if not parts or not parts[-1]:
        raise HotkeyError(f"{text!r} has no key")
    modifiers = 0
    for part in parts[:-1]:
        bit = _MODS.get(part.lower())
        if bit is None:
            raise HotkeyError(f"{part!r} in {text!r} is not Ctrl, Alt, Shift or Meta")
        modifiers |= bit
    key = parts[-1].lower()
    if len(key) == 1 and key.isalnum():
        vk = ord(key.upper())
    elif key in _VK_NAMED:
        vk = _VK_NAMED[key]
    elif key.startswith("f") and key[1:].isdigit() and 1 <= int(key[1:]) <= 24:
        vk = 0x70 + int(key[1:]) - 1
    else:
        raise HotkeyError(f"{parts[-1]!r} cannot be a global hotkey key")
    if modifiers == 0 and not (0x70 <= vk <= 0x87):
        raise HotkeyError(f"{text!r} needs Ctrl, Alt or Shift so it does not steal typing")
    return modifiers, vk


def conflicts(mapping: dict[str, str]) -> list[str]:
    """Sentences naming hotkeys used twice, or empty ones."""
    seen: dict[str, str] = {}
    problems: list[str] = []
    for action, keys in mapping.items():
        normal = QKeySequence(keys).toString().lower()
        if not normal:
            problems.append(f"{ACTIONS.get(action, action)} has no key")
        elif normal in seen:
            problems.append(
                f"{keys} is used for both {ACTIONS.get(seen[normal], seen[normal])} and "
                f"{ACTIONS.get(action, action)}")
        else:
            seen[normal] = action
    return problems


class _WindowsHotkeyFilter(QAbstractNativeEventFilter):
    def __init__(self, manager: HotkeyManager) -> None:
        super().__init__()
        self._manager = manager

    def nativeEventFilter(self, event_type: Any, message: Any) -> Any:
        if bytes(event_type) != b"windows_generic_MSG":
            return False, 0
        from ctypes import wintypes

        msg = wintypes.MSG.from_address(int(message))
        if msg.message == WM_HOTKEY:
            self._manager._fire_id(int(msg.wParam))
            return True, 0
        return False, 0


class HotkeyManager(QObject):
    triggered = Signal(str)

    def __init__(self, window: QWidget, *, platform: str = sys.platform) -> None:
        super().__init__(window)
        self._window = window
        self._platform = platform
        self._shortcuts: list[QShortcut] = []
        self._registered: dict[int, str] = {}
        self._filter: _WindowsHotkeyFilter | None = None
        self.is_global = platform == "win32"

    def apply(self, mapping: dict[str, str]) -> str:
        """(Re)binds every action; returns a notice for the settings page."""
        self.clear()
        problems = conflicts(mapping)
        if self.is_global:
            problems += self._register_windows(mapping)
        else:
            for action, keys in mapping.items():
                if not keys:
                    continue
                shortcut = QShortcut(QKeySequence(keys), self._window)
                shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
                shortcut.activated.connect(lambda a=action: self.triggered.emit(a))
                self._shortcuts.append(shortcut)
        notice = self.scope_notice()
        return " ".join([*problems, notice]) if problems else notice

    def scope_notice(self) -> str:
        if self.is_global:
            return "Hotkeys work everywhere, even while your call app has the focus."
        where = "macOS" if self._platform == "darwin" else "Linux"
        return (f"On {where} these hotkeys work while a Smart Interview window (the main window "
                "or the overlay) has the focus; system-wide hotkeys are not available here.")

    def fire(self, action: str) -> None:
        """Acts as if the hotkey of `action` was pressed (also used by menus and tests)."""
        self.triggered.emit(action)

    def clear(self) -> None:
        for shortcut in self._shortcuts:
            shortcut.setEnabled(False)
            shortcut.deleteLater()
        self._shortcuts.clear()
        if self._registered:
            import ctypes

            user32 = ctypes.windll.user32  # type: ignore[attr-defined]
            hwnd = int(self._window.winId())
            for hotkey_id in self._registered:
                user32.UnregisterHotKey(hwnd, hotkey_id)
            self._registered.clear()

    def _fire_id(self, hotkey_id: int) -> None:
        action = self._registered.get(hotkey_id)
        if action:
            self.triggered.emit(action)

    def _register_windows(self, mapping: dict[str, str]) -> list[str]:
        import ctypes

        user32 = ctypes.windll.user32  # type: ignore[attr-defined]
        if self._filter is None:
            self._filter = _WindowsHotkeyFilter(self)
            app = QApplication.instance()
            if app is not None:
                app.installNativeEventFilter(self._filter)
        hwnd = int(self._window.winId())
        problems: list[str] = []
        for number, (action, keys) in enumerate(mapping.items(), start=1):
            try:
                modifiers, vk = parse_windows_hotkey(keys)
            except HotkeyError as exc:
                problems.append(f"{ACTIONS.get(action, action)}: {exc}.")
                continue
            if user32.RegisterHotKey(hwnd, number, modifiers | MOD_NOREPEAT, vk):
                self._registered[number] = action
            else:
                problems.append(f"{keys} is already taken by another program; pick another "
                                f"key for {ACTIONS.get(action, action)}.")
        return problems
