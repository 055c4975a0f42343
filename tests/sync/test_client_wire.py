"""The client's wire behaviour where the wire itself is the subject (httpx MockTransport):
TLS rule, error envelope mapping, which methods retry, proactive refresh with a fake clock."""

from __future__ import annotations

import json

import httpx
import pytest

from smart_interview.sync.client import BackendClient, validate_server_url
from smart_interview.sync.errors import (
    AuthError,
    ConfigurationError,
    ConflictError,
    NetworkError,
    NotFoundError,
    QuotaExceededError,
    RateLimitedError,
    ServerError,
    ValidationError,
)
from smart_interview.sync.secrets import SecretStore
from smart_interview.sync.tokens import TokenPair, TokenStore
from tests.sync.conftest import RecordingSleep

URL = "http://127.0.0.1:9"


def _error(status: int, code: str, message: str, **extra: object) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message, **extra}})


def _cv_json(text: str = "cv") -> dict[str, object]:
    return {"text": text, "file_name": None, "characters": len(text),
            "updated_at": "2026-01-01T00:00:00Z",
            "summary": {"status": "pending", "text": None, "method": "extractive",
                        "error": None, "updated_at": "2026-01-01T00:00:00Z"}}


def _pair(n: int, expires_in: int = 900) -> dict[str, object]:
    return {"access_token": f"access-{n}", "refresh_token": f"refresh-{n}",
            "token_type": "bearer", "expires_in": expires_in, "refresh_expires_in": 86400}


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _client(secret_store: SecretStore, handler, *, clock=None, sleep=None):  # type: ignore[no-untyped-def]
    return BackendClient(
        base_url=URL, tokens=TokenStore(secret_store, scope=URL),
        http=httpx.Client(transport=httpx.MockTransport(handler)), clock=clock or Clock(),
        sleep=sleep or RecordingSleep(), backoff_initial=0.01, backoff_max=0.05,
    )


def _signed_in(secret_store: SecretStore, clock: Clock, *, expires_in: float = 900) -> None:
    TokenStore(secret_store, scope=URL).save(TokenPair(
        access_token="access-0", refresh_token="refresh-0",
        access_expires_at=clock.now + expires_in, refresh_expires_at=clock.now + 86400,
        email="a@example.com", issued_at=clock.now))


@pytest.mark.parametrize("url", ["http://api.example.com", "http://10.0.0.5:8000",
                                 "ftp://127.0.0.1", "not a url"])
def test_plain_http_to_a_remote_host_or_junk_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        validate_server_url(url)
    assert refused.value.code in ("tls_required", "bad_server_url")


@pytest.mark.parametrize("url", ["https://api.example.com/", "http://127.0.0.1:8000",
                                 "http://localhost:1", "http://[::1]:8000"])
def test_https_and_loopback_are_accepted(url: str) -> None:
    assert validate_server_url(url) == url.rstrip("/")


def test_http_to_remote_host_refused_with_actionable_message(secret_store: SecretStore) -> None:
    with pytest.raises(ConfigurationError, match=r"use an https:// server address"):
        BackendClient(base_url="http://cloud.example.com", http=httpx.Client(),
                      tokens=TokenStore(secret_store, scope="x"))


@pytest.mark.parametrize(
    ("response", "error", "code"),
    [
        (_error(401, "invalid_credentials", "The e-mail address or password is wrong."),
         AuthError, "invalid_credentials"),
        (_error(409, "cv_required", "Upload a CV first: a dossier is built from your CV."),
         ConflictError, "cv_required"),
        (_error(422, "password_too_common", "This password is on the list of the most common "
                "passwords."), ValidationError, "password_too_common"),
        (_error(422, "validation_error", "Check the fields.", details=[{"loc": ["password"]}]),
         ValidationError, "validation_error"),
        (httpx.Response(413, text="<html>too large</html>"), ValidationError, "too_large"),
        (_error(500, "internal_error", "Something broke."), ServerError, "internal_error"),
    ],
)
def test_error_envelope_maps_onto_the_tree(
    secret_store: SecretStore, response: httpx.Response, error: type[Exception], code: str
) -> None:
    clock = Clock()
    _signed_in(secret_store, clock)
    client = _client(secret_store, lambda request: response, clock=clock)
    with pytest.raises(error) as raised:
        client.create_dossier(job_title="a", company="b", job_description="c")
    assert raised.value.code == code  # type: ignore[attr-defined]
    assert str(raised.value)


def test_rate_limit_carries_retry_after(secret_store: SecretStore) -> None:
    limited = _error(429, "too_many_attempts", "Too many failed logins; wait 15 minutes.")
    limited.headers["Retry-After"] = "900"
    client = _client(secret_store, lambda request: limited)
    with pytest.raises(RateLimitedError) as raised:
        client.login(email="a@example.com", password="x")
    assert raised.value.retry_after == 900 and "15 minutes" in str(raised.value)


def test_get_retries_on_503_with_growing_backoff(secret_store: SecretStore) -> None:
    clock, sleep, answers = Clock(), RecordingSleep(), []
    _signed_in(secret_store, clock)

    def handler(request: httpx.Request) -> httpx.Response:
        answers.append(request.method)
        if len(answers) < 3:
            return _error(503, "unavailable", "Try later.")
        return httpx.Response(200, json=_cv_json("hello"))

    client = _client(secret_store, handler, clock=clock, sleep=sleep)
    assert client.get_cv().text == "hello"
    assert answers == ["GET"] * 3 and len(sleep.calls) == 2


def test_put_cv_retries_on_dropped_connection(secret_store: SecretStore) -> None:
    clock, sleep, bodies = Clock(), RecordingSleep(), []
    _signed_in(secret_store, clock)

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        if len(bodies) == 1:
            raise httpx.RemoteProtocolError("Server disconnected", request=request)
        return httpx.Response(200, json=_cv_json(bodies[-1]["text"]))

    client = _client(secret_store, handler, clock=clock, sleep=sleep)
    assert client.put_cv(text="my cv", file_name="cv.txt").text == "my cv"
    assert bodies == [{"text": "my cv", "file_name": "cv.txt"}] * 2


@pytest.mark.parametrize("failure", ["503", "connect"])
def test_post_is_never_retried(secret_store: SecretStore, failure: str) -> None:
    clock, sleep, calls = Clock(), RecordingSleep(), []
    _signed_in(secret_store, clock)

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if failure == "connect":
            raise httpx.ConnectError("refused", request=request)
        return _error(503, "unavailable", "Try later.")

    client = _client(secret_store, handler, clock=clock, sleep=sleep)
    with pytest.raises((NetworkError, ServerError)):
        client.create_dossier(job_title="a", company="b", job_description="c")
    assert calls == ["/api/v1/dossiers"] and sleep.calls == []


def test_refresh_happens_before_expiry_not_on_every_call(secret_store: SecretStore) -> None:
    clock, seen = Clock(), []
    _signed_in(secret_store, clock, expires_in=900)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.path, request.headers.get("Authorization")))
        if request.url.path.endswith("/auth/refresh"):
            assert json.loads(request.content) == {"refresh_token": "refresh-0"}
            return httpx.Response(200, json=_pair(1))
        return httpx.Response(200, json={"id": "1", "email": "a@example.com",
                                         "created_at": "2026-01-01T00:00:00Z"})

    client = _client(secret_store, handler, clock=clock)
    client.get_account()
    clock.now += 800  # 100 s left: more than the 60 s margin
    client.get_account()
    clock.now += 50  # 50 s left: refresh first
    client.get_account()
    assert [path for path, _ in seen].count("/api/v1/auth/refresh") == 1
    assert seen[-1] == ("/api/v1/account", "Bearer access-1")
    stored = TokenStore(secret_store, scope=URL).load()
    assert stored is not None and stored.refresh_token == "refresh-1"


def test_a_401_token_expired_refreshes_once_then_gives_up(secret_store: SecretStore) -> None:
    clock, seen = Clock(), []
    _signed_in(secret_store, clock)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path.endswith("/auth/refresh"):
            return httpx.Response(200, json=_pair(len(seen)))
        return _error(401, "token_expired", "The access token has expired.")

    client = _client(secret_store, handler, clock=clock)
    with pytest.raises(AuthError):
        client.get_cv()
    assert seen == ["/api/v1/cv", "/api/v1/auth/refresh", "/api/v1/cv"]


def test_not_found_and_non_json_answers(secret_store: SecretStore) -> None:
    clock = Clock()
    _signed_in(secret_store, clock)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.raw_path.endswith(b"/dossiers/a%2Fb"):
            return _error(404, "dossier_not_found", "No such dossier.")
        return httpx.Response(200, text="<html>captive portal</html>")

    client = _client(secret_store, handler, clock=clock)
    with pytest.raises(NotFoundError):
        client.get_dossier("a/b")  # the id is one path segment, never a path
    with pytest.raises(ServerError, match="does not understand"):
        client.get_account()


def test_not_signed_in_is_an_auth_error_without_any_request(secret_store: SecretStore) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    with pytest.raises(AuthError, match="not signed in"):
        _client(secret_store, handler).get_cv()


def test_token_pair_repr_hides_the_tokens() -> None:
    pair = TokenPair.from_response(_pair(7), now=0.0, email="a@example.com")
    assert "access-7" not in repr(pair) and "refresh-7" not in repr(pair)


def test_a_retried_delete_that_finds_nothing_succeeded_the_first_time(
    secret_store: SecretStore,
) -> None:
    clock, sleep, calls = Clock(), RecordingSleep(), []
    _signed_in(secret_store, clock)

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) == 1:
            raise httpx.ReadError("connection reset", request=request)  # deleted, answer lost
        return _error(404, "cv_not_found", "There is no CV.")

    client = _client(secret_store, handler, clock=clock, sleep=sleep)
    client.delete_cv()
    assert calls == ["DELETE", "DELETE"]
    with pytest.raises(NotFoundError):  # a first-attempt 404 still says so
        client.delete_cv()


def test_register_answers_nothing_for_new_and_known_emails(secret_store: SecretStore) -> None:
    accepted = httpx.Response(202, json={"email": "a@example.com", "message": "If this address "
                                         "had no account, it has one now: log in with it."})
    client = _client(secret_store, lambda request: accepted)
    assert client.register(email="a@example.com", password="12345678") is None
    assert client.current_session() is None


def test_a_quota_names_its_limit_and_the_wait_in_words(secret_store: SecretStore) -> None:
    clock = Clock()
    _signed_in(secret_store, clock)
    limited = _error(429, "quota_exceeded", "Too many accounts were registered from this network "
                     "in the last hour. Try again in 1800 seconds.")
    limited.headers["Retry-After"] = "1800"
    client = _client(secret_store, lambda request: limited, clock=clock)
    with pytest.raises(QuotaExceededError) as raised:
        client.register(email="a@example.com", password="12345678")
    assert raised.value.retry_after == 1800
    assert str(raised.value) == ("Too many accounts were registered from this network in the "
                                 "last hour. Try again in about 30 minutes.")


def test_a_dossier_list_that_does_not_move_on_is_refused(secret_store: SecretStore) -> None:
    clock, offsets = Clock(), []
    _signed_in(secret_store, clock)

    def handler(request: httpx.Request) -> httpx.Response:
        offsets.append(request.url.params["offset"])
        return httpx.Response(200, json={"items": [], "limit": 100, "offset": 0,
                                         "next_offset": 0})

    client = _client(secret_store, handler, clock=clock)
    with pytest.raises(ServerError, match="does not move on"):
        client.list_dossiers()
    assert offsets == ["0"]


def test_delete_account_sends_the_password_once(secret_store: SecretStore) -> None:
    clock, sleep, seen = Clock(), RecordingSleep(), []
    _signed_in(secret_store, clock)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.url.path, json.loads(request.content)))
        return _error(503, "unavailable", "Try later.")

    client = _client(secret_store, handler, clock=clock, sleep=sleep)
    with pytest.raises(ServerError):
        client.delete_account(password="my password")
    assert seen == [("DELETE", "/api/v1/account", {"password": "my password"})]
    assert sleep.calls == []
