"""`smart-interview` (no command) and `smart-interview gui`: open the desktop app."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from smart_interview.app.errors import CliError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("gui", help="open the desktop app (the default)")
    parser.add_argument("--setup", action="store_true",
                        help="show the first-run setup again")
    parser.add_argument("--start", action="store_true",
                        help="start listening as soon as the window opens (after the setup)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    _require_display(os.environ, sys.platform)
    try:
        from smart_interview.app import gui
    except ImportError as exc:  # Qt libraries missing on this system
        raise CliError(
            f"the desktop app cannot start: {exc}. Install the app's dependencies "
            "(pip install smart-interview) and, on Linux, the system packages "
            "libxcb-cursor0 and libxkbcommon-x11-0."
        ) from exc
    return gui.open_app(show_first_run=True if getattr(args, "setup", False) else None,
                        start_interview=bool(getattr(args, "start", False)))


def _require_display(environ: Any, platform: str) -> None:
    """Qt aborts the process without a screen to draw on; say so in one line instead."""
    if not platform.startswith("linux") or environ.get("QT_QPA_PLATFORM"):
        return
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return
    raise CliError(
        "no graphical display found (DISPLAY and WAYLAND_DISPLAY are not set): start the app "
        "from your desktop session, or use `smart-interview live --no-gui` in a terminal"
    )
