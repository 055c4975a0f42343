"""Token expiry and login rate limits, each on its own server with short settings."""

from __future__ import annotations

import time

import httpx

from tests.server.harness import API, ServerProcess, assert_error, login, register, unique_email
from tests.support.waiting import wait_until


def test_access_and_refresh_tokens_expire(sqlite_server: ServerProcess) -> None:
    sqlite_server.args = ["--access-token-ttl", "1", "--refresh-token-ttl", "2"]
    sqlite_server.start()
    with httpx.Client(base_url=sqlite_server.url) as client:
        email = unique_email()
        register(client, email)
        issued = time.monotonic()
        tokens = login(client, email).json()
        assert tokens["expires_in"] == 1 and tokens["refresh_expires_in"] == 2
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        # real expiry on the server's clock: the access token is refused once its second is
        # up; the refresh token cannot be probed without spending it, so its two seconds are
        # waited out on the clock
        wait_until(lambda: client.get(f"{API}/account", headers=headers).status_code == 401,
                   timeout=5, message="access token expiry")
        wait_until(lambda: time.monotonic() > issued + 2.2, timeout=5,
                   message="refresh token lifetime")
        assert_error(client.get(f"{API}/account", headers=headers), 401, "token_expired")
        assert_error(
            client.post(f"{API}/auth/refresh", json={"refresh_token": tokens["refresh_token"]}),
            401,
            "token_expired",
        )


def test_login_attempts_are_limited_per_account(sqlite_server: ServerProcess) -> None:
    sqlite_server.args = [
        "--login-max-failures-per-account",
        "3",
        "--login-max-failures-per-ip",
        "100",
        "--login-window",
        "60",
    ]
    sqlite_server.start()
    with httpx.Client(base_url=sqlite_server.url) as client:
        victim, bystander = unique_email(), unique_email()
        register(client, victim)
        register(client, bystander)
        for _ in range(3):
            assert_error(login(client, victim, "wrong password"), 401, "invalid_credentials")
        limited = login(client, victim)  # even the right password waits now
        assert_error(limited, 429, "too_many_attempts")
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        assert login(client, bystander).status_code == 200  # other accounts are not affected
        # Same e-mail in another case is the same account.
        assert_error(login(client, victim.upper(), "wrong password"), 429, "too_many_attempts")


def test_login_attempts_are_limited_per_ip(sqlite_server: ServerProcess) -> None:
    sqlite_server.args = [
        "--login-max-failures-per-account",
        "100",
        "--login-max-failures-per-ip",
        "4",
        "--login-window",
        "60",
    ]
    sqlite_server.start()
    with httpx.Client(base_url=sqlite_server.url) as client:
        real = unique_email()
        register(client, real)
        for number in range(4):  # spraying accounts from one address, faking the source
            response = client.post(
                f"{API}/auth/login",
                json={"email": unique_email(), "password": "guess-password"},
                headers={"X-Forwarded-For": f"203.0.113.{number}"},
            )
            assert_error(response, 401, "invalid_credentials")
        limited = login(client, real)
        assert_error(limited, 429, "too_many_attempts")
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
