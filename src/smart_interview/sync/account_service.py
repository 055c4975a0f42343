"""The account, CV and dossier flows the CLI and the UI both call.

It keeps the device consistent with the server: the CV copy exists only while the server has
the CV, dossiers are cached as they are fetched and dropped when deleted, sign-out revokes the
session on the server and wipes tokens, cache and cache key from the device. When the network is
down, reads fall back to the cache (flagged `from_cache`) and writes raise NetworkError with
nothing lost: an upload can be retried with the same `CvPreview`.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from smart_interview.models.account import (
    Account,
    AccountStatus,
    Cv,
    CvDeletion,
    Dossier,
    DossierSummary,
)
from smart_interview.sync import cv_text
from smart_interview.sync.cache import LocalCache
from smart_interview.sync.client import BackendClient
from smart_interview.sync.errors import (
    AuthError,
    NetworkError,
    NotFoundError,
    SyncError,
    ValidationError,
)
from smart_interview.sync.tokens import LocalAccountCredentials, TokenStore
from smart_interview.sync.write_order import WriteOrder

log = logging.getLogger(__name__)

LOCAL_ACCOUNT_DOMAIN = "device.invalid"


@dataclass(frozen=True)
class CvPreview:
    """Exactly the text that will be stored, shown to the user before the upload."""

    text: str = field(repr=False)
    file_name: str | None = None

    @property
    def characters(self) -> int:
        return len(self.text)


def preview_cv_file(path: Path) -> CvPreview:
    """The text a CV file would be stored as. Reads only the file: no keyring, no backend."""
    return CvPreview(text=cv_text.extract_text(path), file_name=Path(path).name)


def preview_cv_text(text: str, *, file_name: str | None = None) -> CvPreview:
    """Pasted CV text as it would be stored. No keyring, no backend."""
    return CvPreview(text=cv_text.normalise_pasted(text), file_name=file_name)


@dataclass(frozen=True)
class SignOutResult:
    revoked_on_server: bool
    reason: str = ""


@dataclass(frozen=True)
class Listing:
    items: list[DossierSummary]
    from_cache: bool


class AccountService:
    def __init__(
        self,
        *,
        client: BackendClient,
        tokens: TokenStore,
        cache: LocalCache,
        local_account: bool = False,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self._tokens = tokens
        self.cache = cache
        self.local_account = local_account
        self._clock = clock
        self._sleep = sleep
        self._writes = WriteOrder()

    # --- sign-in / sign-out -------------------------------------------------------------------

    def sign_up(self, *, email: str, password: str) -> Account:
        """Ask the server for the account, then sign in to it. The server answers a new and a
        known e-mail alike (it never says which exist), so a known e-mail with another
        password fails here, at the sign-in, with a message that says both cases."""
        self.client.register(email=email, password=password)
        try:
            return self.sign_in(email=email, password=password)
        except AuthError as exc:
            if exc.code != "invalid_credentials":
                raise
            raise AuthError(
                "Could not sign in with that password. If this e-mail address is new, the "
                "account was created; if it already had an account, nothing was changed: sign "
                "in with that account's password instead.",
                code="invalid_credentials",
                status=exc.status,
            ) from exc

    def sign_in(self, *, email: str, password: str) -> Account:
        self.client.login(email=email, password=password)
        account = self.client.get_account()
        self.client.remember_email(account.email)
        self.cache.claim(account.email)
        log.info("signed in")
        return account

    def ensure_local_account(self) -> Account:
        """Sign in to the device's own account on the embedded backend, creating it the first
        time (its generated e-mail and password are kept in the keyring)."""
        if self.client.signed_in:
            try:
                account = self.client.get_account()
                self.cache.claim(account.email)
                return account
            except AuthError:
                pass  # session gone (e.g. a new local database): sign in again below
        credentials = self._tokens.load_local_account()
        if credentials is None:
            credentials = LocalAccountCredentials(
                email=f"local-{secrets.token_hex(6)}@{LOCAL_ACCOUNT_DOMAIN}",
                password=secrets.token_urlsafe(32),
            )
            self._tokens.save_local_account(credentials)  # first, so it can never be lost
        try:
            return self.sign_in(email=credentials.email, password=credentials.password)
        except AuthError as exc:
            if exc.code != "invalid_credentials":
                raise
        # The local database was reset: create the account again with the same credentials.
        self.client.register(email=credentials.email, password=credentials.password)
        return self.sign_in(email=credentials.email, password=credentials.password)

    def sign_out(self, *, everywhere: bool = False) -> SignOutResult:
        """Revoke the session on the server (with `everywhere`, every session of the account on
        every device), then wipe tokens, cached CV/dossiers and cache key from this device (the
        wipe happens even when the server cannot be reached)."""
        revoked, reason = True, ""
        try:
            if everywhere:
                self.client.logout_everywhere()
            else:
                self.client.logout()
        except SyncError as exc:
            revoked, reason = False, str(exc)
        finally:
            self.client.forget_session()
            self.cache.wipe()
        log.info("signed out (revoked on server: %s)", revoked)
        return SignOutResult(revoked_on_server=revoked, reason=reason)

    def change_password(self, *, current: str, new: str) -> None:
        """Set a new password for the signed-in server account. The server signs out every
        other session; this one stays signed in."""
        if self.local_account:
            raise ValidationError(
                "The local account has no password to change: it is generated and kept in "
                "this device's keyring.",
                code="local_account",
            )
        self.client.change_password(current=current, new=new)
        log.info("password changed")

    def delete_account(self, *, password: str | None = None) -> None:
        """Delete the account with its CV and dossiers on the server, then wipe tokens, device
        token and offline copies here. A server account needs its `password`; the local
        account's comes from the keyring (and is forgotten too, so a new one is made on next
        use). On any error nothing is deleted, on the server or here."""
        session = self.client.current_session()
        if session is None:
            raise AuthError(
                "You are not signed in. Sign in to the account you want to delete first.",
                code="not_signed_in",
            )
        credentials = self._tokens.load_local_account() if self.local_account else None
        if credentials is not None:
            password = credentials.password
        if not password:
            raise AuthError(
                "Enter the account's password to delete it.", code="password_required"
            )
        self.client.delete_account(password=password)
        self.client.forget_session()
        self.cache.wipe()
        if session.email:
            self._tokens.clear_device_token(session.email)
        if credentials is not None:
            self._tokens.clear_local_account()
        log.info("account deleted")

    def status(self) -> AccountStatus:
        session = self.client.current_session()
        cached_cv = self.cache.load_cv()
        cached_dossiers = self.cache.list_dossiers()
        base = AccountStatus(
            server_url=self.client.base_url,
            local_account=self.local_account,
            signed_in=session is not None,
            email=session.email if session else None,
            online=False,
            has_cv=None,
            cv_summary_status=None,
            dossiers=0,
        )
        if session is None:
            return base
        try:
            cv = self.cv()
            listing = self.dossiers()
        except (NetworkError, AuthError) as exc:
            return dataclasses.replace(
                base,
                has_cv=True if cached_cv else None,
                cv_summary_status=cached_cv.summary.status if cached_cv else None,
                dossiers=len(cached_dossiers),
                problem=str(exc),
            )
        return dataclasses.replace(
            base,
            online=not listing.from_cache,
            has_cv=cv is not None,
            cv_summary_status=cv.summary.status if cv else None,
            dossiers=len(listing.items),
        )

    # --- CV -----------------------------------------------------------------------------------

    def preview_cv_file(self, path: Path) -> CvPreview:
        return preview_cv_file(path)

    def preview_cv_text(self, text: str, *, file_name: str | None = None) -> CvPreview:
        return preview_cv_text(text, file_name=file_name)

    def upload_cv(self, preview: CvPreview) -> Cv:
        """Store the previewed text as the account's one CV (overwriting the old one). On a
        NetworkError nothing changed on the device; call again with the same preview."""
        cv = self.client.put_cv(text=preview.text, file_name=preview.file_name)
        with self._writes.write("cv"):
            self.cache.save_cv(cv)
        return cv

    def cv(self, *, allow_cached: bool = True) -> Cv | None:
        """The CV from the server (refreshing the local copy); None when there is none. Offline,
        the local copy when `allow_cached`. An upload or a deletion made on this device while
        the request was out is newer than its answer: then the local copy is returned."""
        mark = self._writes.mark("cv")
        try:
            found: Cv | None = self.client.get_cv()
        except NotFoundError:
            found = None
        except NetworkError:
            cached = self.cache.load_cv() if allow_cached else None
            if cached is None:
                raise
            return cached
        with self._writes.refresh("cv", mark) as current:
            if not current:
                return self.cache.load_cv()
            if found is None:
                self.cache.delete_cv()
            else:
                self.cache.save_cv(found)
        return found

    def cached_cv(self) -> Cv | None:
        return self.cache.load_cv()

    def wait_for_cv_summary(self, *, timeout: float = 120.0, interval: float = 1.0) -> Cv:
        deadline = self._clock() + timeout
        while True:
            cv = self.cv(allow_cached=False)
            if cv is None:
                raise NotFoundError("There is no CV on the server any more.", code="cv_not_found")
            if cv.summary.settled or self._clock() >= deadline:
                return cv
            self._sleep(interval)

    def delete_cv(self) -> CvDeletion:
        """Delete the CV and its summary on the server and the copy on this device. Dossiers are
        kept (with their CV snapshot) and listed in the result."""
        deleted = True
        try:
            self.client.delete_cv()
        except NotFoundError:
            deleted = False
        with self._writes.write("cv"):
            self.cache.delete_cv()
        keeping = self.dossiers().items
        return CvDeletion(deleted_on_server=deleted, dossiers_keeping_snapshot=keeping)

    # --- dossiers -----------------------------------------------------------------------------

    def create_dossier(self, *, job_title: str, company: str, job_description: str) -> Dossier:
        dossier = self.client.create_dossier(
            job_title=job_title.strip(),
            company=company.strip(),
            job_description=job_description.strip(),
        )
        with self._writes.write("dossiers"):
            self.cache.save_dossier(dossier)
        return dossier

    def dossiers(self) -> Listing:
        """The server's list (the cache adopts it), unless a dossier was created or deleted on
        this device while the request was out: then the cache's newer list."""
        mark = self._writes.mark("dossiers")
        try:
            items = self.client.list_dossiers()
        except NetworkError:
            return Listing(items=self.cache.list_dossiers(), from_cache=True)
        with self._writes.refresh("dossiers", mark) as current:
            if not current:
                return Listing(items=self.cache.list_dossiers(), from_cache=False)
            self.cache.replace_dossier_list(items)
        return Listing(items=items, from_cache=False)

    def dossier(self, dossier_id: str, *, allow_cached: bool = True) -> Dossier:
        try:
            dossier = self.client.get_dossier(dossier_id)
        except NotFoundError:
            self.cache.delete_dossier(dossier_id)
            raise
        except NetworkError:
            cached = self.cache.load_dossier(dossier_id) if allow_cached else None
            if cached is None:
                raise
            return cached
        self.cache.save_dossier(dossier)
        return dossier

    def cached_dossier(self, dossier_id: str) -> Dossier | None:
        """For the live interview: no network at all."""
        return self.cache.load_dossier(dossier_id)

    def wait_for_dossier(
        self, dossier_id: str, *, timeout: float = 180.0, interval: float = 1.0
    ) -> Dossier:
        deadline = self._clock() + timeout
        while True:
            dossier = self.dossier(dossier_id, allow_cached=False)
            if dossier.settled or self._clock() >= deadline:
                return dossier
            self._sleep(interval)

    def delete_dossier(self, dossier_id: str) -> None:
        """Delete on the server, then the offline copy (also when the server no longer had it).
        On a NetworkError the cached copy stays, as on the server."""
        try:
            self.client.delete_dossier(dossier_id)
        except NotFoundError:
            with self._writes.write("dossiers"):
                self.cache.delete_dossier(dossier_id)
            raise
        with self._writes.write("dossiers"):
            self.cache.delete_dossier(dossier_id)
