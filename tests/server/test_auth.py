"""Register, log in, refresh rotation and reuse detection, log out, token errors."""

from __future__ import annotations

import time

import httpx
import jwt

from tests.server.harness import (
    API,
    JWT_SECRET,
    PASSWORD,
    assert_error,
    login,
    new_user,
    register,
    unique_email,
)


def test_health_and_openapi_are_published(client: httpx.Client) -> None:
    assert client.get(f"{API}/health").json() == {"status": "ok", "version": "0.1.0"}
    schema = client.get(f"{API}/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        f"{API}/cv",
        f"{API}/dossiers",
        f"{API}/dossiers/{{dossier_id}}",
        f"{API}/auth/login",
        f"{API}/auth/refresh",
        f"{API}/auth/logout",
        f"{API}/account",
    } <= paths


def test_registration_does_not_reveal_which_emails_exist(client: httpx.Client) -> None:
    email = unique_email()
    first = register(client, email.upper())
    assert first.status_code == 202
    assert first.json()["email"] == email and set(first.json()) == {"email", "message"}
    again = register(client, email, "another password 2")
    # same status and body as for a new address (before: 409 email_taken)
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert again.headers.keys() == first.headers.keys()
    # and the existing account is untouched
    assert login(client, email).status_code == 200
    assert_error(login(client, email, "another password 2"), 401, "invalid_credentials")


def test_register_validation_uses_error_envelope(client: httpx.Client) -> None:
    body = assert_error(
        client.post(f"{API}/auth/register", json={"email": unique_email(), "password": "Zq9#"}),
        422,
        "validation_error",
    )
    assert body["error"]["details"][0]["loc"][-1] == "password"
    assert "Zq9#" not in str(body)  # the input is never echoed
    assert_error(
        client.post(f"{API}/auth/register", json={"email": "no-at-sign", "password": PASSWORD}),
        422,
        "validation_error",
    )


def test_login_with_wrong_password_or_unknown_email(client: httpx.Client) -> None:
    user = new_user(client)
    assert_error(login(client, user.email, "wrong password!"), 401, "invalid_credentials")
    assert_error(login(client, unique_email(), PASSWORD), 401, "invalid_credentials")


def test_login_returns_token_pair(client: httpx.Client) -> None:
    email = unique_email()
    register(client, email)
    tokens = login(client, email).json()
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 900 and tokens["refresh_expires_in"] == 30 * 24 * 3600
    claims = jwt.decode(
        tokens["access_token"], JWT_SECRET, algorithms=["HS256"], audience="smart-interview"
    )
    assert claims["exp"] - claims["iat"] == 900
    account = client.get(
        f"{API}/account", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert account.json()["email"] == email


def test_refresh_rotates_and_reuse_revokes_the_family(client: httpx.Client) -> None:
    user = new_user(client)
    first = user.refresh_token
    rotated = client.post(f"{API}/auth/refresh", json={"refresh_token": first})
    assert rotated.status_code == 200
    second = rotated.json()["refresh_token"]
    assert second != first
    new_access = rotated.json()["access_token"]
    assert (
        client.get(f"{API}/account", headers={"Authorization": f"Bearer {new_access}"}).status_code
        == 200
    )

    # The spent token comes back (stolen copy): reuse detected, whole family revoked.
    assert_error(
        client.post(f"{API}/auth/refresh", json={"refresh_token": first}),
        401,
        "refresh_token_reused",
    )
    assert_error(
        client.post(f"{API}/auth/refresh", json={"refresh_token": second}), 401, "invalid_token"
    )
    # Access tokens of the revoked family stop working too.
    assert_error(
        client.get(f"{API}/account", headers={"Authorization": f"Bearer {new_access}"}),
        401,
        "invalid_token",
    )
    # Another login (another family) is unaffected.
    fresh = login(client, user.email).json()
    assert (
        client.post(
            f"{API}/auth/refresh", json={"refresh_token": fresh["refresh_token"]}
        ).status_code
        == 200
    )


def test_unknown_refresh_token_is_invalid(client: httpx.Client) -> None:
    assert_error(
        client.post(f"{API}/auth/refresh", json={"refresh_token": "nope"}), 401, "invalid_token"
    )


def test_logout_revokes_the_family(client: httpx.Client) -> None:
    user = new_user(client)
    other_session = login(client, user.email).json()
    response = client.post(
        f"{API}/auth/logout", json={"refresh_token": user.refresh_token}, headers=user.headers
    )
    assert response.status_code == 204
    assert_error(
        client.post(f"{API}/auth/refresh", json={"refresh_token": user.refresh_token}),
        401,
        "invalid_token",
    )
    assert_error(user.get("/account"), 401, "invalid_token")
    other_headers = {"Authorization": f"Bearer {other_session['access_token']}"}
    assert client.get(f"{API}/account", headers=other_headers).status_code == 200


def test_logout_cannot_revoke_another_accounts_session(client: httpx.Client) -> None:
    alice, mallory = new_user(client, "alice"), new_user(client, "mallory")
    response = mallory.post("/auth/logout", json={"refresh_token": alice.refresh_token})
    assert response.status_code == 204
    assert alice.get("/account").status_code == 200
    assert (
        client.post(f"{API}/auth/refresh", json={"refresh_token": alice.refresh_token}).status_code
        == 200
    )


def test_expired_bad_and_missing_access_tokens(client: httpx.Client) -> None:
    user = new_user(client)
    claims = jwt.decode(
        user.access_token, JWT_SECRET, algorithms=["HS256"], audience="smart-interview"
    )
    now = int(time.time())
    expired = jwt.encode(
        {**claims, "iat": now - 1000, "exp": now - 10}, JWT_SECRET, algorithm="HS256"
    )
    forged = jwt.encode(
        {**claims, "exp": now + 600}, "another-secret-" + "y" * 40, algorithm="HS256"
    )
    for path in ("/account", "/cv", "/dossiers"):
        assert_error(
            client.get(API + path, headers={"Authorization": f"Bearer {expired}"}),
            401,
            "token_expired",
        )
        assert_error(
            client.get(API + path, headers={"Authorization": f"Bearer {forged}"}),
            401,
            "invalid_token",
        )
        assert_error(
            client.get(API + path, headers={"Authorization": "Bearer garbage"}),
            401,
            "invalid_token",
        )
        assert_error(client.get(API + path), 401, "not_authenticated")


def test_unknown_route_and_method_use_the_envelope(client: httpx.Client) -> None:
    assert_error(client.get(f"{API}/nothing-here"), 404, "not_found")
    assert_error(client.patch(f"{API}/cv", json={}), 405, "method_not_allowed")


def test_racing_refreshes_of_one_token_cannot_both_win(client: httpx.Client) -> None:
    from concurrent.futures import ThreadPoolExecutor

    user = new_user(client)

    def refresh(_: int) -> httpx.Response:
        with httpx.Client(base_url=str(client.base_url), timeout=30) as own:
            return own.post(f"{API}/auth/refresh", json={"refresh_token": user.refresh_token})

    with ThreadPoolExecutor(4) as pool:
        responses = list(pool.map(refresh, range(4)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses.count(200) <= 1 and statuses.count(401) >= 3, statuses
    # Whatever won, the reuse revoked the family: the winner's new token is dead too.
    for response in responses:
        if response.status_code == 200:
            again = client.post(
                f"{API}/auth/refresh", json={"refresh_token": response.json()["refresh_token"]}
            )
            assert_error(again, 401, "invalid_token")
        else:
            assert response.json()["error"]["code"] == "refresh_token_reused"
