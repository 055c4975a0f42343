"""The account side of `smart-interview simulate`: a throwaway signed-in account whose CV and
dossier are the interview's context, made through the app's own sync path.

By default the app's embedded local backend runs on 127.0.0.1 with its database in a temp
folder, and the app signs in to its local account there; with `--server URL` a new account
(generated e-mail and password) is signed up on that server. The CV file is read with the
app's CV text extraction and uploaded with the sync client; the dossier is created from the job
description the same way the Dossiers page does, and waited for. Every request goes through
the network door the interview uses, so the report lists them with their purposes.

The account's secrets live in an in-memory keyring for the length of the run: the simulated
account is never written to the user's keyring, settings or data folders.
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smart_interview.app.errors import CliError

if TYPE_CHECKING:
    from smart_interview.app.network.door import NetworkDoor
    from smart_interview.models.account import Dossier

SAMPLE_CV = "cv/pdf/resume-matcher_bruce_wayne_fullstack.pdf"
SAMPLE_JD = "jobs/resume-matcher/job_desc_full_stack_engineer.txt"
WAIT_S = 60.0


@dataclass(frozen=True)
class AccountContext:
    server: str
    """The backend's URL."""
    email: str
    cv_file: str
    cv_text: str
    cv_summary: str
    dossier: Dossier


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("account (the CV and the job come from --cv and --jd)")
    group.add_argument("--no-account", action="store_true",
                       help="run signed out: no backend, the CV and job read from the files")
    group.add_argument("--server", metavar="URL",
                       help="sign up on this backend (default: the app's local backend on "
                       "127.0.0.1, in a temp folder)")
    group.add_argument("--job-title", default="Full Stack Engineer")
    group.add_argument("--company", default="Tech Solutions")


def sample_file(given: Path | None, relative: str, what: str) -> Path:
    """`given`, or the sample `relative` to the sample data folder; CliError when missing."""
    from smart_interview.app.resources import shared_data_dir

    if given is not None:
        path = given
    else:
        data = shared_data_dir()
        if data is None:
            raise CliError(f"no sample data folder (shared/data) here: pass --{what.lower()} "
                           "FILE")
        path = data / relative
    if not path.is_file():
        raise CliError(f"no {what} file at {path}: pass --{what.lower()} FILE")
    return path


def sign_in_with_context(args: argparse.Namespace, door: NetworkDoor) -> AccountContext:
    """Signs in, uploads the CV, creates the dossier; raises CliError saying what failed."""
    from smart_interview.app.paths import AppPaths
    from smart_interview.app.settings import Settings
    from smart_interview.app.sync_wiring import open_sync
    from smart_interview.sync.account_service import preview_cv_file
    from smart_interview.sync.cv_text import extract_text
    from smart_interview.sync.errors import CvTextError, SyncError

    cv_file = sample_file(args.cv, SAMPLE_CV, "CV")
    jd_file = sample_file(args.jd, SAMPLE_JD, "JD")
    settings = Settings()
    settings.sync.server_url = args.server or ""
    folder = tempfile.TemporaryDirectory(prefix="smart-interview-account-")
    paths = AppPaths.under(Path(folder.name))
    try:  # both files are read before anything is sent
        preview = preview_cv_file(cv_file)
        job_description = extract_text(jd_file)
        with open_sync(paths.ensure(), settings, keyring_backend=memory_keyring(),
                       allow_insecure_keyring=True, door=door) as sync:
            service = sync.service
            if sync.local_account:
                account = service.ensure_local_account()
            else:
                account = service.sign_up(
                    email=f"simulate-{secrets.token_hex(6)}@example.com",
                    password=secrets.token_urlsafe(18))
            service.upload_cv(preview)
            cv = service.wait_for_cv_summary(timeout=WAIT_S, interval=0.2)
            dossier = service.create_dossier(job_title=args.job_title, company=args.company,
                                             job_description=job_description)
            dossier = service.wait_for_dossier(dossier.id, timeout=WAIT_S, interval=0.2)
            return AccountContext(server=sync.client.base_url, email=account.email,
                                  cv_file=str(cv_file), cv_text=cv.text,
                                  cv_summary=cv.summary.text or "", dossier=dossier)
    except CvTextError as exc:
        raise CliError(str(exc)) from exc
    except SyncError as exc:
        raise CliError(f"the simulated account failed: {exc}") from exc
    finally:
        folder.cleanup()


def account_json(context: AccountContext | None) -> dict[str, Any] | None:
    if context is None:
        return None
    return {"server": context.server, "email": context.email, "cv_file": context.cv_file,
            "cv_text": context.cv_text, "dossier_id": context.dossier.id,
            "dossier_status": context.dossier.status,
            "job_description": context.dossier.job_description}


def memory_keyring() -> Any:
    """A keyring that lives as long as the process: the simulated account's tokens and
    generated credentials, gone when the run ends."""
    from keyring.backend import KeyringBackend
    from keyring.errors import PasswordDeleteError

    class MemoryKeyring(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self._values: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self._values.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self._values[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            if self._values.pop((service, username), None) is None:
                raise PasswordDeleteError(username)

    return MemoryKeyring()
