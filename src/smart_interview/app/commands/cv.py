"""`smart-interview cv upload FILE | upload --text - | show | delete`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from smart_interview.app.errors import CliError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("cv", help="upload, show or delete your CV")
    parser.set_defaults(handler=run, action="show")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    upload = actions.add_parser("upload", help="read a CV (PDF, DOCX, TXT, MD) and store it")
    upload.add_argument("file", nargs="?", type=Path)
    upload.add_argument("--text", metavar="-", help="read pasted CV text from stdin ('-')")
    upload.add_argument("--yes", action="store_true",
                        help="store without asking (the text is still printed first)")
    upload.add_argument("--preview", action="store_true",
                        help="only print the text that would be stored")
    upload.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                        help="wait up to SECONDS for the CV summary")
    actions.add_parser("show", help="print the stored CV and its summary (the default)")
    delete = actions.add_parser("delete", help="delete the CV and its summary")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete.add_argument("--with-dossiers", action="store_true",
                        help="also delete every dossier (they keep a copy of the CV text)")


def run(args: argparse.Namespace) -> int:
    from smart_interview.app.sync_wiring import cli_sync
    from smart_interview.sync.errors import SyncError

    if args.action == "upload":
        return _upload(args)
    with cli_sync() as sync:
        service = sync.service
        if args.action == "delete":
            return _delete(service, args)
        try:
            stored = service.cv()
        except SyncError as exc:
            raise CliError(str(exc)) from exc
        if stored is None:
            print("No CV stored. Add one with: smart-interview cv upload FILE")
            return 0
        print(stored.text)
        print(f"\n--- {stored.characters:,} characters"
              + (f", from {stored.file_name}" if stored.file_name else "")
              + f", updated {stored.updated_at} ---")
        print(f"Summary ({stored.summary.status}"
              + (f", {stored.summary.method}" if stored.summary.method else "") + "):")
        print(stored.summary.text or stored.summary.error or "(not ready yet)")
        return 0


def _upload(args: argparse.Namespace) -> int:
    """Read and print the CV first: that needs neither the keyring nor the backend, so
    `--preview` works on a machine without any keyring. Only storing opens the sync session."""
    from smart_interview.app.sync_wiring import cli_sync
    from smart_interview.sync.account_service import preview_cv_file, preview_cv_text
    from smart_interview.sync.errors import CvTextError

    if (args.file is None) == (args.text is None):
        raise CliError("give either a FILE or --text - (pasted text on stdin)")
    if args.text not in (None, "-"):
        raise CliError("--text takes '-' and reads the text from stdin")
    try:
        if args.file is not None:
            preview = preview_cv_file(args.file)
        else:
            preview = preview_cv_text(sys.stdin.read())
    except CvTextError as exc:
        raise CliError(str(exc)) from exc
    print(preview.text)
    print(f"\n--- {preview.characters:,} characters will be stored"
          + (f" (from {preview.file_name})" if preview.file_name else "") + " ---")
    if args.preview:
        return 0
    if not args.yes and not _confirm("Store this as your CV (replaces any previous)?"):
        print("Nothing stored.")
        return 1
    with cli_sync() as sync:
        cv = sync.service.upload_cv(preview)
        if args.wait > 0:
            cv = sync.service.wait_for_cv_summary(timeout=args.wait)
    print(f"CV stored ({cv.characters:,} characters); summary {cv.summary.status}.")
    return 0


def _delete(service: Any, args: argparse.Namespace) -> int:
    if not args.yes:
        print("This deletes your CV and its summary on the server and on this device.")
        if not args.with_dossiers:
            print("Dossiers you made keep the CV text they were built from "
                  "(add --with-dossiers to delete them too).")
        if not _confirm("Delete?"):
            print("Nothing deleted.")
            return 1
    result = service.delete_cv()
    print("CV deleted." if result.deleted_on_server else "There was no CV on the server.")
    keeping = result.dossiers_keeping_snapshot
    if args.with_dossiers:
        for dossier in keeping:
            service.delete_dossier(dossier.id)
        print(f"{len(keeping)} dossier(s) deleted too.")
    elif keeping:
        print(f"{len(keeping)} dossier(s) still hold the CV text they were made from; delete "
              "them with: smart-interview dossier delete ID")
    return 0


def _confirm(question: str) -> bool:
    try:
        return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False
