"""Deleting the account deletes everything of it; the database proves it."""

from __future__ import annotations

import uuid

import httpx

from tests.server.harness import API, Backend, assert_error, login, new_user

JOB = {"job_title": "Engineer", "company": "Acme", "job_description": "Python and SQL"}


def test_delete_account_removes_everything(client: httpx.Client, backend: Backend) -> None:
    user = new_user(client)
    other = new_user(client, "bystander")
    marker = f"ACCOUNT-{uuid.uuid4().hex}"
    account_id = user.get("/account").json()["id"]
    user.put("/cv", json={"text": f"{marker}\nPython SQL"})
    dossier_id = user.post("/dossiers", json=JOB).json()["id"]
    user.wait_for(f"/dossiers/{dossier_id}", lambda d: d["status"] == "ready")
    login(client, user.email, "wrong password 1")  # a login-failure row keyed to the account
    other.put("/cv", json={"text": "bystander CV"})

    assert user.delete_account().status_code == 204
    assert_error(user.get("/account"), 401, "invalid_token")
    assert_error(
        client.post(f"{API}/auth/refresh", json={"refresh_token": user.refresh_token}),
        401,
        "invalid_token",
    )
    assert_error(login(client, user.email), 401, "invalid_credentials")

    for table in ("cvs", "dossiers", "refresh_tokens", "token_families"):
        assert backend.query(
            f"SELECT COUNT(*) FROM {table} WHERE account_id = :a", a=account_id
        ) == [(0,)]
    assert backend.query("SELECT COUNT(*) FROM accounts WHERE id = :a", a=account_id) == [(0,)]
    assert backend.rows_containing(marker) == []
    assert backend.rows_containing(user.email) == []
    assert other.get("/cv").json()["text"] == "bystander CV"  # nobody else is touched
