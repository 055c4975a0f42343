"""The console script: --help documents every setting; bad settings are one clear line."""

from __future__ import annotations

import subprocess

from smart_interview_server.settings import SETTING_SPECS, env_name
from tests.server.harness import clean_environment, server_command


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = clean_environment()
    environment.update(env or {})
    return subprocess.run(
        [*server_command(), *args], capture_output=True, text=True, timeout=60, env=environment
    )


def test_help_documents_every_setting() -> None:
    result = _run("--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for spec in SETTING_SPECS:
        assert spec.flag in text and env_name(spec) in text, spec.field
    for phrase in ("DATABASE_URL", "bench-load", "OpenAPI", "keyword-match", "extractive"):
        assert phrase in text


def test_invalid_setting_is_one_line_exit_2(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = _run("--data-dir", str(tmp_path), env={"SMART_INTERVIEW_SERVER_AI_PROVIDER": "gemini"})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "smart-interview-server: error: "
        "SMART_INTERVIEW_SERVER_AI_PROVIDER: must be openai, anthropic or none"
    )
    result = _run("--data-dir", str(tmp_path), "--port", "eighty")
    assert result.returncode == 2 and "--port" in result.stderr
