"""Fixtures every test package can use."""

from __future__ import annotations

from pathlib import Path

import pytest

from smart_interview.app.resources import shared_data_dir


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
