"""A background refresh that asked the server before a write on this device must not undo
that write in the device's copy: against the real backend process, the refresh's answer is
held back until the upload (or the new dossier) is stored, as a slow network would."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from smart_interview.sync.account_service import AccountService
from smart_interview.sync.secrets import SecretStore
from tests.sync.conftest import make_service
from tests.sync.server_process import ServerProcess

PASSWORD = "correct horse battery staple"
CV = "Ilse Marchetti\nStaff Engineer, Umbra Freight (2019 - 2025)\nSkills: Go, Kafka\n"


class HeldAnswer:
    """Wraps one client call: the real request runs, then its answer waits for `release`."""

    def __init__(self, call: Callable[[], Any]) -> None:
        self.call = call
        self.answered = threading.Event()
        self.release = threading.Event()

    def __call__(self) -> Any:
        try:
            return self.call()
        finally:
            self.answered.set()
            assert self.release.wait(30)


def _in_background(work: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(work()), daemon=True)
    thread.start()
    return thread, result


@pytest.fixture
def service(server: ServerProcess, secret_store: SecretStore, keyring_backend: Any,
            tmp_path: Path) -> AccountService:
    service = make_service(url=server.url, secrets=secret_store, data_dir=tmp_path / "data")
    service.sign_up(email="ilse@example.com", password=PASSWORD)
    return service


def test_a_stale_no_cv_answer_keeps_the_cv_uploaded_meanwhile(
        service: AccountService, monkeypatch: pytest.MonkeyPatch) -> None:
    held = HeldAnswer(service.client.get_cv)
    monkeypatch.setattr(service.client, "get_cv", held)
    refresh, result = _in_background(service.cv)
    assert held.answered.wait(30)  # the server said: no CV (yet)
    monkeypatch.undo()
    uploaded = service.upload_cv(service.preview_cv_text(CV))
    held.release.set()
    refresh.join(30)
    assert result == [uploaded]
    assert service.cached_cv() == uploaded
    assert service.cv() == uploaded  # and the next refresh agrees with the server


def test_a_stale_cv_answer_does_not_bring_back_a_deleted_cv(
        service: AccountService, monkeypatch: pytest.MonkeyPatch) -> None:
    service.upload_cv(service.preview_cv_text(CV))
    held = HeldAnswer(service.client.get_cv)
    monkeypatch.setattr(service.client, "get_cv", held)
    refresh, result = _in_background(service.cv)
    assert held.answered.wait(30)  # the server said: this CV
    monkeypatch.undo()
    service.delete_cv()
    held.release.set()
    refresh.join(30)
    assert result == [None]
    assert service.cached_cv() is None


def test_a_stale_dossier_list_keeps_the_dossier_created_meanwhile(
        service: AccountService, monkeypatch: pytest.MonkeyPatch) -> None:
    service.upload_cv(service.preview_cv_text(CV))  # a dossier is built from the CV
    held = HeldAnswer(service.client.list_dossiers)
    monkeypatch.setattr(service.client, "list_dossiers", held)
    refresh, result = _in_background(service.dossiers)
    assert held.answered.wait(30)  # the server said: no dossiers
    monkeypatch.undo()
    dossier = service.create_dossier(job_title="Platform Engineer", company="Acme Rockets",
                                      job_description="Kubernetes, Terraform and Go.")
    held.release.set()
    refresh.join(30)
    [listing] = result
    assert [item.id for item in listing.items] == [dossier.id]
    assert [item.id for item in service.cache.list_dossiers()] == [dossier.id]
    assert service.cached_dossier(dossier.id) is not None
