"""Two real server processes on one PostgreSQL database (a database of its own per run): no state
lives in one process."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.server.fake_providers import API_KEY, FakeProvider
from tests.server.harness import (
    API,
    JWT_SECRET,
    PASSWORD,
    ServerProcess,
    User,
    assert_error,
    login,
    new_user,
    postgres_database,
    unique_email,
)
from tests.support.services import postgres_url, require
from tests.support.waiting import wait_until

CV = "Python engineer\nSQL, Docker, FastAPI"


@dataclass
class Pair:
    first: ServerProcess
    second: ServerProcess
    fake: FakeProvider
    database_url: str


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    base_url = postgres_url()
    require(base_url is not None, "PostgreSQL is not running (source .ci/services.sh)")
    assert base_url is not None
    fake = FakeProvider("openai").start()
    with postgres_database(base_url) as url:
        servers = [
            ServerProcess(
                database_url=url,
                data_dir=tmp_path / name,
                args=["--login-max-failures-per-account", "5", "--login-backoff", "600",
                      "--job-lease", "2", "--ai-backoff", "0"],
                env={
                    "SMART_INTERVIEW_SERVER_JWT_SECRET": JWT_SECRET,
                    "SMART_INTERVIEW_SERVER_AI_PROVIDER": "openai",
                    "SMART_INTERVIEW_SERVER_AI_API_KEY": API_KEY,
                    "SMART_INTERVIEW_SERVER_AI_BASE_URL": fake.base_url,
                },
            )
            for name in ("first", "second")
        ]
        try:
            for server in servers:  # both start together, on an empty database
                server.launch()
            for server in servers:
                server.wait_ready(60)
            yield Pair(servers[0], servers[1], fake, url)
        finally:
            for server in servers:
                server.stop()
            fake.stop()


def test_migrations_run_once_when_both_start_together(pair: Pair) -> None:
    logs = [pair.first.log_text(), pair.second.log_text()]
    upgraded = [log for log in logs if re.search(r"schema upgraded from nothing to \S+", log)]
    assert len(upgraded) == 1, logs
    assert sum("schema already at" in log for log in logs) == 1, logs
    engine = create_engine(pair.database_url, poolclass=NullPool)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM alembic_version")).scalar() == 1
    engine.dispose()


def test_a_refresh_token_rotated_on_one_instance_is_refused_on_the_other(pair: Pair) -> None:
    with httpx.Client(base_url=pair.first.url) as first, httpx.Client(
        base_url=pair.second.url
    ) as second:
        user = new_user(first)
        rotated = first.post(f"{API}/auth/refresh", json={"refresh_token": user.refresh_token})
        assert rotated.status_code == 200
        replay = second.post(f"{API}/auth/refresh", json={"refresh_token": user.refresh_token})
        assert_error(replay, 401, "refresh_token_reused")
        # the reuse revoked the session everywhere, the fresh pair included
        fresh = rotated.json()
        assert_error(
            first.get(f"{API}/account",
                      headers={"Authorization": f"Bearer {fresh['access_token']}"}),
            401, "invalid_token",
        )  # fmt: skip


def test_the_login_throttle_counts_across_both(pair: Pair) -> None:
    with httpx.Client(base_url=pair.first.url) as first:
        email = unique_email()
        assert first.post(f"{API}/auth/register",
                          json={"email": email, "password": PASSWORD}).status_code == 202
    urls = [pair.first.url, pair.second.url]

    def guess(number: int) -> int:
        return httpx.post(
            f"{urls[number % 2]}{API}/auth/login",
            json={"email": email, "password": f"guess {number}"},
            timeout=60,
        ).status_code

    with ThreadPoolExecutor(40) as pool:
        statuses = list(pool.map(guess, range(40)))
    assert statuses.count(401) == 5 and statuses.count(429) == 35, statuses
    for url in urls:
        assert_error(httpx.post(f"{url}{API}/auth/login",
                                json={"email": email, "password": PASSWORD}),
                     429, "too_many_attempts")


def test_a_dossier_job_is_generated_once_while_both_workers_poll(pair: Pair) -> None:
    with httpx.Client(base_url=pair.first.url, timeout=30) as client:
        user = new_user(client)
        assert user.put("/cv", json={"text": CV}).status_code == 200
        user.wait_for("/cv", lambda cv: cv["summary"]["status"] == "ready")
        account_id = user.get("/account").json()["id"]
        pair.fake.reset()
        # Pending jobs that no instance was told about: only the two sweepers find them.
        titles = [f"Role-{uuid.uuid4().hex[:8]}" for _ in range(12)]
        engine = create_engine(pair.database_url, poolclass=NullPool)
        with engine.begin() as connection:
            for title in titles:
                connection.execute(
                    text(
                        "INSERT INTO dossiers (id, account_id, job_title, company, "
                        "job_description, cv_snapshot, status, method, created_at, updated_at) "
                        "VALUES (:id, :account, :title, 'Acme', 'Python and SQL', :cv, "
                        "'pending', 'ai:openai', now(), now())"
                    ),
                    {"id": str(uuid.uuid4()), "account": account_id, "title": title, "cv": CV},
                )
        engine.dispose()
        second = User(httpx.Client(base_url=pair.second.url, timeout=30), user.email,
                      user.access_token, user.refresh_token)

        def all_ready() -> bool:
            items = second.get("/dossiers").json()["items"]
            return len(items) == 12 and all(item["status"] == "ready" for item in items)

        wait_until(all_ready, timeout=60, message="every dossier generated")
        second.client.close()
    prompts = [str(request.body) for request in pair.fake.requests]
    for title in titles:
        assert sum(title in prompt for prompt in prompts) == 1, title
    assert len(prompts) == 12
    logs = pair.first.log_text() + pair.second.log_text()
    assert logs.count("dossier ready") == 12


def test_a_login_on_one_instance_works_on_the_other(pair: Pair) -> None:
    with httpx.Client(base_url=pair.first.url) as first, httpx.Client(
        base_url=pair.second.url
    ) as second:
        user = new_user(first)
        assert second.get(f"{API}/account", headers=user.headers).status_code == 200
        assert login(second, user.email).status_code == 200
