"""Deleted CV text is gone from the SQLite files themselves, and logs never carry CV text,
passwords or tokens."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx

from tests.server.harness import API, PASSWORD, ServerProcess, User, login, register, unique_email

JOB = {"job_title": "Engineer", "company": "Acme", "job_description": "Python, SQL and Docker"}


def _raw_bytes(database: Path) -> bytes:
    """Everything SQLite keeps on disk for this database: the file, the WAL, the shared memory."""
    data = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = Path(f"{database}{suffix}")
        if path.exists():
            data += path.read_bytes()
    return data


def _signed_in(client: httpx.Client) -> tuple[User, dict[str, str]]:
    """A new account, logged in: the user and its login answer."""
    email = unique_email()
    register(client, email)
    tokens = login(client, email).json()
    return User(client, email, tokens["access_token"], tokens["refresh_token"]), tokens


def test_deleted_text_is_not_in_the_database_files(sqlite_server: ServerProcess) -> None:
    server = sqlite_server
    server.args = ["--log-level", "debug"]
    server.start()
    database = Path(server.database_url.removeprefix("sqlite:///"))
    with httpx.Client(base_url=server.url, timeout=30) as client:
        user, tokens = _signed_in(client)
        email = user.email
        refreshed = client.post(
            f"{API}/auth/refresh", json={"refresh_token": user.refresh_token}
        ).json()
        user.access_token, user.refresh_token = (
            refreshed["access_token"],
            refreshed["refresh_token"],
        )

        cv_marker = f"CVMARK{uuid.uuid4().hex}"
        cv_text = f"{cv_marker}\nPython and SQL engineer\n" + "Experience line\n" * 400
        user.put("/cv", json={"text": cv_text, "file_name": f"{cv_marker}.pdf"})
        user.wait_for("/cv", lambda cv: cv["summary"]["status"] == "ready")
        assert cv_marker.encode() in _raw_bytes(database)  # the check below could fail

        query_marker = f"QUERYMARK{uuid.uuid4().hex}"
        assert user.get("/dossiers", params={"limit": 5, "q": query_marker}).status_code == 200

        assert user.delete("/cv").status_code == 204
        assert cv_marker.encode() not in _raw_bytes(database)
        assert not Path(f"{database}-wal").exists() or Path(f"{database}-wal").stat().st_size == 0

        # A dossier keeps its snapshot until the dossier itself is deleted.
        snap_marker = f"SNAPMARK{uuid.uuid4().hex}"
        user.put("/cv", json={"text": f"{snap_marker}\nPython developer\n" + "More text\n" * 300})
        dossier_id = user.post("/dossiers", json=JOB).json()["id"]
        user.wait_for(f"/dossiers/{dossier_id}", lambda d: d["status"] == "ready")
        assert user.delete("/cv").status_code == 204
        assert snap_marker.encode() in _raw_bytes(database)
        assert user.delete(f"/dossiers/{dossier_id}").status_code == 204
        assert snap_marker.encode() not in _raw_bytes(database)

        account_marker = f"ACCTMARK{uuid.uuid4().hex}"
        user.put("/cv", json={"text": f"{account_marker}\nPython"})
        user.post("/dossiers", json=JOB)
        assert user.delete_account().status_code == 204
        assert account_marker.encode() not in _raw_bytes(database)
        assert email.encode() not in _raw_bytes(database)

    server.stop()
    log = server.log_text()
    assert "GET /api/v1/cv" in log  # the log was captured (access log on)
    assert "GET /api/v1/dossiers HTTP" in log  # its query string was dropped
    for secret in (
        query_marker,
        cv_marker,
        snap_marker,
        account_marker,
        "Python and SQL engineer",
        PASSWORD,
        tokens["access_token"],
        tokens["refresh_token"],
        refreshed["access_token"],
        refreshed["refresh_token"],
        email,
    ):
        assert secret not in log, f"log contains {secret[:20]}…"


def test_overwritten_cv_is_erased_from_the_database_files(sqlite_server: ServerProcess) -> None:
    server = sqlite_server.start()
    database = Path(server.database_url.removeprefix("sqlite:///"))
    with httpx.Client(base_url=server.url, timeout=30) as client:
        user, _tokens = _signed_in(client)
        for size in (1, 2000):  # a CV that fits in one page, and one on overflow pages
            old_marker = f"OLDCV{uuid.uuid4().hex}"
            assert user.put("/cv", json={"text": f"{old_marker}\n" + "Python\n" * size}
                            ).status_code == 200
            assert old_marker.encode() in _raw_bytes(database)  # the check below could fail
            new_marker = f"NEWCV{uuid.uuid4().hex}"
            assert user.put("/cv", json={"text": f"{new_marker}\nRust"}).status_code == 200
            # Before: the old text stayed in the -wal file until some later checkpoint.
            raw = _raw_bytes(database)
            assert old_marker.encode() not in raw and new_marker.encode() in raw
        assert user.get("/cv").json()["text"].startswith(new_marker)


def test_database_files_are_private(sqlite_server: ServerProcess) -> None:
    server = sqlite_server.start()
    database = Path(server.database_url.removeprefix("sqlite:///"))
    with httpx.Client(base_url=server.url, timeout=30) as client:
        register(client, unique_email())  # a write: the WAL and shared memory exist now
        files = [Path(f"{database}{suffix}") for suffix in ("", "-wal", "-shm")]
        # Before: 0644, readable by every local user.
        assert {path.name: oct(path.stat().st_mode & 0o777) for path in files} == {
            path.name: "0o600" for path in files
        }
