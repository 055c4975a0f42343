"""Fixtures every test package can use."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from smart_interview.app.resources import shared_data_dir


@pytest.fixture(autouse=True)
def isolated_process_state(tmp_path_factory: pytest.TempPathFactory,
                           monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts from the same process state and leaves none behind: its own
    SMART_INTERVIEW_HOME (tests that need a known one set theirs), the environment as it was
    (code under test sets variables itself, e.g. the privacy guard), and no keyring backend
    remembered by the keyring module (it caches the first one it resolves, with the HOME and
    PYTHON_KEYRING_BACKEND of whichever test asked first)."""
    saved = dict(os.environ)
    monkeypatch.setenv("SMART_INTERVIEW_HOME", str(tmp_path_factory.mktemp("si-home")))
    _forget_keyring()
    yield
    _forget_keyring()
    os.environ.clear()
    os.environ.update(saved)


def _forget_keyring() -> None:
    core = sys.modules.get("keyring.core")
    if core is not None:
        core._keyring_backend = None  # type: ignore[attr-defined]


@pytest.fixture
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh SMART_INTERVIEW_HOME for the test: its own settings, data and cache."""
    home = tmp_path / "home"
    monkeypatch.setenv("SMART_INTERVIEW_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data (real speech, CVs, job descriptions), or a skip when it is absent."""
    data = shared_data_dir()
    if data is None:
        pytest.skip("shared test data (../shared/data) is not present in this checkout")
    return data


@pytest.fixture(scope="session")
def tiny_model():  # type: ignore[no-untyped-def]
    """The bundled tiny.en model, loaded once for the whole run."""
    import tempfile

    from smart_interview.transcription.registry import ModelRegistry

    registry = ModelRegistry(cache_dir=Path(tempfile.mkdtemp(prefix="si-models-")))
    return registry.load("tiny.en", cpu_threads=2)


@pytest.fixture(scope="session")
def live_model():  # type: ignore[no-untyped-def]
    """tiny.en loaded as live sessions load it: two workers of one thread (two decode lanes)."""
    import tempfile

    from smart_interview.app.wiring import load_live_model
    from smart_interview.transcription.registry import ModelRegistry

    registry = ModelRegistry(cache_dir=Path(tempfile.mkdtemp(prefix="si-models-")))
    return load_live_model(registry, "tiny.en", 2)


@pytest.fixture
def qtbot(qtbot: Any) -> Any:
    """pytest-qt's qtbot whose `waitUntil` names what it waited for when it times out."""
    from pytestqt.exceptions import TimeoutError as QtTimeout

    original = qtbot.waitUntil

    def wait_until(callback: Callable[[], object], *, timeout: int = 5000) -> None:
        try:
            original(callback, timeout=timeout)
        except QtTimeout as exc:
            raise AssertionError(
                f"waited {timeout} ms for: {_describe(callback)}") from exc

    qtbot.waitUntil = wait_until
    return qtbot


def _describe(callback: Callable[[], object]) -> str:
    import inspect

    try:
        source = " ".join(inspect.getsource(callback).split())
    except (OSError, TypeError):
        return repr(callback)
    return source[:300]
