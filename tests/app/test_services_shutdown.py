"""Closing the window never waits for a job that is still opening the account session.

Opening the session can take as long as starting the local backend; the window's close must
not block on it, and the session that job finally opens must not outlive the app.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from smart_interview.app import sync_wiring
from smart_interview.app.errors import AppError
from smart_interview.app.paths import AppPaths
from smart_interview.app.services import AppServices
from smart_interview.app.settings import Settings


class _SlowSession:
    """What `open_sync` returns, for a backend that takes until `release` to start."""

    local_account = False

    def __init__(self) -> None:
        self.closed = threading.Event()
        self.service = object()

    def close(self) -> None:
        self.closed.set()


def test_shutdown_returns_while_the_session_is_still_opening(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    opening = threading.Event()
    release = threading.Event()
    session = _SlowSession()

    def slow_open_sync(*_args: object, **_kwargs: object) -> _SlowSession:
        opening.set()
        assert release.wait(30)
        return session

    monkeypatch.setattr(sync_wiring, "open_sync", slow_open_sync)
    services = AppServices(paths=AppPaths.under(tmp_path), settings=Settings())
    outcome: list[BaseException | object] = []

    def job() -> None:
        try:
            outcome.append(services.account())
        except BaseException as exc:  # the job's result is what the test checks
            outcome.append(exc)

    worker = threading.Thread(target=job)
    worker.start()
    assert opening.wait(30)

    done = threading.Event()
    closer = threading.Thread(target=lambda: (services.shutdown(), done.set()))
    closer.start()
    assert done.wait(5), "shutdown() waited for the job that is opening the session"

    release.set()
    worker.join(30)
    assert isinstance(outcome[0], AppError)
    assert session.closed.is_set(), "the session opened after shutdown was left open"
