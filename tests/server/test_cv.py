"""One CV per account: put overwrites, get, delete for real, limits, summary in background."""

from __future__ import annotations

import uuid

import httpx

from tests.server.harness import Backend, assert_error, new_user

CV = """Jane Example
Senior Backend Engineer, Berlin

Experience
Built Python and FastAPI services on PostgreSQL for 6 years.
Ran Kubernetes clusters on AWS.

Skills
Python, Docker, Terraform, SQL
"""


def test_get_before_put_is_404(client: httpx.Client) -> None:
    user = new_user(client)
    assert_error(user.get("/cv"), 404, "cv_not_found")
    assert_error(user.delete("/cv"), 404, "cv_not_found")


def test_put_get_and_extractive_summary(client: httpx.Client) -> None:
    user = new_user(client)
    response = user.put("/cv", json={"text": CV, "file_name": "jane.pdf"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["text"] == CV and body["file_name"] == "jane.pdf" and body["characters"] == len(CV)
    # Without an AI provider the extractive summary is made on the spot.
    assert body["summary"]["status"] == "ready" and body["summary"]["method"] == "extractive"
    summary = user.get("/cv").json()["summary"]
    assert summary == body["summary"]
    assert summary["status"] == "ready" and summary["error"] is None
    assert summary["method"] == "extractive"  # labelled as the non-AI method
    assert "Jane Example — Senior Backend Engineer, Berlin" in summary["text"]
    assert "Experience, Skills" in summary["text"]
    for skill in ("Python", "FastAPI", "PostgreSQL", "Kubernetes", "AWS", "Docker", "Terraform"):
        assert skill in summary["text"]


def test_put_overwrites_the_previous_cv(client: httpx.Client, backend: Backend) -> None:
    user = new_user(client)
    first_marker, second_marker = f"FIRST-{uuid.uuid4().hex}", f"SECOND-{uuid.uuid4().hex}"
    assert (
        user.put("/cv", json={"text": f"{first_marker}\nPython", "file_name": "a.pdf"}).status_code
        == 200
    )
    user.wait_for("/cv", lambda cv: cv["summary"]["status"] == "ready")
    response = user.put("/cv", json={"text": f"{second_marker}\nGo", "file_name": None})
    assert response.status_code == 200
    assert second_marker in response.json()["summary"]["text"]  # summary made anew
    cv = user.wait_for("/cv", lambda cv: cv["summary"]["status"] == "ready")
    assert cv["text"].startswith(second_marker) and cv["file_name"] is None
    assert first_marker not in cv["summary"]["text"] and second_marker in cv["summary"]["text"]
    # One row per account, and nothing of the first CV left in any table.
    account_id = user.get("/account").json()["id"]
    assert backend.query("SELECT COUNT(*) FROM cvs WHERE account_id = :a", a=account_id) == [(1,)]
    assert backend.rows_containing(first_marker) == []


def test_delete_removes_cv_and_summary_rows(client: httpx.Client, backend: Backend) -> None:
    user = new_user(client)
    marker = f"DELETE-ME-{uuid.uuid4().hex}"
    user.put("/cv", json={"text": f"{marker}\nPython developer", "file_name": "cv.docx"})
    user.wait_for("/cv", lambda cv: cv["summary"]["status"] == "ready")
    assert backend.rows_containing(marker)  # CV text and its extractive summary are stored
    assert user.delete("/cv").status_code == 204
    assert_error(user.get("/cv"), 404, "cv_not_found")
    assert_error(user.delete("/cv"), 404, "cv_not_found")
    # Inspect the database: no row anywhere still holds the text (no soft-delete copy).
    assert backend.rows_containing(marker) == []
    account_id = user.get("/account").json()["id"]
    assert backend.query("SELECT COUNT(*) FROM cvs WHERE account_id = :a", a=account_id) == [(0,)]


def test_limits_on_cv_size_and_body(client: httpx.Client) -> None:
    user = new_user(client)
    at_limit = "a" * 200_000
    response = user.put("/cv", json={"text": at_limit, "file_name": "big.txt"})
    assert response.status_code == 200 and response.json()["characters"] == 200_000
    body = assert_error(user.put("/cv", json={"text": "a" * 200_001}), 422, "validation_error")
    assert body["error"]["details"][0]["loc"] == ["body", "text"]
    assert "aaaa" not in str(body)
    assert_error(user.put("/cv", json={"text": ""}), 422, "validation_error")
    assert_error(user.put("/cv", json={"text": "nul \x00 inside"}), 422, "validation_error")
    huge = b'{"text": "' + b"a" * 1_000_001 + b'"}'
    json_type = {"content-type": "application/json"}
    assert_error(user.put("/cv", content=huge, headers=json_type), 413, "request_too_large")
    # Chunked upload without Content-Length is counted as it arrives.
    chunks = iter([huge[i : i + 65536] for i in range(0, len(huge), 65536)])
    assert_error(user.put("/cv", content=chunks, headers=json_type), 413, "request_too_large")
    # The CV that was there is untouched by the rejected requests.
    assert user.get("/cv").json()["characters"] == 200_000


def test_cv_text_round_trips_unicode(client: httpx.Client) -> None:
    user = new_user(client)
    text = "Zoë Ñúñez — 東京 🚀\nRésumé: C++ & C#"
    assert user.put("/cv", json={"text": text, "file_name": "zoë.pdf"}).status_code == 200
    cv = user.get("/cv").json()
    assert cv["text"] == text and cv["file_name"] == "zoë.pdf" and cv["characters"] == len(text)
