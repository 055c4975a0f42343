"""`smart-interview` (no command) and `smart-interview gui`: open the desktop app."""

from __future__ import annotations

import argparse
from typing import Any

from smart_interview.app.errors import CliError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("gui", help="open the desktop app (the default)")
    parser.add_argument("--setup", action="store_true",
                        help="show the first-run setup again")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        from smart_interview.app import gui
    except ImportError as exc:  # Qt libraries missing on this system
        raise CliError(
            f"the desktop app cannot start: {exc}. Install the app's dependencies "
            "(pip install smart-interview) and, on Linux, the system packages "
            "libxcb-cursor0 and libxkbcommon-x11-0."
        ) from exc
    app = gui.make_application()
    window = gui.build_window(show_first_run=True if getattr(args, "setup", False) else None)
    window.show()
    return gui.run_event_loop(app)
