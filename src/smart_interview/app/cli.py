"""`smart-interview` command line: one module per subcommand under `app/commands/`.

Each command module exposes `register(subparsers)`, which adds its parser and sets
`handler=run`; `run(args)` returns the exit code. A `CliError` raised anywhere becomes one line
on stderr and exit code 2. Modules are imported only when the CLI starts, never at import time
of this package.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from smart_interview import __version__
from smart_interview.app.errors import CliError

COMMAND_MODULES: tuple[str, ...] = (
    "smart_interview.app.commands.run_gui",
    "smart_interview.app.commands.models",
    "smart_interview.app.commands.transcribe",
    "smart_interview.app.commands.devices",
    "smart_interview.app.commands.live",
    "smart_interview.app.commands.account",
    "smart_interview.app.commands.cv",
    "smart_interview.app.commands.dossier",
    "smart_interview.app.commands.bench",
    "smart_interview.app.commands.history",
    "smart_interview.app.commands.simulate",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smart-interview",
        description="On-device interview assistant. Run with no command to open the app.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # command not part of this build
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from smart_interview.app import privacy

    privacy.apply_process_privacy()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "models" and getattr(args, "action", None) == "download":
        privacy.allow_model_hub()
    handler = getattr(args, "handler", None)
    if handler is None:
        gui = "smart_interview.app.commands.run_gui"
        if args.command is None and gui in COMMAND_MODULES:
            handler = importlib.import_module(gui).run
        else:
            parser.print_help()
            return 0
    try:
        return int(handler(args) or 0)
    except CliError as exc:
        print(f"smart-interview: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
