"""AI generation through local OpenAI / Anthropic stand-ins: exactly what is sent, retries,
failures with a reason, defensive parsing. The CV text goes out in these calls and no other."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from smart_interview_server.generation.prompts import DOSSIER_SYSTEM, SUMMARY_SYSTEM
from tests.server.fake_providers import API_KEY, FakeProvider
from tests.server.harness import ServerProcess, User, new_user

MODEL = "model-under-test"
JOB = {"job_title": "Backend Engineer", "company": "Acme", "job_description": "Python, Kubernetes"}


@dataclass
class ProviderSetup:
    kind: str
    fake: FakeProvider
    server: ServerProcess


@pytest.fixture(scope="module", params=["openai", "anthropic"])
def setup(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ProviderSetup]:
    fake = FakeProvider(request.param).start()
    data_dir = tmp_path_factory.mktemp(f"provider-{request.param}")
    server = ServerProcess(
        database_url=f"sqlite:///{data_dir / 'server.db'}",
        data_dir=data_dir,
        args=[
            "--log-level",
            "debug",
            "--ai-max-attempts",
            "3",
            "--ai-backoff",
            "0",
            "--ai-timeout",
            "10",
        ],
        env={
            "SMART_INTERVIEW_SERVER_AI_PROVIDER": request.param,
            "SMART_INTERVIEW_SERVER_AI_API_KEY": API_KEY,
            "SMART_INTERVIEW_SERVER_AI_MODEL": MODEL,
            "SMART_INTERVIEW_SERVER_AI_BASE_URL": fake.base_url,
        },
    ).start()
    try:
        yield ProviderSetup(request.param, fake, server)
    finally:
        server.stop()
        fake.stop()


@pytest.fixture
def user(setup: ProviderSetup) -> Iterator[User]:
    with httpx.Client(base_url=setup.server.url, timeout=30) as client:
        account = new_user(client)
        setup.fake.reset()
        yield account


def _expected_body(
    kind: str, *, system: str, prompt: str, max_tokens: int, want_json: bool
) -> dict:
    if kind == "openai":
        body = {
            "model": MODEL,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": prompt},
            ],
            "max_tokens": max_tokens,
        }
        if want_json:
            body["response_format"] = {"type": "json_object"}
        return body
    return {
        "model": MODEL,
        "max_tokens": max_tokens,
        "system": system,
        "messages": [{"role": "user", "content": prompt}],
    }


def _assert_auth_headers(kind: str, headers: dict[str, str]) -> None:
    lowered = {key.lower(): value for key, value in headers.items()}
    if kind == "openai":
        assert lowered["authorization"] == f"Bearer {API_KEY}"
        assert "x-api-key" not in lowered
    else:
        assert lowered["x-api-key"] == API_KEY and lowered["anthropic-version"] == "2023-06-01"
        assert "authorization" not in lowered
    assert lowered["content-type"] == "application/json"


def test_exactly_what_is_sent_and_nothing_else(setup: ProviderSetup, user: User) -> None:
    kind, fake = setup.kind, setup.fake
    marker = f"CV-{uuid.uuid4().hex}"
    cv_text = f"{marker}\nPython engineer"
    assert (
        user.put("/cv", json={"text": cv_text, "file_name": "cv.pdf"}).json()["summary"]["method"]
        == f"ai:{kind}"
    )
    cv = user.wait_for("/cv", lambda body: body["summary"]["status"] != "pending")
    assert cv["summary"] == {
        **cv["summary"],
        "status": "ready",
        "text": fake.summary_text,
        "method": f"ai:{kind}",
        "error": None,
    }

    dossier_id = user.post("/dossiers", json=JOB).json()["id"]
    dossier = user.wait_for(f"/dossiers/{dossier_id}", lambda body: body["status"] != "pending")
    assert dossier["status"] == "ready" and dossier["method"] == f"ai:{kind}"
    assert dossier["match"]["score"] == 72
    assert dossier["match"]["matched"] == [{"skill": "Python", "evidence": "Built Python services"}]
    assert dossier["cover_letter"] == "Dear Acme team, ..."

    # Everything else the user does sends nothing to the provider.
    user.get("/cv"), user.get("/dossiers"), user.get("/account")
    assert user.delete("/cv").status_code == 204
    assert user.delete(f"/dossiers/{dossier_id}").status_code == 204

    summary_call, dossier_call = fake.requests  # exactly two calls
    path = "/v1/chat/completions" if kind == "openai" else "/v1/messages"
    assert summary_call.path == dossier_call.path == path
    _assert_auth_headers(kind, summary_call.headers)
    _assert_auth_headers(kind, dossier_call.headers)
    assert summary_call.body == _expected_body(
        kind, system=SUMMARY_SYSTEM, prompt=f"CV:\n{cv_text}", max_tokens=600, want_json=False
    )
    assert dossier_call.body == _expected_body(
        kind,
        system=DOSSIER_SYSTEM,
        prompt=(
            f"Job title: Backend Engineer\nCompany: Acme\n\nJob description:\nPython, Kubernetes"
            f"\n\nCV:\n{cv_text}"
        ),
        max_tokens=2500,
        want_json=True,
    )
    assert marker not in setup.server.log_text()


def test_transient_errors_are_retried_respecting_retry_after(
    setup: ProviderSetup, user: User
) -> None:
    fake = setup.fake
    if setup.kind == "openai":
        fake.script.extend(
            [
                fake.error(429, "requests", "Rate limit reached", **{"retry-after": "1"}),
                fake.error(500, "server_error", "The server had an error"),
            ]
        )
    else:
        fake.script.extend(
            [
                fake.error(429, "rate_limit_error", "Rate limited", **{"retry-after": "1"}),
                fake.error(529, "overloaded_error", "Overloaded"),
            ]
        )
    user.put("/cv", json={"text": "Python engineer"})
    cv = user.wait_for("/cv", lambda body: body["summary"]["status"] != "pending")
    assert cv["summary"]["status"] == "ready" and cv["summary"]["text"] == fake.summary_text
    assert len(fake.requests) == 3
    assert fake.requests[1].at - fake.requests[0].at >= 0.95  # waited for Retry-After: 1
    assert fake.requests[0].body == fake.requests[2].body  # the same request, re-sent


def test_persistent_errors_mark_the_job_failed_with_a_reason(
    setup: ProviderSetup, user: User
) -> None:
    fake = setup.fake
    status, kind = (500, "server_error") if setup.kind == "openai" else (529, "overloaded_error")
    fake.script.extend([fake.error(status, kind, "Try later") for _ in range(3)])
    user.put("/cv", json={"text": "Python engineer"})
    cv = user.wait_for("/cv", lambda body: body["summary"]["status"] != "pending")
    assert cv["summary"]["status"] == "failed" and cv["summary"]["text"] is None
    name = "OpenAI" if setup.kind == "openai" else "Anthropic"
    assert (
        cv["summary"]["error"]
        == f"{name} answered HTTP {status} ({kind}): Try later (gave up after 3 attempts)"
    )
    assert len(fake.requests) == 3


def test_authentication_error_is_not_retried(setup: ProviderSetup, user: User) -> None:
    fake = setup.fake
    user.put("/cv", json={"text": "Python engineer"})
    user.wait_for("/cv", lambda body: body["summary"]["status"] != "pending")
    fake.reset()
    if setup.kind == "openai":
        fake.script.append(fake.error(401, "invalid_request_error", "Incorrect API key provided."))
        reason = "OpenAI answered HTTP 401 (invalid_api_key): Incorrect API key provided."
    else:
        fake.script.append(fake.error(401, "authentication_error", "invalid x-api-key"))
        reason = "Anthropic answered HTTP 401 (authentication_error): invalid x-api-key"
    dossier_id = user.post("/dossiers", json=JOB).json()["id"]
    dossier = user.wait_for(f"/dossiers/{dossier_id}", lambda body: body["status"] != "pending")
    assert dossier["status"] == "failed" and dossier["error"] == reason
    assert dossier["match"] is None and dossier["cover_letter"] is None
    assert len(fake.requests) == 1


@pytest.mark.parametrize(
    ("answer", "status", "reason"),
    [
        ("Sure! I cannot produce JSON today.", "failed", "The AI answer contained no JSON object"),
        (
            '{"match": {"score": "high"}, "cover_letter": "x"}',
            "failed",
            "did not have the expected shape",
        ),
        (
            '{"match": {"score": 50, "matched": [], "missing": [], "summary": "s"}}',
            "failed",
            "The AI answer had no cover_letter text",
        ),
        (
            'Here you go:\n```json\n{"match": {"score": 61.6, "matched": [], "missing": [], '
            '"summary": "s"},'
            ' "cover_letter": "Dear team"}\n```',
            "ready",
            None,
        ),
    ],
)
def test_dossier_answers_are_parsed_defensively(
    setup: ProviderSetup, user: User, answer: str, status: str, reason: str | None
) -> None:
    fake = setup.fake
    user.put("/cv", json={"text": "Python engineer"})
    user.wait_for("/cv", lambda body: body["summary"]["status"] != "pending")
    original, fake.dossier_answer = fake.dossier_answer, answer
    try:
        dossier_id = user.post("/dossiers", json=JOB).json()["id"]
        dossier = user.wait_for(f"/dossiers/{dossier_id}", lambda body: body["status"] != "pending")
    finally:
        fake.dossier_answer = original
    assert dossier["status"] == status
    if reason:
        assert reason in dossier["error"]
    else:
        assert dossier["match"]["score"] == 62 and dossier["cover_letter"] == "Dear team"
    assert len(fake.requests) == 2  # summary + one dossier call: a bad answer is not retried


def test_provider_without_key_falls_back_to_non_ai(tmp_path, setup: ProviderSetup) -> None:  # type: ignore[no-untyped-def]
    fake = setup.fake
    server = ServerProcess(
        database_url=f"sqlite:///{tmp_path / 'server.db'}",
        data_dir=tmp_path,
        env={
            "SMART_INTERVIEW_SERVER_AI_PROVIDER": setup.kind,
            "SMART_INTERVIEW_SERVER_AI_BASE_URL": fake.base_url,
        },
    ).start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            account = new_user(client)
            fake.reset()
            account.put("/cv", json={"text": "Python engineer"})
            cv = account.wait_for("/cv", lambda body: body["summary"]["status"] != "pending")
            assert cv["summary"]["method"] == "extractive" and cv["summary"]["status"] == "ready"
            dossier_id = account.post("/dossiers", json=JOB).json()["id"]
            dossier = account.wait_for(
                f"/dossiers/{dossier_id}", lambda body: body["status"] != "pending"
            )
            assert dossier["method"] == "keyword-match"
            assert fake.requests == []
            assert "has no API key" in server.log_text()
    finally:
        server.stop()
    assert json.dumps(fake.requests) == "[]"
