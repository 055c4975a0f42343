"""Dossiers: CV snapshot, keyword-match (non-AI) Candidate Match, list/get/delete."""

from __future__ import annotations

import uuid

import httpx

from tests.server.harness import Backend, User, assert_error, new_user

CV = """Sam Candidate
Full Stack Developer

Experience
Built React and TypeScript front ends backed by Python services.
Deployed everything with Docker on AWS.
"""
JOB = {
    "job_title": "Senior Full Stack Engineer",
    "company": "Tech Solutions",
    "job_description": (
        "Requirements\n"
        "• Proficiency with JavaScript, React and TypeScript.\n"
        "• Server-side Python.\n"
        "• Experience with Kubernetes and GraphQL.\n"
    ),
}


def _ready(user: User, dossier_id: str) -> dict:
    return user.wait_for(f"/dossiers/{dossier_id}", lambda d: d["status"] != "pending")


def test_dossier_requires_a_cv(client: httpx.Client) -> None:
    user = new_user(client)
    assert_error(user.post("/dossiers", json=JOB), 409, "cv_required")


def test_create_builds_keyword_match_and_cover_letter(client: httpx.Client) -> None:
    user = new_user(client)
    user.put("/cv", json={"text": CV, "file_name": "sam.pdf"})
    response = user.post("/dossiers", json=JOB)
    assert response.status_code == 202, response.text
    created = response.json()
    assert created["status"] == "pending" and created["cv_snapshot"] == CV
    assert created["method"] == "keyword-match" and created["match"] is None

    dossier = _ready(user, created["id"])
    assert dossier["status"] == "ready" and dossier["error"] is None
    assert dossier["method"] == "keyword-match"  # labelled non-AI
    match = dossier["match"]
    matched = {item["skill"]: item["evidence"] for item in match["matched"]}
    missing = {item["skill"]: item["evidence"] for item in match["missing"]}
    assert set(matched) == {"JavaScript", "React", "TypeScript", "Python"} - {"JavaScript"}
    assert set(missing) == {"JavaScript", "Kubernetes", "GraphQL"}
    assert matched["React"] == "Built React and TypeScript front ends backed by Python services."
    assert missing["Kubernetes"].startswith("Job description: Experience with Kubernetes")
    assert match["score"] == round(100 * 3 / 6)
    assert "non-AI" in match["summary"]
    assert "Tech Solutions" in dossier["cover_letter"] and "React" in dossier["cover_letter"]
    assert dossier["job_description"] == JOB["job_description"]


def test_list_is_newest_first_and_get_delete(client: httpx.Client, backend: Backend) -> None:
    user = new_user(client)
    user.put("/cv", json={"text": CV})
    ids = [
        user.post("/dossiers", json={**JOB, "job_title": f"Role {n}"}).json()["id"]
        for n in range(3)
    ]
    items = user.get("/dossiers").json()["items"]
    assert [item["id"] for item in items] == list(reversed(ids))
    assert set(items[0]) == {"id", "job_title", "company", "status", "created_at", "updated_at"}
    for dossier_id in ids:
        _ready(user, dossier_id)
    assert user.delete(f"/dossiers/{ids[1]}").status_code == 204
    assert_error(user.get(f"/dossiers/{ids[1]}"), 404, "dossier_not_found")
    assert_error(user.delete(f"/dossiers/{ids[1]}"), 404, "dossier_not_found")
    assert [item["id"] for item in user.get("/dossiers").json()["items"]] == [ids[2], ids[0]]
    assert backend.query("SELECT COUNT(*) FROM dossiers WHERE id = :i", i=ids[1]) == [(0,)]
    # A malformed id names no dossier of any account: a validation error, not a database query.
    for malformed in ("not-a-uuid", "1' OR '1'='1", f"{ids[0]}x"):
        for method in (user.get, user.delete):
            body = assert_error(method(f"/dossiers/{malformed}"), 422, "validation_error")
            assert body["error"]["details"][0]["loc"] == ["path", "dossier_id"]
    # Another spelling of the same UUID is the same dossier.
    assert user.get(f"/dossiers/{ids[0].upper()}").json()["id"] == ids[0]


def test_list_is_paginated(client: httpx.Client) -> None:
    user = new_user(client)
    user.put("/cv", json={"text": CV})
    ids = [
        user.post("/dossiers", json={**JOB, "job_title": f"Role {n}"}).json()["id"]
        for n in range(5)
    ]
    newest_first = list(reversed(ids))
    first = user.get("/dossiers", params={"limit": 2}).json()
    assert [item["id"] for item in first["items"]] == newest_first[:2]  # before: all 5
    assert (first["limit"], first["offset"], first["next_offset"]) == (2, 0, 2)
    second = user.get("/dossiers", params={"limit": 2, "offset": 2}).json()
    assert [item["id"] for item in second["items"]] == newest_first[2:4]
    last = user.get("/dossiers", params={"limit": 2, "offset": 4}).json()
    assert [item["id"] for item in last["items"]] == newest_first[4:]
    assert last["next_offset"] is None
    assert user.get("/dossiers").json()["limit"] == 50
    for bad in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "ten"}):
        assert_error(user.get("/dossiers", params=bad), 422, "validation_error")


def test_snapshot_survives_cv_overwrite_and_delete(client: httpx.Client, backend: Backend) -> None:
    user = new_user(client)
    first = f"{CV}\nMARK-{uuid.uuid4().hex}"
    user.put("/cv", json={"text": first})
    dossier_id = user.post("/dossiers", json=JOB).json()["id"]
    before = _ready(user, dossier_id)

    user.put("/cv", json={"text": "A completely different CV\nGo, Rust"})
    assert user.get(f"/dossiers/{dossier_id}").json()["cv_snapshot"] == first
    assert user.delete("/cv").status_code == 204
    after = user.get(f"/dossiers/{dossier_id}").json()
    assert after == before  # deleting the CV does not touch dossiers
    assert backend.query("SELECT cv_snapshot FROM dossiers WHERE id = :i", i=dossier_id) == [
        (first,)
    ]
    # New dossiers need a CV again.
    assert_error(user.post("/dossiers", json=JOB), 409, "cv_required")


def test_dossier_input_limits(client: httpx.Client) -> None:
    user = new_user(client)
    user.put("/cv", json={"text": CV})
    for field, size in (("job_title", 201), ("company", 201), ("job_description", 50_001)):
        body = assert_error(
            user.post("/dossiers", json={**JOB, field: "x" * size}), 422, "validation_error"
        )
        assert body["error"]["details"][0]["loc"] == ["body", field]
    assert user.post("/dossiers", json={**JOB, "job_description": "x" * 50_000}).status_code == 202
    assert_error(user.post("/dossiers", json={**JOB, "company": ""}), 422, "validation_error")
