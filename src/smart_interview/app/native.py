"""Native entry points the UI needs, handed over by the app so that `ui` never imports an
engine: the Objective-C runtime (macOS window sharing type) lives with the macOS audio code."""

from __future__ import annotations

from typing import Any


def objc_runtime() -> Any:
    """A fresh `audio.macos.ObjCRuntime`; loads libobjc on first call, macOS only."""
    from smart_interview.audio.macos import ObjCRuntime

    return ObjCRuntime()
