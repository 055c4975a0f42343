"""Password change, sign out everywhere, re-authentication before deleting the account, and the
refresh token's absolute lifetime."""

from __future__ import annotations

import httpx

from tests.server.harness import (
    API,
    PASSWORD,
    ServerProcess,
    User,
    assert_error,
    login,
    new_user,
    register,
    unique_email,
)
from tests.support.waiting import wait_until

NEW_PASSWORD = "a new passphrase of mine"


def _session(client: httpx.Client, email: str, password: str = PASSWORD) -> User:
    tokens = login(client, email, password).json()
    return User(client, email, tokens["access_token"], tokens["refresh_token"])


def test_password_change_needs_the_old_password_and_signs_out_other_sessions(
    client: httpx.Client,
) -> None:
    user = new_user(client)
    other = _session(client, user.email)
    wrong = user.post("/account/password",
                      json={"current_password": "not it", "new_password": NEW_PASSWORD})
    assert_error(wrong, 403, "reauthentication_failed")
    assert_error(
        user.post("/account/password",
                  json={"current_password": PASSWORD, "new_password": "password123"}),
        422,
        "password_too_common",
    )
    changed = user.post("/account/password",
                        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert changed.status_code == 204
    assert user.get("/account").status_code == 200  # this session goes on
    assert_error(other.get("/account"), 401, "invalid_token")  # the others are signed out
    assert_error(client.post(f"{API}/auth/refresh", json={"refresh_token": other.refresh_token}),
                 401, "invalid_token")
    assert_error(login(client, user.email), 401, "invalid_credentials")
    assert login(client, user.email, NEW_PASSWORD).status_code == 200


def test_sign_out_everywhere(client: httpx.Client) -> None:
    user, stranger = new_user(client), new_user(client, "stranger")
    sessions = [user, _session(client, user.email), _session(client, user.email)]
    assert user.post("/auth/logout-all").status_code == 204
    for session in sessions:
        assert_error(session.get("/account"), 401, "invalid_token")
        assert_error(
            client.post(f"{API}/auth/refresh", json={"refresh_token": session.refresh_token}),
            401,
            "invalid_token",
        )
    assert stranger.get("/account").status_code == 200
    assert login(client, user.email).status_code == 200


def test_deleting_the_account_asks_for_the_password(client: httpx.Client) -> None:
    user = new_user(client)
    # Before: a stolen access token alone deleted the account.
    assert_error(user.delete("/account"), 422, "validation_error")
    assert_error(user.delete_account("not my password"), 403, "reauthentication_failed")
    assert user.get("/account").status_code == 200
    assert user.delete_account().status_code == 204
    assert_error(login(client, user.email), 401, "invalid_credentials")


def test_guessing_the_password_with_a_stolen_token_is_throttled(client: httpx.Client) -> None:
    user = new_user(client)
    for n in range(5):
        assert_error(user.delete_account(f"guess {n}"), 403, "reauthentication_failed")
    assert_error(user.delete_account(), 429, "too_many_attempts")
    assert user.get("/account").status_code == 200


def test_refresh_token_life_is_counted_from_the_login(sqlite_server: ServerProcess) -> None:
    sqlite_server.args = ["--refresh-token-ttl", "3"]
    server = sqlite_server.start()
    with httpx.Client(base_url=server.url) as client:
        email = unique_email()
        register(client, email)
        tokens = login(client, email).json()
        assert tokens["refresh_expires_in"] == 3

        def rotate() -> dict[str, object]:
            response = client.post(
                f"{API}/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
            )
            tokens.update(response.json())
            return response.json()

        # Rotating keeps the end where it was (before: every rotation gave 3 s more) ...
        wait_until(lambda: rotate()["refresh_expires_in"] <= 2, timeout=5,
                   message="the refresh token's life to shrink")
        # ... and when the login's 3 s are over, rotating stops working.
        wait_until(lambda: "error" in rotate(), timeout=6, message="the refresh token to expire")
        assert tokens["error"]["code"] == "token_expired"  # type: ignore[index]
