"""Schemathesis against the published OpenAPI schema of the live server (SQLite and
PostgreSQL): no 5xx, whatever it sends."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from tests.server.harness import API, Backend, new_user


def test_schemathesis_finds_no_server_errors(backend: Backend, tmp_path: Path) -> None:
    log_before = len(backend.server.log_text())
    with httpx.Client(base_url=backend.url, timeout=30) as client:
        user = new_user(client, "fuzz")
        user.put("/cv", json={"text": "Python engineer\nSQL"})
    schemathesis = Path(sys.executable).with_name("schemathesis")
    command = [
        str(schemathesis), "run", f"{backend.url}{API}/openapi.json",
        "--checks", "not_a_server_error",
        "--max-examples", "20",
        "--header", f"Authorization: Bearer {user.access_token}",
        # Deleting the account or signing out everywhere would log the fuzzer out for the
        # rest of the run.
        "--exclude-operation-id", "delete_account_api_v1_account_delete",
        "--exclude-operation-id", "logout_everywhere_api_v1_auth_logout_all_post",
        "--workers", "2",
        "--seed", "20261127",
        "--generation-database", "none",
        "--no-color",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=240, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "passed" in output and "failed" not in output.lower().replace("0 failed", ""), output
    new_log = backend.server.log_text()[log_before:]
    assert '" 500' not in new_log and "Exception in ASGI application" not in new_log, new_log[
        -3000:
    ]
