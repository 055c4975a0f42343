"""Login throttling: per (account, client) with doubling waits, counted before the password is
checked, and never locking out a device that logged in before (device tokens)."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.server.harness import API, PASSWORD, ServerProcess, assert_error, register, unique_email
from tests.support.waiting import wait_until


def _login(
    server: ServerProcess, email: str, password: str, *, ip: str = "198.51.100.7",
    device_token: str | None = None,
) -> httpx.Response:
    body = {"email": email, "password": password}
    if device_token is not None:
        body["device_token"] = device_token
    return httpx.post(
        f"{server.url}{API}/auth/login", json=body, headers={"X-Forwarded-For": ip}, timeout=60
    )


def _server(own_server: Callable[..., ServerProcess], *extra: str) -> ServerProcess:
    return own_server(
        "--trusted-proxies", "127.0.0.1", "--login-max-failures-per-account", "5",
        "--login-max-failures-per-ip", "1000", *extra,
    )  # fmt: skip


def _account(server: ServerProcess) -> str:
    email = unique_email("victim")
    with httpx.Client(base_url=server.url) as client:
        assert register(client, email).status_code == 202
    return email


def test_parallel_guesses_cannot_pass_the_limit(own_server: Callable[..., ServerProcess]) -> None:
    server = _server(own_server, "--login-backoff", "600")
    email = _account(server)
    with ThreadPoolExecutor(40) as pool:
        statuses = list(pool.map(lambda n: _login(server, email, f"guess {n}").status_code,
                                 range(40)))
    # Before: 11 of 40 parallel guesses were checked against a limit of 5.
    assert statuses.count(401) == 5 and statuses.count(429) == 35, statuses


def test_the_owner_device_logs_in_while_guessers_are_locked_out(
    own_server: Callable[..., ServerProcess],
) -> None:
    server = _server(own_server, "--login-backoff", "600")
    email, other = _account(server), _account(server)
    owner = _login(server, email, PASSWORD, ip="192.0.2.10")
    assert owner.status_code == 200
    device_token = owner.json()["device_token"]
    for n in range(5):  # the attacker, from another network
        assert_error(_login(server, email, f"guess {n}"), 401, "invalid_credentials")
    locked = _login(server, email, PASSWORD)
    assert_error(locked, 429, "too_many_attempts")  # even the right password, from there
    assert 590 <= int(locked.headers["Retry-After"]) <= 600
    # Before: the owner got 429 for 900 s too. Now the owner's device still gets in,
    # and so does the owner from another network without a device token.
    assert _login(server, email, PASSWORD, device_token=device_token).status_code == 200
    assert _login(server, email, PASSWORD, ip="192.0.2.99").status_code == 200
    # Even from the attacker's own address, a device token wins.
    assert _login(server, email, PASSWORD, device_token=device_token).status_code == 200
    # A device token is bound to its login name, and forged ones count for nothing.
    stolen = _login(server, other, PASSWORD).json()["device_token"]
    for token in (stolen, device_token[:-2] + "xx", "garbage"):
        assert_error(_login(server, email, PASSWORD, device_token=token), 429,
                     "too_many_attempts")


def test_guesses_with_a_device_token_lock_only_that_token(
    own_server: Callable[..., ServerProcess],
) -> None:
    server = _server(own_server, "--login-backoff", "600")
    email = _account(server)
    stolen = _login(server, email, PASSWORD).json()["device_token"]
    mine = _login(server, email, PASSWORD).json()["device_token"]
    for n in range(5):
        assert_error(_login(server, email, f"guess {n}", device_token=stolen), 401,
                     "invalid_credentials")
    assert_error(_login(server, email, PASSWORD, device_token=stolen), 429, "too_many_attempts")
    assert _login(server, email, PASSWORD, device_token=mine).status_code == 200


def test_waits_double_with_each_further_failure(own_server: Callable[..., ServerProcess]) -> None:
    server = own_server(
        "--trusted-proxies", "127.0.0.1", "--login-max-failures-per-account", "2",
        "--login-backoff", "2", "--login-max-failures-per-ip", "1000",
    )  # fmt: skip
    email = _account(server)
    assert_error(_login(server, email, "wrong one"), 401, "invalid_credentials")
    waits = []
    for _ in range(3):
        assert_error(_login(server, email, "wrong again"), 401, "invalid_credentials")
        limited = _login(server, email, "wrong again")
        assert_error(limited, 429, "too_many_attempts")
        wait = int(limited.headers["Retry-After"])
        waits.append(wait)
        until = time.monotonic() + wait
        wait_until(lambda until=until: time.monotonic() > until + 0.1, timeout=wait + 2,
                   message="the login wait")
    # Retry-After is the rest of the wait, rounded up, seen a moment after it began.
    expected = (2, 4, 8)
    assert all(wait in (want, want - 1) for wait, want in zip(waits, expected, strict=True)), waits
    # The right password takes the count back: the next failure starts over.
    assert _login(server, email, PASSWORD).status_code == 200
    assert_error(_login(server, email, "wrong"), 401, "invalid_credentials")
    assert_error(_login(server, email, "wrong"), 401, "invalid_credentials")
