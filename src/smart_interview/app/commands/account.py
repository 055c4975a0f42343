"""`smart-interview account login|logout|status` (plus `register` for a new cloud account)."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from smart_interview.app.errors import CliError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("account", help="sign in, sign out, show the account")
    parser.set_defaults(handler=run, action="status")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    for name, text in (("login", "sign in"), ("register", "create a cloud account and sign in")):
        sub = actions.add_parser(name, help=text)
        sub.add_argument("--server", help="server URL to use from now on (https://...); "
                         "'local' for this device's own backend")
        sub.add_argument("--email", help="account e-mail (cloud server only)")
        sub.add_argument("--password-stdin", action="store_true",
                         help="read the password from standard input (for scripts)")
    actions.add_parser("logout", help="sign out: revoke the session, wipe tokens and cache")
    actions.add_parser("status", help="who is signed in, CV and dossiers (the default)")


def run(args: argparse.Namespace) -> int:
    from smart_interview.app.sync_wiring import cli_sync

    if getattr(args, "server", None):
        _save_server(args.server)
    if args.action in ("login", "register"):
        with cli_sync(sign_in_local=False) as sync:
            service = sync.service
            if sync.local_account:
                account = service.ensure_local_account()
                print(f"Signed in to the local account on this device ({account.email}).")
                return 0
            email = args.email or input("E-mail: ").strip()
            password = _read_password(args.password_stdin, confirm=args.action == "register")
            if args.action == "register":
                account = service.sign_up(email=email, password=password)
            else:
                account = service.sign_in(email=email, password=password)
            print(f"Signed in as {account.email} at {sync.client.base_url}.")
        return 0
    if args.action == "logout":
        with cli_sync(sign_in_local=False) as sync:
            result = sync.service.sign_out()
        if result.revoked_on_server:
            print("Signed out; tokens and offline copies removed from this device.")
        else:
            print("Signed out on this device (tokens and offline copies removed), but the server "
                  f"could not be told: {result.reason}")
        return 0
    with cli_sync(sign_in_local=False) as sync:
        status = sync.service.status()
    where = "local account (this device)" if status.local_account else status.server_url
    print(f"Server:     {where}")
    if not status.signed_in:
        print("Signed in:  no  (smart-interview account login)")
        return 0
    print(f"Signed in:  {status.email}")
    print(f"Online:     {'yes' if status.online else 'no'}"
          + (f"  ({status.problem})" if status.problem else ""))
    cv = {None: "unknown", True: "yes", False: "no"}[status.has_cv]
    if status.cv_summary_status:
        cv += f" (summary {status.cv_summary_status})"
    print(f"CV:         {cv}")
    print(f"Dossiers:   {status.dossiers}")
    return 0


def _read_password(from_stdin: bool, *, confirm: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if confirm and getpass.getpass("Repeat password: ") != password:
            raise CliError("the two passwords differ; nothing was changed")
    if not password:
        raise CliError("no password given")
    return password


def _save_server(value: str) -> None:
    from smart_interview.app import wiring
    from smart_interview.sync.client import validate_server_url
    from smart_interview.sync.errors import ConfigurationError

    paths = wiring.app_paths()
    settings = wiring.load_settings(paths)
    if value.strip().lower() == "local":
        settings.sync.server_url = ""
    else:
        try:
            settings.sync.server_url = validate_server_url(value)
        except ConfigurationError as exc:
            raise CliError(str(exc)) from exc
    settings.save(paths.settings_file)
