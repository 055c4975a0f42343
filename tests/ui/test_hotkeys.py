"""Hotkeys: the Windows key parser, conflict detection, and the app-level fallback firing."""

from __future__ import annotations

from typing import Any

import pytest

from smart_interview.ui.hotkeys import (
    MOD_ALT,
    MOD_CONTROL,
    MOD_SHIFT,
    HotkeyError,
    HotkeyManager,
    conflicts,
    parse_windows_hotkey,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("Ctrl+Alt+O", (MOD_CONTROL | MOD_ALT, ord("O"))),
    ("Ctrl+Alt+Right", (MOD_CONTROL | MOD_ALT, 0x27)),
    ("Shift+F5", (MOD_SHIFT, 0x74)),
    ("F9", (0, 0x78)),
    ("Ctrl+Shift+7", (MOD_CONTROL | MOD_SHIFT, ord("7"))),
])
def test_parse_windows_hotkey(text: str, expected: tuple[int, int]) -> None:
    assert parse_windows_hotkey(text) == expected


@pytest.mark.parametrize("text", ["O", "Hyper+O", "Ctrl+Alt+Banana", ""])
def test_unusable_hotkeys_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(HotkeyError):
        parse_windows_hotkey(text)


def test_conflicts_name_both_actions(qtbot: Any) -> None:
    problems = conflicts({"toggle_overlay": "Ctrl+Alt+O", "next_answer": "Ctrl+Alt+O",
                          "previous_answer": "Ctrl+Alt+Left"})
    assert len(problems) == 1
    assert "Show / hide overlay" in problems[0] and "Next answer" in problems[0]
    assert conflicts({"a": "Ctrl+1", "b": "Ctrl+2"}) == []


def test_linux_fallback_is_app_wide_and_says_so(qtbot: Any) -> None:
    from PySide6.QtWidgets import QWidget

    window = QWidget()
    qtbot.addWidget(window)
    manager = HotkeyManager(window, platform="linux")
    notice = manager.apply({"toggle_overlay": "Ctrl+Alt+O", "pause_listening": "Ctrl+Alt+P"})
    assert not manager.is_global
    assert "Linux" in notice and "not available" in notice
    fired: list[str] = []
    manager.triggered.connect(fired.append)
    shortcuts = manager._shortcuts
    assert [s.key().toString() for s in shortcuts] == ["Ctrl+Alt+O", "Ctrl+Alt+P"]
    shortcuts[1].activated.emit()
    assert fired == ["pause_listening"]
