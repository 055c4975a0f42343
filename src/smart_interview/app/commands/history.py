"""`smart-interview history list|search|show|export|delete`: the interviews saved on this device.

Interviews are saved only when history is on in the settings; they are encrypted with a key in
the system keyring. Opening the history first deletes interviews older than the retention
period from the settings.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from smart_interview.app import wiring
from smart_interview.app.errors import CliError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("history", help="list, show, export or delete saved "
                                   "interviews")
    parser.set_defaults(handler=run, action="list")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.add_parser("list", help="saved interviews, newest first (the default)")
    search = actions.add_parser("search", help="interviews whose transcript contains TEXT")
    search.add_argument("text")
    show = actions.add_parser("show", help="print one interview")
    show.add_argument("id")
    export = actions.add_parser("export", help="write one interview as Markdown or JSON")
    export.add_argument("id")
    export.add_argument("--format", choices=("md", "json"), default="md")
    export.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="write to FILE (readable by you only) instead of the terminal")
    delete = actions.add_parser("delete", help="delete one interview, or all with --all")
    target = delete.add_mutually_exclusive_group(required=True)
    target.add_argument("id", nargs="?")
    target.add_argument("--all", action="store_true", help="delete every saved interview")


def run(args: argparse.Namespace) -> int:
    from smart_interview.app.history import HistoryError
    from smart_interview.sync.errors import SyncError

    try:
        return _run(args)
    except (HistoryError, SyncError) as exc:
        raise CliError(str(exc)) from exc


def _run(args: argparse.Namespace) -> int:
    from smart_interview.app.history.export import (
        format_duration,
        format_time,
        status_text,
        to_json,
        to_markdown,
    )

    store, enabled = _open_store()
    if args.action in (None, "list"):
        summaries = store.summaries()
        if not summaries:
            print("No saved interviews." + ("" if enabled else
                  " History is off: turn it on in Settings to keep interviews on this device."))
            return 0
        rows: list[tuple[str, ...]] = [("id", "date", "dossier", "duration", "questions",
                                        "status")]
        rows += [(s.id, format_time(s.started_at), s.dossier_title or "-",
                  format_duration(s.duration_s), str(s.question_count),
                  status_text(interrupted=s.interrupted, in_progress=s.in_progress).split(" (")[0])
                 for s in summaries]
        _print_rows(rows)
        return 0
    if args.action == "search":
        hits = store.search(args.text)
        if not hits:
            print(f"No saved interview mentions {args.text!r}.")
        for hit in hits:
            print(f"{hit.interview.id}  {format_time(hit.interview.started_at)}  "
                  f"{hit.interview.dossier_title or '-'}")
            for segment in hit.segments:
                print(f"    {segment.speaker}: {segment.text}")
        return 0
    if args.action == "show":
        print(to_markdown(store.load(args.id)), end="")
        return 0
    if args.action == "export":
        interview = store.load(args.id)
        text = to_json(interview) if args.format == "json" else to_markdown(interview)
        if args.output is None:
            sys.stdout.write(text)
        else:
            _write_private(args.output, text)
            print(f"Wrote {args.output}", file=sys.stderr)
        return 0
    if args.all:
        count = store.delete_all()
        print(f"Deleted {count} saved interview{'s' if count != 1 else ''}.")
    else:
        store.delete(args.id)
        print(f"Deleted {args.id}.")
    return 0


def _open_store() -> tuple[Any, bool]:
    import keyring

    from smart_interview.app.history import KeyringKey, open_history
    from smart_interview.sync.secrets import SecretStore

    paths = wiring.app_paths()
    settings = wiring.load_settings(paths)
    keys = KeyringKey(SecretStore(keyring.get_keyring()))
    store = open_history(paths.data_dir, keys=keys,
                         retention_days=settings.ui.history_retention_days)
    return store, settings.ui.history_enabled


def _write_private(path: Path, text: str) -> None:
    from smart_interview.app.history.export import write_private

    try:
        write_private(path, text)
    except OSError as exc:
        raise CliError(f"could not write {path}: {exc.strerror or exc}") from exc


def _print_rows(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
              .rstrip())
