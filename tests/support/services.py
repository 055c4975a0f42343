"""Services the tests use (PulseAudio, PostgreSQL) are started by .ci/services.sh.

Outside CI a missing service skips the test with the reason; in CI
(SMART_INTERVIEW_STRICT_SERVICES=1, set by .ci/run) it fails instead, so a broken service
never turns into a green run that tested nothing.
"""

from __future__ import annotations

import os

import pytest


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("SMART_INTERVIEW_STRICT_SERVICES") == "1":
        pytest.fail(f"required service missing in CI: {reason}")
    pytest.skip(reason)


def pulse_available() -> bool:
    return os.environ.get("SMART_INTERVIEW_TEST_PULSE") == "1"


def postgres_url() -> str | None:
    return os.environ.get("SMART_INTERVIEW_TEST_POSTGRES_URL")
