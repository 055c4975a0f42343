"""The installer configuration in pyproject.toml, read as Briefcase and pip read it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

from smart_interview import __version__

ROOT = Path(__file__).resolve().parents[2]
BENCH_ONLY = ("jiwer", "whisper-normalizer")


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _app(pyproject: dict) -> dict:
    return pyproject["tool"]["briefcase"]["app"]["smart_interview"]


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0].lower() for r in requirements}


def test_macos_signed_app_may_use_audio_input(pyproject: dict) -> None:
    macos = _app(pyproject)["macOS"]
    # The hardened runtime denies every Core Audio input (BlackHole too) without this key.
    assert macos["entitlement"]["com.apple.security.device.audio-input"] is True
    assert macos["info"]["NSMicrophoneUsageDescription"].strip()
    assert macos["info"]["NSAudioCaptureUsageDescription"].strip()
    assert macos["universal_build"] is True


def test_briefcase_reads_no_legacy_licence_or_name(pyproject: dict) -> None:
    briefcase = pyproject["tool"]["briefcase"]
    # Briefcase 0.4.7 refuses `license.file` beside PEP 639 `license-files`, and warns that a
    # project_name with a space is no PEP 621 name; both come from [project] instead.
    assert "license" not in briefcase
    assert "project_name" not in briefcase
    assert pyproject["project"]["license-files"] == ["LICENSE"]
    assert len(_app(pyproject)["description"]) <= 80


def test_benchmark_libraries_are_an_extra_not_a_runtime_requirement(pyproject: dict) -> None:
    project = pyproject["project"]
    runtime = _names(project["dependencies"])
    assert not runtime & set(BENCH_ONLY)
    assert _names(project["optional-dependencies"]["bench"]) == set(BENCH_ONLY)
    assert "bench" in project["optional-dependencies"]["test"][0]
    for platform in ("linux", "macOS", "windows"):
        extra = _app(pyproject).get(platform, {}).get("requires", [])
        assert not _names(extra) & set(BENCH_ONLY)


def test_changelog_sits_next_to_pyproject() -> None:
    changelog = ROOT / "CHANGELOG"
    assert changelog.is_file()
    assert __version__ in changelog.read_text(encoding="utf-8")


def test_module_runs_like_the_command() -> None:
    """The installed launcher runs `python -m smart_interview`."""
    result = subprocess.run(
        [sys.executable, "-m", "smart_interview", "--version"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(__version__)
    listed = subprocess.run(
        [sys.executable, "-m", "smart_interview", "--help"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    for command in ("transcribe", "devices", "live", "models"):
        assert command in listed.stdout
