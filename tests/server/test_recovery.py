"""A job left pending by a crashed instance is picked up at start-up; tokens survive restarts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.server.harness import ServerProcess, new_user

JOB = {"job_title": "Engineer", "company": "Acme", "job_description": "Python and Kubernetes"}


def test_pending_jobs_of_a_crashed_instance_are_finished_after_restart(
    sqlite_server: ServerProcess,
) -> None:
    server = sqlite_server
    server.env.pop("SMART_INTERVIEW_SERVER_JWT_SECRET")  # generated and kept in the data dir
    server.start()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        user = new_user(client)
        user.put("/cv", json={"text": "Python developer"})
        dossier_id = user.post("/dossiers", json=JOB).json()["id"]
        user.wait_for(f"/dossiers/{dossier_id}", lambda d: d["status"] == "ready")
    server.process.kill()  # type: ignore[union-attr]  # no clean shutdown
    server.process.wait()  # type: ignore[union-attr]
    server.process = None

    # Put the database in the state a crash mid-generation leaves: claimed, lease run out.
    expired = (datetime.now(timezone.utc) - timedelta(minutes=1)).replace(tzinfo=None)
    engine = create_engine(server.database_url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE dossiers SET status='pending', match_json=NULL, cover_letter=NULL, "
                "lease_until=:t"
            ),
            {"t": expired},
        )
        connection.execute(
            text(
                "UPDATE cvs SET summary_status='pending', summary_text=NULL, summary_lease_until=:t"
            ),
            {"t": expired},
        )
    engine.dispose()

    server.start()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        user.client = client  # the old access token still works: the secret was kept
        dossier = user.wait_for(f"/dossiers/{dossier_id}", lambda d: d["status"] != "pending")
        assert dossier["status"] == "ready" and dossier["match"]["score"] == 50
        cv = user.wait_for("/cv", lambda c: c["summary"]["status"] != "pending")
        assert cv["summary"]["status"] == "ready" and "Python" in cv["summary"]["text"]
