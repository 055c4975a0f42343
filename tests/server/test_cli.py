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


def test_secrets_are_refused_on_the_command_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    secret = "s" * 40
    for flag, alternative, variable in (
        ("--jwt-secret", "--jwt-secret-file", "SMART_INTERVIEW_SERVER_JWT_SECRET"),
        ("--ai-api-key", "--ai-api-key-file", "SMART_INTERVIEW_SERVER_AI_API_KEY"),
    ):
        result = _run("--data-dir", str(tmp_path), flag, secret)
        # Before: accepted, and visible to every local user in `ps`.
        assert result.returncode == 2
        assert flag in result.stderr and alternative in result.stderr
        assert variable in result.stderr and secret not in result.stderr
    missing = _run("--data-dir", str(tmp_path), "--jwt-secret-file", str(tmp_path / "none"))
    assert missing.returncode == 2 and "--jwt-secret-file" in missing.stderr


def test_secret_files_are_read(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from smart_interview_server.settings import settings_from_sources

    (tmp_path / "jwt").write_text("j" * 40 + "\n", encoding="utf-8")
    (tmp_path / "key").write_text("sk-test-key\n", encoding="utf-8")
    settings = settings_from_sources(
        {"jwt_secret": str(tmp_path / "jwt"), "ai_api_key": str(tmp_path / "key"),
         "data_dir": str(tmp_path)},
        {},
    )
    assert settings.jwt_secret == "j" * 40 and settings.ai_api_key == "sk-test-key"
    from_env = settings_from_sources(
        {"data_dir": str(tmp_path)}, {"SMART_INTERVIEW_SERVER_JWT_SECRET": "e" * 40}
    )
    assert from_env.jwt_secret == "e" * 40
