"""Typed httpx client for the backend's v1 API (see the API contract in docs/sync.md).

- The transport, clock and sleep are injected: the app passes the real ones, tests pass a server
  on 127.0.0.1 (or a MockTransport where the wire itself is under test).
- TLS is required for every host that is not loopback.
- Retries with exponential backoff and jitter (tenacity) only where repeating is harmless: GET,
  PUT /cv (it overwrites, so it is idempotent) and DELETE; never on POST.
- The access token is refreshed shortly before it expires, and once more if the server still
  answers 401 `token_expired`/`invalid_token`. Refreshes are serialised with a thread lock and,
  given `refresh_lock` (a file in the data dir), a file lock shared by every process of the
  user: the server rotates refresh tokens and treats a reused one as theft (it revokes the whole
  family). Whoever waited re-reads the keyring and uses the pair the other one stored.
- Logins send the device token of the last successful login for that e-mail (kept in the
  keyring by `TokenStore`) and store the new one, so guessing from elsewhere never locks this
  device out.
- Logs carry method, path, status and timing, never headers or bodies.
"""

from __future__ import annotations

import contextlib
import dataclasses
import ipaddress
import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import filelock
import httpx
import tenacity

from smart_interview.models.account import (
    Account,
    Cv,
    Dossier,
    DossierSummary,
    account_from_json,
    cv_from_json,
    dossier_from_json,
    dossier_summary_from_json,
)
from smart_interview.sync.cache import cache_dir_for
from smart_interview.sync.errors import (
    AuthError,
    ConfigurationError,
    NetworkError,
    NotFoundError,
    ServerError,
)
from smart_interview.sync.tokens import TokenPair, TokenStore
from smart_interview.sync.wire_errors import error_code, error_from_response

log = logging.getLogger(__name__)
T = TypeVar("T")

API_PREFIX = "/api/v1"
_TRANSIENT_STATUS = frozenset({502, 503, 504})
_REFRESHABLE_CODES = frozenset({"token_expired", "invalid_token"})
DOSSIER_PAGE = 100
"""The largest page the server gives (`limit` 1-100)."""


def validate_server_url(url: str) -> str:
    """The URL without a trailing slash, or ConfigurationError when it is unusable or unsafe."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"'{url}' is not a server address; use e.g. https://api.example.com",
            code="bad_server_url",
        )
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ConfigurationError(
            f"Refusing to send your account over plain http to {parts.hostname}: use an "
            "https:// server address (plain http is allowed only for 127.0.0.1/localhost).",
            code="tls_required",
        )
    return url.strip().rstrip("/")


def refresh_lock_for(data_dir: Path, scope: str) -> Path:
    """The file every process of the user locks to refresh the session of `scope`: next to the
    offline cache of that scope (not in it: signing out deletes the cache directory)."""
    cache = cache_dir_for(data_dir, scope)
    return cache.with_name(cache.name + ".refresh.lock")


def is_loopback_host(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class BackendClient:
    """One backend, one signed-in session (its tokens in `tokens`)."""

    def __init__(
        self,
        *,
        base_url: str,
        tokens: TokenStore,
        http: httpx.Client,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 20.0,
        max_attempts: int = 4,
        backoff_initial: float = 0.5,
        backoff_max: float = 8.0,
        refresh_margin: float = 60.0,
        refresh_lock: Path | None = None,
    ) -> None:
        self.base_url = validate_server_url(base_url)
        self._tokens = tokens
        self._clock = clock
        self._sleep = sleep
        self._max_attempts = max(1, max_attempts)
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._refresh_margin = refresh_margin
        # The caller makes the client (the app's network door, which logs every request);
        # this one only aims it at the API.
        self._http = http
        self._http.base_url = httpx.URL(self.base_url + API_PREFIX)
        self._http.timeout = httpx.Timeout(timeout)
        self._http.headers["Accept"] = "application/json"
        self._session: TokenPair | None = None
        self._session_loaded = False
        self._lock = threading.RLock()
        self._refresh_lock_path = refresh_lock
        self._refresh_lock = (
            filelock.FileLock(str(refresh_lock), mode=0o600) if refresh_lock is not None else None
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> BackendClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- session ------------------------------------------------------------------------------

    def current_session(self) -> TokenPair | None:
        with self._lock:
            if not self._session_loaded:
                self._session = self._tokens.load()
                self._session_loaded = True
            return self._session

    @property
    def signed_in(self) -> bool:
        return self.current_session() is not None

    def forget_session(self) -> None:
        """Wipe the tokens on this device (the keyring entry), without asking the server."""
        with self._lock:
            self._tokens.clear()
            self._session = None
            self._session_loaded = True

    def remember_email(self, email: str) -> None:
        """Keep the account's e-mail as the server spells it with the session."""
        with self._lock:
            session = self.current_session()
            if session is not None and session.email != email:
                self._store_session(dataclasses.replace(session, email=email))

    def _store_session(self, tokens: TokenPair) -> None:
        with self._lock:
            self._tokens.save(tokens)
            self._session = tokens
            self._session_loaded = True

    # --- auth ---------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        return self._json(self._call("GET", "/health", auth=False, retry=True))

    def register(self, *, email: str, password: str) -> None:
        """Ask for an account. The server answers the same 202 whether the e-mail is new or
        already has an account (which it leaves untouched): only a login tells them apart."""
        self._call(
            "POST", "/auth/register", auth=False, body={"email": email, "password": password}
        )

    def login(self, *, email: str, password: str) -> TokenPair:
        body = {"email": email, "password": password}
        device_token = self._tokens.load_device_token(email)
        if device_token:
            body["device_token"] = device_token
        response = self._call("POST", "/auth/login", auth=False, body=body)
        now = self._clock()
        tokens = self._parse(lambda raw: TokenPair.from_response(raw, now=now, email=email),
                             response)
        self._store_session(tokens)
        issued = self._json(response).get("device_token")
        if isinstance(issued, str) and issued:
            self._tokens.save_device_token(email, issued)
        return tokens

    def refresh(self) -> TokenPair:
        """Trade the refresh token for a new pair now (normally this happens by itself)."""
        session = self.current_session()
        if session is None:
            raise self._not_signed_in()
        return self._refresh(stale=session)

    def logout(self) -> None:
        """Revoke this session's token family on the server. The caller wipes the device."""
        session = self.current_session()
        if session is None:
            return
        self._call("POST", "/auth/logout", body={"refresh_token": self._fresh().refresh_token})

    def logout_everywhere(self) -> None:
        """Revoke every session of the account, this one included. The caller wipes the device."""
        self._call("POST", "/auth/logout-all")

    def change_password(self, *, current: str, new: str) -> None:
        """Set a new password. The server signs out every other session and keeps this one, so
        the stored tokens stay valid."""
        self._call(
            "POST", "/account/password", body={"current_password": current, "new_password": new}
        )

    # --- account, CV, dossiers ----------------------------------------------------------------

    def get_account(self) -> Account:
        return self._parse(account_from_json, self._call("GET", "/account", retry=True))

    def delete_account(self, *, password: str) -> None:
        """Delete the account and everything it owns on the server. Never retried: a retry after
        a lost answer would find the account (and this session) gone."""
        self._call("DELETE", "/account", body={"password": password})

    def put_cv(self, *, text: str, file_name: str | None) -> Cv:
        body = {"text": text, "file_name": file_name}
        return self._parse(cv_from_json, self._call("PUT", "/cv", body=body, retry=True))

    def get_cv(self) -> Cv:
        return self._parse(cv_from_json, self._call("GET", "/cv", retry=True))

    def delete_cv(self) -> None:
        self._call("DELETE", "/cv", retry=True)

    def create_dossier(self, *, job_title: str, company: str, job_description: str) -> Dossier:
        body = {"job_title": job_title, "company": company, "job_description": job_description}
        return self._parse(dossier_from_json, self._call("POST", "/dossiers", body=body))

    def list_dossiers(self) -> list[DossierSummary]:
        """Every dossier, newest first, fetched page by page until `next_offset` is null."""
        items: list[DossierSummary] = []
        offset: int | None = 0
        while offset is not None:
            response = self._call(
                "GET", f"/dossiers?limit={DOSSIER_PAGE}&offset={offset}", retry=True
            )
            page, next_offset = self._parse(_dossier_page, response)
            if next_offset is not None and next_offset <= offset:
                raise ServerError(
                    f"The server at {self.base_url} sent a dossier list that does not move on "
                    f"(offset {offset}, next {next_offset}); the app and server versions may "
                    "not match.",
                    code="bad_response",
                    status=response.status_code,
                )
            items.extend(page)
            offset = next_offset
        return items

    def get_dossier(self, dossier_id: str) -> Dossier:
        path = f"/dossiers/{quote(dossier_id, safe='')}"
        return self._parse(dossier_from_json, self._call("GET", path, retry=True))

    def delete_dossier(self, dossier_id: str) -> None:
        self._call("DELETE", f"/dossiers/{quote(dossier_id, safe='')}", retry=True)

    # --- plumbing -----------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        auth: bool = True,
        body: dict[str, Any] | None = None,
        retry: bool = False,
    ) -> httpx.Response:
        if retry and method == "POST":
            raise ValueError("POST is never retried automatically")
        attempts = self._max_attempts if retry else 1
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(attempts),
            wait=tenacity.wait_exponential(multiplier=self._backoff_initial, max=self._backoff_max)
            + tenacity.wait_random(0, self._backoff_initial),
            retry=tenacity.retry_if_exception(_is_transient),
            sleep=self._sleep,
            before_sleep=lambda state: log.info(
                "%s %s failed (%s), retry %d of %d",
                method,
                path,
                type(state.outcome.exception()).__name__ if state.outcome else "?",
                state.attempt_number,
                attempts - 1,
            ),
            reraise=True,
        )
        attempt = 0

        def once() -> httpx.Response:
            nonlocal attempt
            attempt += 1
            try:
                return self._call_once(method, path, auth=auth, body=body)
            except NotFoundError:
                # A DELETE whose earlier attempt reached the server but lost its answer finds
                # nothing the second time: the thing is gone, which is what was asked.
                if method == "DELETE" and attempt > 1:
                    return httpx.Response(204)
                raise

        return retrying(once)

    def _call_once(
        self, method: str, path: str, *, auth: bool, body: dict[str, Any] | None
    ) -> httpx.Response:
        if not auth:
            return self._checked(self._send(method, path, body=body, token=None))
        session = self._fresh()
        response = self._send(method, path, body=body, token=session.access_token)
        if response.status_code == 401 and error_code(response) in _REFRESHABLE_CODES:
            session = self._refresh(stale=session)
            response = self._send(method, path, body=body, token=session.access_token)
        return self._checked(response)

    def _send(
        self, method: str, path: str, *, body: dict[str, Any] | None, token: str | None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        content = None
        if body is not None:
            # UTF-8 as is (not \uXXXX escapes): a 200,000-character CV stays under the
            # server's 1 MB body limit whatever its script.
            content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            response = self._http.request(method, path, content=content, headers=headers)
        except httpx.TimeoutException as exc:
            raise NetworkError(
                f"The server at {self.base_url} did not answer in time. Nothing was lost; "
                "check your connection and try again.",
                code="timeout",
            ) from exc
        except httpx.TransportError as exc:
            raise NetworkError(
                f"Could not reach the server at {self.base_url} ({_describe(exc)}). Nothing was "
                "lost; check your internet connection or the server address, then try again.",
                code="unreachable",
            ) from exc
        log.debug(
            "%s %s -> %d in %.0f ms",
            method,
            path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response

    def _fresh(self) -> TokenPair:
        """The session, refreshed first when its access token is (about to be) expired."""
        session = self.current_session()
        if session is None:
            raise self._not_signed_in()
        if session.needs_refresh(now=self._clock(), margin=self._refresh_margin):
            session = self._refresh(stale=session)
        return session

    def _refresh(self, *, stale: TokenPair) -> TokenPair:
        with self._lock, self._other_processes_wait():
            if self._refresh_lock is not None:
                self._session_loaded = False  # another process may have stored a new pair
            current = self.current_session()
            if current is None:
                raise self._not_signed_in()
            if current.refresh_token != stale.refresh_token:
                return current  # another thread or process refreshed while this one waited
            if current.refresh_expired(now=self._clock()):
                self.forget_session()
                raise self._session_ended()
            response = self._send(
                "POST", "/auth/refresh", body={"refresh_token": current.refresh_token}, token=None
            )
            if response.status_code in (401, 403):
                self.forget_session()
                raise self._session_ended()
            self._checked(response)
            now = self._clock()
            tokens = self._parse(
                lambda raw: TokenPair.from_response(raw, now=now, email=current.email), response
            )
            self._store_session(tokens)
            log.info("session refreshed")
            return tokens

    def _other_processes_wait(self) -> filelock.BaseFileLock | contextlib.nullcontext[None]:
        if self._refresh_lock is None or self._refresh_lock_path is None:
            return contextlib.nullcontext()
        self._refresh_lock_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self._refresh_lock

    def _not_signed_in(self) -> AuthError:
        return AuthError(
            "You are not signed in. Sign in first (smart-interview account login).",
            code="not_signed_in",
        )

    def _session_ended(self) -> AuthError:
        return AuthError(
            "Your session has ended (expired or signed out elsewhere). Please sign in again; "
            "your data on the server is unchanged.",
            code="session_ended",
            status=401,
        )

    def _checked(self, response: httpx.Response) -> httpx.Response:
        if response.is_success:
            return response
        raise error_from_response(response)

    def _parse(self, build: Callable[[dict[str, Any]], T], response: httpx.Response) -> T:
        """Build a typed value from the JSON body; a body of the wrong shape is a ServerError."""
        raw = self._json(response)
        try:
            return build(raw)
        except (KeyError, TypeError, ValueError) as exc:
            raise ServerError(
                f"The server at {self.base_url} sent an answer in an unexpected shape "
                f"({type(exc).__name__}: {exc}); the app and server versions may not match.",
                code="bad_response",
                status=response.status_code,
            ) from exc

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise ServerError(
                f"The server at {self.base_url} sent an answer this app does not understand "
                f"(HTTP {response.status_code}, not JSON). Is the address right?",
                code="bad_response",
                status=response.status_code,
            )
        return data


def _dossier_page(raw: dict[str, Any]) -> tuple[list[DossierSummary], int | None]:
    next_offset = raw.get("next_offset")
    if next_offset is not None and not isinstance(next_offset, int):
        raise TypeError(f"next_offset is {type(next_offset).__name__}")
    return [dossier_summary_from_json(item) for item in raw["items"]], next_offset


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, NetworkError):
        return True
    return isinstance(exc, ServerError) and exc.status in _TRANSIENT_STATUS


def _describe(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return "connection refused or host not found"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the connection was closed mid-answer"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return "the connection dropped"
    return type(exc).__name__
