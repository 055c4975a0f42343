"""Fixtures of the transcription tests."""

from __future__ import annotations

import pytest

from smart_interview.transcription.vad import SileroVadModel


@pytest.fixture(scope="session")
def vad() -> SileroVadModel:
    """Silero VAD, loaded once (each stream keeps its own state)."""
    return SileroVadModel.load()
