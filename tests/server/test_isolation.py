"""Another account's CV or dossier can be neither read, replaced nor deleted, and a 404 for
someone else's dossier is byte-for-byte the 404 for one that never existed."""

from __future__ import annotations

import uuid

import httpx

from tests.server.harness import assert_error, new_user

JOB = {"job_title": "Engineer", "company": "Acme", "job_description": "Python and SQL"}


def test_cv_endpoints_only_ever_touch_the_callers_cv(client: httpx.Client) -> None:
    alice, mallory = new_user(client, "alice"), new_user(client, "mallory")
    secret = f"alice-cv-{uuid.uuid4().hex}"
    alice.put("/cv", json={"text": secret, "file_name": "alice.pdf"})

    # Read: Mallory sees only that she has no CV; nothing of Alice's comes back.
    response = mallory.get("/cv")
    assert_error(response, 404, "cv_not_found")
    assert secret not in response.text and "alice" not in response.text
    # Delete: Mallory has nothing to delete; Alice's CV stays.
    assert_error(mallory.delete("/cv"), 404, "cv_not_found")
    # Replace: Mallory's PUT creates her own CV, never Alice's.
    assert mallory.put("/cv", json={"text": "mallory text"}).status_code == 200
    assert mallory.delete("/cv").status_code == 204
    cv = alice.get("/cv").json()
    assert cv["text"] == secret and cv["file_name"] == "alice.pdf"


def test_dossier_endpoints_do_not_leak_other_accounts_dossiers(client: httpx.Client) -> None:
    alice, mallory = new_user(client, "alice"), new_user(client, "mallory")
    alice.put("/cv", json={"text": "Alice CV Python"})
    dossier_id = alice.post("/dossiers", json=JOB).json()["id"]
    never_existed = str(uuid.uuid4())

    for method in ("get", "delete"):
        theirs = getattr(mallory, method)(f"/dossiers/{dossier_id}")
        nothing = getattr(mallory, method)(f"/dossiers/{never_existed}")
        assert_error(theirs, 404, "dossier_not_found")
        assert theirs.content == nothing.content  # existence never leaks
        assert dict(theirs.headers).keys() == dict(nothing.headers).keys()
    assert mallory.get("/dossiers").json()["items"] == []
    assert alice.get(f"/dossiers/{dossier_id}").status_code == 200
    assert [item["id"] for item in alice.get("/dossiers").json()["items"]] == [dossier_id]


def test_account_endpoints_only_show_the_caller(client: httpx.Client) -> None:
    alice, mallory = new_user(client, "alice"), new_user(client, "mallory")
    assert mallory.get("/account").json()["email"] == mallory.email
    assert mallory.delete_account().status_code == 204
    assert alice.get("/account").json()["email"] == alice.email
