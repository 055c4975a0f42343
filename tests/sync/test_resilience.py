"""Token expiry and refresh, server down, server killed mid-upload: real server process."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from smart_interview.sync.client import BackendClient
from smart_interview.sync.errors import AuthError, NetworkError
from smart_interview.sync.secrets import SecretStore
from smart_interview.sync.tokens import TokenStore
from tests.support.waiting import wait_until
from tests.sync.conftest import RecordingSleep, make_service
from tests.sync.server_process import ServerProcess

PASSWORD = "correct horse battery staple"
CV = "Orla Brightwater\nSite Reliability Engineer, Vandelay Industries\nSkills: Terraform, Go\n"


class CountingTransport(httpx.BaseTransport):
    """The real HTTP transport, counting requests per (method, path)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.seen: list[tuple[str, str]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.method, request.url.path))
        return self.inner.handle_request(request)

    def count(self, method: str, path: str) -> int:
        return self.seen.count((method, "/api/v1" + path))


@pytest.fixture
def short_ttl_server(tmp_path: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path / "server", access_token_ttl=2)
    process.start()
    yield process
    process.stop()


def _wait_until_expired(url: str, access_token: str, *, timeout: float = 15.0) -> None:
    """Bounded wait until the server itself calls the access token expired."""

    def refused() -> httpx.Response | None:
        answer = httpx.get(f"{url}/api/v1/account",
                           headers={"Authorization": f"Bearer {access_token}"})
        return answer if answer.status_code == 401 else None

    answer = wait_until(refused, timeout=timeout, interval=0.25,
                        message="the access token expiring")
    assert answer.json()["error"]["code"] == "token_expired"


def test_access_token_is_refreshed_before_expiry_and_after_a_401(
    short_ttl_server: ServerProcess, secret_store: SecretStore, tmp_path: Path
) -> None:
    url = short_ttl_server.url
    transport = CountingTransport()
    service = make_service(url=url, secrets=secret_store, data_dir=tmp_path / "d",
                           transport=transport)
    service.sign_up(email="ttl@example.com", password=PASSWORD)
    first = service.client.current_session()
    assert first is not None
    assert first.access_expires_at - first.issued_at == pytest.approx(2, abs=0.5)

    # Before expiry: within the last quarter of its life the client refreshes first.
    wait_until(lambda: time.time() >= first.access_expires_at - 0.4, timeout=5,
               message="the access token's last quarter")
    service.client.get_account()
    second = service.client.current_session()
    assert second is not None and second.refresh_token != first.refresh_token
    assert transport.count("POST", "/auth/refresh") == 1
    assert TokenStore(secret_store, scope=url).load() == second  # saved in the keyring

    # After expiry, with a clock that lags: the server answers 401, the client refreshes once.
    lagging = BackendClient(base_url=url, tokens=TokenStore(secret_store, scope=url),
                            http=httpx.Client(transport=transport),
                            clock=lambda: time.time() - 3600)
    _wait_until_expired(url, second.access_token)
    assert lagging.get_account().email == "ttl@example.com"
    assert transport.count("POST", "/auth/refresh") == 2

    # A stolen, already spent refresh token revokes the family: the session ends cleanly.
    third = lagging.current_session()
    assert third is not None
    reused = httpx.post(f"{url}/api/v1/auth/refresh",
                        json={"refresh_token": second.refresh_token})
    assert reused.status_code == 401 and reused.json()["error"]["code"] == "refresh_token_reused"
    with pytest.raises(AuthError) as ended:
        lagging.refresh()
    assert ended.value.code == "session_ended" and "sign in again" in str(ended.value)
    assert TokenStore(secret_store, scope=url).load() is None


def test_concurrent_requests_refresh_only_once(
    short_ttl_server: ServerProcess, secret_store: SecretStore, tmp_path: Path
) -> None:
    transport = CountingTransport()
    service = make_service(url=short_ttl_server.url, secrets=secret_store,
                           data_dir=tmp_path / "d", transport=transport)
    service.sign_up(email="threads@example.com", password=PASSWORD)
    session = service.client.current_session()
    assert session is not None
    _wait_until_expired(short_ttl_server.url, session.access_token)
    errors: list[BaseException] = []

    def call() -> None:
        try:
            service.client.get_account()
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert transport.count("POST", "/auth/refresh") == 1


def test_server_down_gives_a_clear_error_loses_nothing_and_retry_succeeds(
    server: ServerProcess, secret_store: SecretStore, tmp_path: Path
) -> None:
    sleep = RecordingSleep()
    service = make_service(url=server.url, secrets=secret_store, data_dir=tmp_path / "d",
                           sleep=sleep, max_attempts=3)
    service.sign_up(email="down@example.com", password=PASSWORD)
    old = service.upload_cv(service.preview_cv_text(CV))
    dossier = service.create_dossier(job_title="SRE", company="Acme",
                                     job_description="Terraform and Go on call.")
    pending = service.preview_cv_text(CV + "Also: Kubernetes\n")

    server.stop()
    with pytest.raises(NetworkError) as down:
        service.upload_cv(pending)
    message = str(down.value)
    assert server.url in message and "Nothing was lost" in message and "try again" in message
    assert len(sleep.calls) == 2  # PUT is idempotent: retried with backoff
    assert sleep.calls[1] > sleep.calls[0] * 1.2 or sleep.calls[1] >= 0.1

    # Offline: the device still has the CV and the dossier; the old CV is untouched.
    assert service.cv() == old
    listing = service.dossiers()
    assert listing.from_cache and [d.id for d in listing.items] == [dossier.id]
    assert service.dossier(dossier.id).id == dossier.id
    assert service.status().online is False

    sleep.calls.clear()
    with pytest.raises(NetworkError):
        service.create_dossier(job_title="X", company="Y", job_description="Z")
    assert sleep.calls == []  # POST is never retried by itself

    server.start()
    stored = service.upload_cv(pending)  # the same preview, uploaded on retry
    assert stored.text == pending.text
    assert service.client.get_cv().text == pending.text
    assert service.cached_cv() == stored


class KillDuringUpload(httpx.BaseTransport):
    """Sends the first PUT body in two chunks and SIGKILLs the server between them."""

    def __init__(self, server: ServerProcess) -> None:
        self.inner = httpx.HTTPTransport()
        self.server = server
        self.puts = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "PUT":
            return self.inner.handle_request(request)
        self.puts += 1
        if self.puts > 1:
            return self.inner.handle_request(request)
        body = request.read()
        server = self.server

        def chunks() -> Iterator[bytes]:
            yield body[:1024]
            server.kill()
            yield body[1024:]

        headers = [(k, v) for k, v in request.headers.raw if k.lower() != b"content-length"]
        streamed = httpx.Request(request.method, request.url, headers=headers, content=chunks())
        return self.inner.handle_request(streamed)


def test_server_killed_mid_upload_then_restarted_the_put_is_retried(
    server: ServerProcess, secret_store: SecretStore, tmp_path: Path
) -> None:
    sleep = RecordingSleep()
    transport = KillDuringUpload(server)
    service = make_service(url=server.url, secrets=secret_store, data_dir=tmp_path / "d",
                           sleep=sleep, transport=transport, max_attempts=4)
    service.sign_up(email="restart@example.com", password=PASSWORD)
    preview = service.preview_cv_text(CV + "Projects\n" + "- built things\n" * 400)
    sleep.hooks.append(server.start)  # the server comes back during the first backoff

    stored = service.upload_cv(preview)

    assert transport.puts == 2 and len(sleep.calls) == 1
    assert stored.text == preview.text
    assert service.client.get_cv().text == preview.text


def test_too_many_wrong_passwords_is_a_rate_limit_with_retry_after(
    server: ServerProcess, secret_store: SecretStore, tmp_path: Path
) -> None:
    from smart_interview.sync.errors import RateLimitedError

    service = make_service(url=server.url, secrets=secret_store, data_dir=tmp_path / "d")
    service.client.register(email="limited@example.com", password=PASSWORD)
    codes = []
    for _ in range(8):
        try:
            service.sign_in(email="limited@example.com", password="wrong password")
        except RateLimitedError as exc:
            assert exc.retry_after and exc.retry_after > 0
            assert str(exc)
            codes.append("limited")
            break
        except AuthError as exc:
            codes.append(exc.code or "")
    assert codes[0] == "invalid_credentials" and codes[-1] == "limited"
    assert service.client.current_session() is None
