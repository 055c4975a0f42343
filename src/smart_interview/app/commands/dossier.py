"""`smart-interview dossier create --title --company --jd FILE | list | show ID [--json] |
delete ID`.

`show` prints the Candidate Match, the cover letter and the CV snapshot the dossier keeps: the
CV text as it was when the dossier was made, which stays with the dossier after the CV itself is
replaced or deleted."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from smart_interview.app.errors import CliError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("dossier", help="create and manage Interview Dossiers")
    parser.set_defaults(handler=run, action="list")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    create = actions.add_parser("create", help="build a dossier from your CV and a job")
    create.add_argument("--title", required=True, help="job title")
    create.add_argument("--company", required=True)
    create.add_argument("--jd", required=True, type=Path,
                        help="job description file (TXT, MD, PDF or DOCX)")
    create.add_argument("--wait", type=float, default=120.0, metavar="SECONDS",
                        help="wait up to SECONDS for it to be ready (0: do not wait)")
    actions.add_parser("list", help="list dossiers (the default; offline: the cached list)")
    show = actions.add_parser("show", help="print one dossier, with the CV snapshot it keeps")
    show.add_argument("id")
    show.add_argument("--json", action="store_true",
                      help="print the dossier as JSON (cv_snapshot included)")
    delete = actions.add_parser("delete", help="delete a dossier here and on the server")
    delete.add_argument("id")


def run(args: argparse.Namespace) -> int:
    from smart_interview.app.sync_wiring import cli_sync
    from smart_interview.models.account import dossier_to_json
    from smart_interview.sync.errors import CvTextError

    with cli_sync() as sync:
        service = sync.service
        if args.action == "create":
            try:
                job_description = _read_job_description(args.jd)
            except CvTextError as exc:
                raise CliError(str(exc).replace("a CV", "a job description")) from exc
            dossier = service.create_dossier(
                job_title=args.title, company=args.company, job_description=job_description
            )
            if args.wait > 0:
                dossier = service.wait_for_dossier(dossier.id, timeout=args.wait)
            print(f"{dossier.id}  {dossier.status}  {dossier.job_title} at {dossier.company}")
            return 0
        if args.action == "show":
            dossier = service.dossier(args.id)
            if args.json:
                print(json.dumps(dossier_to_json(dossier), indent=2, ensure_ascii=False))
            else:
                _print_dossier(dossier)
            return 0
        if args.action == "delete":
            service.delete_dossier(args.id)
            print(f"Dossier {args.id} deleted.")
            return 0
        listing = service.dossiers()
        if listing.from_cache:
            print("(offline: showing the copies on this device)")
        if not listing.items:
            print("No dossiers yet. Create one with: smart-interview dossier create ...")
        for item in listing.items:
            print(f"{item.id}  {item.status:<7}  {item.created_at[:16]}  "
                  f"{item.job_title} at {item.company}")
        return 0


def _read_job_description(path: Path) -> str:
    from smart_interview.sync.cv_text import extract_text

    return extract_text(path)


def _print_dossier(dossier: Any) -> None:
    print(f"{dossier.job_title} at {dossier.company}")
    print(f"id {dossier.id}, {dossier.status}, made {dossier.created_at}"
          + (f", method {dossier.method}" if dossier.method else ""))
    if dossier.error:
        print(f"Problem: {dossier.error}")
    if dossier.match is not None:
        match = dossier.match
        print(f"\nMatch: {match.score}/100. {match.summary}")
        for item in match.matched:
            print(f"  + {item.skill}: {item.evidence}")
        for item in match.missing:
            print(f"  - {item.skill}: {item.evidence}")
    if dossier.cover_letter:
        print("\nCover letter:\n" + dossier.cover_letter)
    print(f"\n{snapshot_heading(dossier)}:")
    print(_indented(dossier.cv_snapshot) if dossier.cv_snapshot.strip() else "  (empty)")


def snapshot_heading(dossier: Any) -> str:
    """What the CV snapshot is, in one line: the CV text as it was when the dossier was made."""
    return f"CV snapshot (as used for this dossier, {dossier.created_at[:10]})"


def _indented(text: str) -> str:
    return "\n".join(f"  {line}" if line else "" for line in text.strip("\n").splitlines())
