"""`smart-interview account login|logout|status|password|delete` (plus `register` for a new cloud
account)."""

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
    logout = actions.add_parser("logout", help="sign out: revoke the session, wipe tokens and "
                                "cache")
    logout.add_argument("--everywhere", action="store_true",
                        help="sign out every session of the account, on every device")
    password = actions.add_parser("password", help="change the cloud account's password (other "
                                  "sessions are signed out)")
    password.add_argument("--password-stdin", action="store_true",
                          help="read the current and the new password from standard input, one "
                          "a line (for scripts)")
    delete = actions.add_parser("delete", help="delete the account with its CV and dossiers, on "
                                "the server and on this device")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete.add_argument("--password-stdin", action="store_true",
                        help="read the password from standard input (for scripts)")
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
    if args.action == "password":
        return _change_password(args)
    if args.action == "delete":
        return _delete(args)
    if args.action == "logout":
        with cli_sync(sign_in_local=False) as sync:
            result = sync.service.sign_out(everywhere=args.everywhere)
        if result.revoked_on_server:
            everywhere = " everywhere (every session of the account)" if args.everywhere else ""
            print(f"Signed out{everywhere}; tokens and offline copies removed from this device.")
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


def _change_password(args: argparse.Namespace) -> int:
    from smart_interview.app.sync_wiring import cli_sync

    with cli_sync(sign_in_local=False) as sync:
        if sync.local_account:
            raise CliError("the local account has no password to change (it is generated and "
                           "kept in this device's keyring)")
        _require_session(sync)
        current = _read_password(args.password_stdin, confirm=False, prompt="Current password: ")
        new = _read_password(args.password_stdin, confirm=True, prompt="New password: ")
        sync.service.change_password(current=current, new=new)
    print("Password changed. Every other session of the account was signed out; this device "
          "stays signed in.")
    return 0


def _delete(args: argparse.Namespace) -> int:
    from smart_interview.app.sync_wiring import cli_sync

    with cli_sync(sign_in_local=False) as sync:
        session = _require_session(sync)
        what = "the local account on this device" if sync.local_account else session.email
        if not args.yes:
            if args.password_stdin:
                raise CliError("--password-stdin needs --yes (standard input holds the password)")
            answer = input(f"Delete {what} with its CV and dossiers, for good? Type 'delete': ")
            if answer.strip().lower() != "delete":
                raise CliError("not deleted")
        password = None
        if not sync.local_account:
            password = _read_password(args.password_stdin, confirm=False)
        sync.service.delete_account(password=password)
    print(f"Deleted {what}: its CV and dossiers are gone from the server, and its tokens and "
          "offline copies from this device.")
    return 0


def _require_session(sync: Any) -> Any:
    session = sync.client.current_session()
    if session is None:
        raise CliError("you are not signed in (smart-interview account login)")
    return session


def _read_password(from_stdin: bool, *, confirm: bool, prompt: str = "Password: ") -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(prompt)
        if confirm and getpass.getpass("Repeat it: ") != password:
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
