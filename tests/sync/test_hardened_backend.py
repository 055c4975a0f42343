"""The client against the hardened backend's wire (real server process on loopback, SQLite and
PostgreSQL): registration that reveals nothing, deleting the account with its password, device
tokens, the paged dossier list, password change, signing out everywhere, quotas."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from smart_interview.sync.account_service import AccountService
from smart_interview.sync.errors import (
    AuthError,
    QuotaExceededError,
    RateLimitedError,
    ValidationError,
)
from smart_interview.sync.secrets import SecretStore
from smart_interview.sync.tokens import LocalAccountCredentials, TokenStore
from tests.sync.conftest import make_service
from tests.sync.server_process import ServerProcess

PASSWORD = "velvet quarry lantern 42"
NEW_PASSWORD = "orchid tundra saxophone 7"
EMAIL = "owner@example.com"
CV = "Ines Ferreira\nBackend Engineer\nSkills: Python, PostgreSQL, Kubernetes\n"
StartServer = Callable[..., ServerProcess]


def _other_keyring(tmp_path: Path, name: str) -> SecretStore:
    """A second device: its own keyring file, so it has no device token."""
    from keyrings.alt.file import PlaintextKeyring

    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / f"{name}-keyring.cfg")  # type: ignore[misc]
    return SecretStore(backend, allow_insecure_backend=True)


def _signed_in_on_two_devices(
    server: ServerProcess, secret_store: SecretStore, tmp_path: Path
) -> tuple[AccountService, AccountService]:
    """This device (signed up) and another one signed in to the same account."""
    service = make_service(url=server.url, secrets=secret_store, data_dir=tmp_path / "d")
    service.sign_up(email=EMAIL, password=PASSWORD)
    other = make_service(url=server.url, secrets=_other_keyring(tmp_path, "other"),
                         data_dir=tmp_path / "other")
    other.sign_in(email=EMAIL, password=PASSWORD)
    return service, other


class RecordingTransport(httpx.BaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.inner.handle_request(request)


def test_sign_up_with_a_known_email_and_another_password_fails_at_sign_in(
    own_server: StartServer, secret_store: SecretStore, tmp_path: Path
) -> None:
    server = own_server()
    service = make_service(url=server.url, secrets=secret_store, data_dir=tmp_path / "d")
    assert service.client.register(email=EMAIL, password=PASSWORD) is None
    assert service.client.register(email=EMAIL, password=NEW_PASSWORD) is None  # no 409
    assert service.sign_up(email="fresh@example.com", password=PASSWORD).email == \
        "fresh@example.com"
    service.sign_out()
    with pytest.raises(AuthError) as refused:
        service.sign_up(email=EMAIL, password=NEW_PASSWORD)
    assert refused.value.code == "invalid_credentials"
    message = str(refused.value)
    assert "If this e-mail address is new, the account was created" in message
    assert "sign in with that account's password" in message
    assert service.client.current_session() is None
    assert service.sign_in(email=EMAIL, password=PASSWORD).email == EMAIL  # left untouched


def test_delete_account_needs_the_password_and_is_throttled(
    own_server: StartServer, secret_store: SecretStore, tmp_path: Path
) -> None:
    server = own_server()
    service = make_service(url=server.url, secrets=secret_store, data_dir=tmp_path / "d")
    service.sign_up(email=EMAIL, password=PASSWORD)
    service.upload_cv(service.preview_cv_text(CV))

    with pytest.raises(AuthError) as missing:
        service.delete_account()
    assert missing.value.code == "password_required"
    with pytest.raises(AuthError) as wrong:
        service.delete_account(password="not my password")
    assert wrong.value.code == "reauthentication_failed" and wrong.value.status == 403
    assert "password is wrong" in str(wrong.value)
    # Nothing was deleted, here or there.
    assert service.client.current_session() is not None and service.cached_cv() is not None
    assert service.cv() is not None

    for n in range(4):
        with pytest.raises(AuthError) as again:
            service.delete_account(password=f"guess {n}")
        assert again.value.code == "reauthentication_failed"
    with pytest.raises(RateLimitedError) as limited:
        service.delete_account(password=PASSWORD)
    assert limited.value.code == "too_many_attempts" and limited.value.status == 429
    assert limited.value.retry_after and limited.value.retry_after > 0
    assert "try again in" in str(limited.value).lower()
    assert service.cv() is not None


def test_deleting_an_account_removes_it_on_the_server_and_the_device(
    own_server: StartServer, secret_store: SecretStore, tmp_path: Path
) -> None:
    server = own_server()
    service = make_service(url=server.url, secrets=secret_store, data_dir=tmp_path / "d")
    service.sign_up(email=EMAIL, password=PASSWORD)
    service.upload_cv(service.preview_cv_text(CV))
    tokens = TokenStore(secret_store, scope=server.url)
    session = service.client.current_session()
    assert session is not None and tokens.load_device_token(EMAIL)

    service.delete_account(password=PASSWORD)

    assert tokens.load() is None and tokens.load_device_token(EMAIL) is None
    assert tokens.load_cache_key() is None and not service.cache.root.exists()
    gone = httpx.get(f"{server.url}/api/v1/account",
                     headers={"Authorization": f"Bearer {session.access_token}"})
    assert gone.status_code == 401
    with pytest.raises(AuthError) as login:
        service.sign_in(email=EMAIL, password=PASSWORD)
    assert login.value.code == "invalid_credentials"


def test_the_local_account_is_deleted_with_its_stored_password(
    server: ServerProcess, secret_store: SecretStore, tmp_path: Path
) -> None:
    service = make_service(url=server.url, secrets=secret_store, data_dir=tmp_path / "d",
                           local_account=True)
    first = service.ensure_local_account()
    tokens = TokenStore(secret_store, scope=server.url)
    credentials = tokens.load_local_account()
    assert isinstance(credentials, LocalAccountCredentials)

    service.delete_account()  # no password asked: the keyring has it

    assert tokens.load_local_account() is None and tokens.load() is None
    refused = httpx.post(f"{server.url}/api/v1/auth/login",
                         json={"email": credentials.email, "password": credentials.password})
    assert refused.status_code == 401
    second = service.ensure_local_account()  # a fresh local account next time
    assert second.email != first.email and second.id != first.id


def test_a_device_token_keeps_the_owner_in_after_guessing_from_elsewhere(
    own_server: StartServer, secret_store: SecretStore, tmp_path: Path
) -> None:
    server = own_server()
    owner = make_service(url=server.url, secrets=secret_store, data_dir=tmp_path / "owner")
    owner.sign_up(email=EMAIL, password=PASSWORD)
    tokens = TokenStore(secret_store, scope=server.url)
    device_token = tokens.load_device_token(EMAIL)
    assert device_token
    owner.sign_out()
    assert tokens.load_device_token(EMAIL) == device_token  # kept across sign-out

    guesser = make_service(url=server.url, secrets=_other_keyring(tmp_path, "guesser"),
                           data_dir=tmp_path / "guesser")
    for n in range(5):
        with pytest.raises(AuthError) as wrong:
            guesser.sign_in(email=EMAIL, password=f"guess number {n}")
        assert wrong.value.code == "invalid_credentials"
    with pytest.raises(RateLimitedError):  # the guesser, even with the right password
        guesser.sign_in(email=EMAIL, password=PASSWORD)

    transport = RecordingTransport()
    owner_again = make_service(url=server.url, secrets=secret_store,
                               data_dir=tmp_path / "owner", transport=transport)
    assert owner_again.sign_in(email=EMAIL, password=PASSWORD).email == EMAIL
    login = next(r for r in transport.requests if r.url.path.endswith("/auth/login"))
    assert httpx.Response(200, content=login.content).json()["device_token"] == device_token
    assert tokens.load_device_token(EMAIL) not in (None, device_token)  # a new one each login


def test_every_dossier_is_listed_across_pages(
    own_server: StartServer, secret_store: SecretStore, tmp_path: Path
) -> None:
    server = own_server("--dossiers-per-day", "1000")
    transport = RecordingTransport()
    service = make_service(url=server.url, secrets=secret_store, data_dir=tmp_path / "d",
                           transport=transport)
    service.sign_up(email=EMAIL, password=PASSWORD)
    service.upload_cv(service.preview_cv_text(CV))
    created = [
        service.client.create_dossier(job_title=f"Role {n}", company="Acme",
                                      job_description="Python and PostgreSQL.").id
        for n in range(105)
    ]
    transport.requests.clear()

    listing = service.dossiers()

    assert not listing.from_cache
    assert sorted(d.id for d in listing.items) == sorted(created)
    assert len({d.id for d in listing.items}) == 105
    pages = [dict(r.url.params) for r in transport.requests if r.url.path.endswith("/dossiers")]
    assert pages == [{"limit": "100", "offset": "0"}, {"limit": "100", "offset": "100"}]
    assert len(service.cache.list_dossiers()) == 105


def test_password_change_keeps_this_session_and_ends_the_others(
    own_server: StartServer, secret_store: SecretStore, tmp_path: Path
) -> None:
    server = own_server()
    service, other = _signed_in_on_two_devices(server, secret_store, tmp_path)

    with pytest.raises(ValidationError) as common:
        service.change_password(current=PASSWORD, new="password")
    assert common.value.code == "password_too_common" and "common" in str(common.value)
    with pytest.raises(AuthError) as wrong:
        service.change_password(current="not it at all", new=NEW_PASSWORD)
    assert wrong.value.code == "reauthentication_failed"

    service.change_password(current=PASSWORD, new=NEW_PASSWORD)

    assert service.client.get_account().email == EMAIL
    service.client.refresh()  # this session's refresh token still works
    assert service.client.get_account().email == EMAIL
    with pytest.raises(AuthError):
        other.client.get_account()
    assert other.client.current_session() is None  # its session ended cleanly
    with pytest.raises(AuthError):
        other.sign_in(email=EMAIL, password=PASSWORD)
    assert other.sign_in(email=EMAIL, password=NEW_PASSWORD).email == EMAIL


def test_sign_out_everywhere_ends_every_session(
    own_server: StartServer, secret_store: SecretStore, tmp_path: Path
) -> None:
    server = own_server()
    service, other = _signed_in_on_two_devices(server, secret_store, tmp_path)
    session = service.client.current_session()
    assert session is not None

    result = service.sign_out(everywhere=True)

    assert result.revoked_on_server and service.client.current_session() is None
    with pytest.raises(AuthError):
        other.client.get_account()
    refused = httpx.post(f"{server.url}/api/v1/auth/refresh",
                         json={"refresh_token": session.refresh_token})
    assert refused.status_code == 401


def test_a_dossier_quota_is_a_clear_error_with_its_wait(
    server_factory_sqlite: StartServer, secret_store: SecretStore, tmp_path: Path
) -> None:
    server = server_factory_sqlite("--dossiers-per-day", "1")
    service = make_service(url=server.url, secrets=secret_store, data_dir=tmp_path / "d")
    service.sign_up(email=EMAIL, password=PASSWORD)
    service.upload_cv(service.preview_cv_text(CV))
    service.create_dossier(job_title="One", company="Acme", job_description="Python.")
    with pytest.raises(QuotaExceededError) as quota:
        service.create_dossier(job_title="Two", company="Acme", job_description="Python.")
    assert quota.value.code == "quota_exceeded" and quota.value.status == 429
    assert quota.value.retry_after is not None and quota.value.retry_after > 23 * 3600
    message = str(quota.value)
    assert "1 dossiers" in message and "Try again in about 24 hours." in message
    assert "seconds" not in message
    assert len(service.dossiers().items) == 1


@pytest.fixture
def server_factory_sqlite(tmp_path: Path):  # type: ignore[no-untyped-def]
    started: list[ServerProcess] = []

    def start(*args: str) -> ServerProcess:
        process = ServerProcess(tmp_path / f"sqlite-{len(started)}", args=list(args))
        started.append(process)
        process.start()
        return process

    yield start
    for process in started:
        process.stop()
