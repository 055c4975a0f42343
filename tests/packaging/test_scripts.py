"""The packaging helper scripts, on small inputs made here."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"


def test_package_script_names_a_missing_template(tmp_path: Path) -> None:
    result = subprocess.run(
        ["bash", str(SCRIPTS / "package-linux.sh")],
        env={"PATH": "/usr/bin:/bin", "SMART_INTERVIEW_BRIEFCASE_TEMPLATE": str(tmp_path)},
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 2
    assert "not a Briefcase template" in result.stderr


def test_package_sizes_groups_files_by_distribution(tmp_path: Path) -> None:
    (tmp_path / "alpha").mkdir()
    (tmp_path / "alpha" / "core.so").write_bytes(b"x" * 3_000_000)
    (tmp_path / "alpha.libs").mkdir()
    (tmp_path / "alpha.libs" / "libdep.so").write_bytes(b"x" * 1_000_000)
    info = tmp_path / "alpha-1.0.dist-info"
    info.mkdir()
    (info / "RECORD").write_text("alpha/core.so,,\nalpha.libs/libdep.so,,\n")
    (tmp_path / "beta.py").write_bytes(b"x" * 500_000)
    result = subprocess.run([sys.executable, str(SCRIPTS / "package_sizes.py"), str(tmp_path)],
                            capture_output=True, text=True, check=True)
    rows = [line for line in result.stdout.splitlines() if line.startswith("| 1 ")]
    assert rows and "| alpha | 4.0 |" in rows[0], result.stdout
    assert "| beta.py | 0.5 |" in result.stdout


@pytest.mark.skipif(shutil.which("gcc") is None or shutil.which("strip") is None,
                    reason="gcc and binutils build the test library")
def test_strip_debug_keeps_a_library_loadable(tmp_path: Path) -> None:
    source = tmp_path / "answer.c"
    source.write_text("int answer(void) { return 42; }\n")
    library = tmp_path / "pkg" / "libanswer.so"
    library.parent.mkdir()
    subprocess.run(["gcc", "-g3", "-O0", "-shared", "-fPIC", "-o", str(library), str(source)],
                   check=True)
    before = library.stat().st_size
    result = subprocess.run([sys.executable, str(SCRIPTS / "strip_debug.py"), str(tmp_path)],
                            capture_output=True, text=True, check=True)
    assert "from 1 libraries" in result.stdout, result.stdout
    assert library.stat().st_size < before
    sections = subprocess.run(["readelf", "-S", "--wide", str(library)],
                              capture_output=True, text=True, check=True).stdout
    assert ".debug_" not in sections
    loaded = subprocess.run(
        [sys.executable, "-c",
         f"import ctypes; print(ctypes.CDLL({str(library)!r}).answer())"],
        capture_output=True, text=True, check=True,
    )
    assert loaded.stdout.strip() == "42"
