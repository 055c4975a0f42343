"""The privacy guard: what it sets, that the CLI applies it, and what it refuses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from smart_interview.app import cli, privacy


def test_the_guard_overrides_an_environment_that_turns_telemetry_back_on() -> None:
    env = {"ORT_DISABLE_TELEMETRY": "0", "HF_HUB_OFFLINE": "0", "DO_NOT_TRACK": "0",
           "FASTAPI_OTEL_AUTO_CONFIGURE": "true", "OTEL_SDK_DISABLED": "false", "KEEP": "me"}
    privacy.apply_process_privacy(env)
    assert env == {**privacy.PRIVATE_ENVIRONMENT, "KEEP": "me"}
    assert env["ORT_DISABLE_TELEMETRY"] == "1" and env["HF_HUB_OFFLINE"] == "1"


def test_the_cli_applies_the_guard_before_running_a_command(
        app_home: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    for name in privacy.PRIVATE_ENVIRONMENT:
        monkeypatch.setenv(name, "0")
    assert cli.main(["models"]) == 0
    assert "tiny.en" in capsys.readouterr().out
    assert {name: os.environ[name] for name in privacy.PRIVATE_ENVIRONMENT} == \
        privacy.PRIVATE_ENVIRONMENT


def test_on_windows_onnxruntime_events_are_turned_off_too(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import onnxruntime

    calls: list[str] = []
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(onnxruntime, "disable_telemetry_events", lambda: calls.append("off"))
    env: dict[str, str] = {}
    privacy.apply_process_privacy(env)
    assert calls == ["off"] and env["ORT_DISABLE_TELEMETRY"] == "1"


def test_model_downloads_must_be_allowed_before_the_hub_library_loads() -> None:
    program = (
        "from smart_interview.app import privacy\n"
        "import os\n"
        "privacy.apply_process_privacy()\n"
        "privacy.allow_model_hub()\n"
        "import huggingface_hub.constants as c\n"
        "print('offline', c.HF_HUB_OFFLINE, 'telemetry off', c.HF_HUB_DISABLE_TELEMETRY)\n"
        "try:\n"
        "    privacy.allow_model_hub()\n"
        "except privacy.PrivacyError as exc:\n"
        "    print('refused:', exc)\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          check=True)
    assert "offline False telemetry off True" in done.stdout
    assert "refused: huggingface_hub was loaded before" in done.stdout


def test_the_desktop_app_applies_the_guard_before_anything_starts(
        monkeypatch: pytest.MonkeyPatch, app_home: Path) -> None:
    from smart_interview.app import gui

    for name in privacy.PRIVATE_ENVIRONMENT:
        monkeypatch.setenv(name, "0")
    seen: dict[str, str] = {}

    class Started(Exception):
        pass

    def first_step(_argv: object = None) -> None:
        seen.update({name: os.environ[name] for name in privacy.PRIVATE_ENVIRONMENT})
        raise Started

    monkeypatch.setattr(gui, "make_application", first_step)
    with pytest.raises(Started):
        gui.main([])
    assert seen == privacy.PRIVATE_ENVIRONMENT
