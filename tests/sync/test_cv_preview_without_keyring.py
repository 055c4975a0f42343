"""`cv upload --preview` stores nothing, so it needs no keyring: it works on keyring's
fail.Keyring backend (a machine with no keyring at all), while storing is refused with the
keyring message. Hostile files give one line on stderr, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.sync import hostile_files as hostile
from tests.sync.documents import write_docx

NAME, EMPLOYER, SKILL = "Oluwaseun Bergstrom", "Meridian Rail", "Terraform"


def _cli(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTHON_KEYRING", "XDG_", "DBUS_", "SMART_INTERVIEW"))}
    env.update(HOME=str(tmp_path / "home"), SMART_INTERVIEW_HOME=str(tmp_path / "si"),
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    return subprocess.run([sys.executable, "-m", "smart_interview.app.cli", *args], env=env,
                          input=stdin, capture_output=True, text=True, timeout=120)


def test_preview_works_without_any_keyring(tmp_path: Path) -> None:
    cv = write_docx(tmp_path / "cv.docx", name=NAME, employer=EMPLOYER, skill=SKILL)
    result = _cli(tmp_path, "cv", "upload", str(cv), "--preview")
    assert result.returncode == 0, result.stderr
    assert NAME in result.stdout and EMPLOYER in result.stdout
    assert "characters will be stored (from cv.docx)" in result.stdout

    pasted = _cli(tmp_path, "cv", "upload", "--text", "-", "--preview",
                  stdin=f"{NAME}\nSkills: {SKILL}\n")
    assert pasted.returncode == 0, pasted.stderr
    assert f"Skills: {SKILL}" in pasted.stdout


def test_storing_without_a_keyring_is_refused_and_stores_nothing(tmp_path: Path) -> None:
    cv = write_docx(tmp_path / "cv.docx", name=NAME, employer=EMPLOYER, skill=SKILL)
    result = _cli(tmp_path, "cv", "upload", str(cv), "--yes")
    assert result.returncode == 2
    assert NAME in result.stdout  # the text was shown before anything was attempted
    assert "No secure password store" in result.stderr
    assert "keyring.backends.fail.Keyring" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list((tmp_path / "si").rglob("*.db"))  # no local backend, nothing stored


def test_hostile_files_give_one_line_not_a_traceback(tmp_path: Path) -> None:
    template = write_docx(tmp_path / "t.docx", name=NAME, employer=EMPLOYER, skill=SKILL)
    bomb = hostile.write_docx_bomb(tmp_path / "bomb.docx", template)
    random_txt = tmp_path / "random.txt"
    random_txt.write_bytes(hostile.random_text_bytes(20_000))
    for path, expected in ((bomb, "zip bomb"), (random_txt, "is not a text file")):
        result = _cli(tmp_path, "cv", "upload", str(path), "--preview")
        assert result.returncode == 2
        assert expected in result.stderr and "Traceback" not in result.stderr
        assert result.stderr.count("\n") == 1 and not result.stdout
