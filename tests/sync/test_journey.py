"""The full account/CV/dossier journey against the real backend process (SQLite, loopback)."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from smart_interview.sync.errors import ConflictError, NotFoundError
from smart_interview.sync.secrets import SecretStore
from tests.sync.conftest import make_service
from tests.sync.documents import write_pdf
from tests.sync.server_process import ServerProcess

NAME = "Zephyrine Quillfeather"
EMPLOYER = "Globex Orbital Logistics"
SKILL = "Kubernetes"
PASSWORD = "correct horse battery staple"
SECOND_CV = f"""{NAME}
Staff Engineer, Initrode Maritime (2020 - 2024)
Experience
- Ran {SKILL} clusters for 400 services; cut deploy time from 40 to 6 minutes.
Skills
{SKILL}, Rust, PostgreSQL, Terraform
"""
JOB = """Platform Engineer at Acme Rockets.
We need strong Kubernetes, Terraform and PostgreSQL skills, plus Go.
"""


def test_full_journey(
    server: ServerProcess,
    secret_store: SecretStore,
    keyring_backend,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    service = make_service(url=server.url, secrets=secret_store, data_dir=tmp_path / "data")
    tokens_key = f"session@{server.url}"

    account = service.sign_up(email="Jane.Doe@example.com", password=PASSWORD)
    assert account.email == "jane.doe@example.com"
    session = service.client.current_session()
    assert session is not None
    assert keyring_backend.get_password("smart-interview", tokens_key) is not None

    # First CV from a PDF: the preview is exactly what the server stores.
    pdf = write_pdf(tmp_path / "cv.pdf", [NAME, f"Senior Engineer at {EMPLOYER}", f"{SKILL}, Go"])
    preview = service.preview_cv_file(pdf)
    assert NAME in preview.text and EMPLOYER in preview.text and SKILL in preview.text
    first = service.upload_cv(preview)
    assert first.text == preview.text and first.file_name == "cv.pdf"
    assert service.cached_cv() == first

    # A second upload overwrites the first (one CV per account).
    preview2 = service.preview_cv_text(SECOND_CV)
    service.upload_cv(preview2)
    stored = service.client.get_cv()
    assert stored.text == preview2.text and EMPLOYER not in stored.text
    assert stored.file_name is None

    ready = service.wait_for_cv_summary(timeout=60, interval=0.2)
    assert ready.summary.status == "ready", ready.summary
    assert ready.summary.text and ready.summary.method == "extractive"

    dossier = service.create_dossier(job_title="Platform Engineer", company="Acme Rockets",
                                     job_description=JOB)
    dossier = service.wait_for_dossier(dossier.id, timeout=60, interval=0.2)
    assert dossier.status == "ready" and dossier.cv_snapshot == preview2.text
    assert dossier.match is not None and 0 <= dossier.match.score <= 100
    assert service.cached_dossier(dossier.id) == dossier
    assert [d.id for d in service.dossiers().items] == [dossier.id]

    # Nothing the cache writes is readable without the keyring key.
    cache_files = [p for p in service.cache.root.rglob("*") if p.is_file()]
    assert len(cache_files) >= 3
    for path in cache_files:
        raw = path.read_bytes()
        assert NAME.encode() not in raw and b"Kubernetes" not in raw
        assert path.stat().st_mode & 0o077 == 0

    # Deleting the CV: gone on the server and here; the dossier keeps its snapshot.
    deletion = service.delete_cv()
    assert deletion.deleted_on_server
    assert [d.id for d in deletion.dossiers_keeping_snapshot] == [dossier.id]
    assert service.cached_cv() is None and service.cv() is None
    with pytest.raises(NotFoundError) as missing:
        service.client.get_cv()
    assert missing.value.code == "cv_not_found"
    assert service.dossier(dossier.id).cv_snapshot == preview2.text
    with pytest.raises(ConflictError) as conflict:
        service.create_dossier(job_title="X", company="Y", job_description=JOB)
    assert conflict.value.code == "cv_required"

    service.delete_dossier(dossier.id)
    assert service.cached_dossier(dossier.id) is None
    assert service.dossiers().items == []
    with pytest.raises(NotFoundError):
        service.dossier(dossier.id)

    # Something cached again, then sign out: server revokes, device forgets everything.
    service.upload_cv(preview2)
    again = service.create_dossier(job_title="SRE", company="Acme", job_description=JOB)
    assert service.cached_dossier(again.id) is not None
    latest = service.client.current_session()
    assert latest is not None
    result = service.sign_out()
    assert result.revoked_on_server
    assert not service.cache.root.exists()
    for key in (tokens_key, f"cache-key@{server.url}"):
        assert keyring_backend.get_password("smart-interview", key) is None
    refused = httpx.post(f"{server.url}/api/v1/auth/refresh",
                         json={"refresh_token": latest.refresh_token})
    assert refused.status_code == 401

    # No token, password or CV text in the logs, while the logs did record the traffic.
    logged = caplog.text
    assert "PUT /cv" in logged and "/auth/login" in logged
    for secret in (session.access_token, session.refresh_token, latest.access_token,
                   latest.refresh_token, PASSWORD, NAME, EMPLOYER, "Initrode"):
        assert secret not in logged


def test_other_account_on_same_device_never_sees_the_first_ones_cache(
    server: ServerProcess, secret_store: SecretStore, tmp_path: Path
) -> None:
    service = make_service(url=server.url, secrets=secret_store, data_dir=tmp_path / "data")
    service.sign_up(email="first@example.com", password=PASSWORD)
    service.upload_cv(service.preview_cv_text(SECOND_CV))
    assert service.cached_cv() is not None
    service.client.forget_session()  # session lost without a sign-out
    service.sign_up(email="second@example.com", password=PASSWORD)
    assert service.cached_cv() is None
    assert service.cv() is None


def test_largest_allowed_cv_in_any_script_round_trips(
    server: ServerProcess, secret_store: SecretStore, tmp_path: Path
) -> None:
    service = make_service(url=server.url, secrets=secret_store, data_dir=tmp_path / "data")
    service.sign_up(email="big@example.com", password=PASSWORD)
    unit = "漢字é😀 "
    text = (unit * (200_000 // len(unit) + 1))[:199_999].rstrip() + "Z"
    preview = service.preview_cv_text(text)
    assert preview.characters <= 200_000
    assert service.upload_cv(preview).characters == preview.characters
    assert service.client.get_cv().text == preview.text
