"""The import contracts of pyproject.toml ([tool.importlinter], run by `lint-imports`) hold on
this tree and break on a copy of it with forbidden imports added."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# module in the copy -> the import added to it, and the contract that must break
VIOLATIONS = {
    "smart_interview/audio/devices.py": ("from PySide6 import QtCore",
                                         "engines and models never import Qt"),
    "smart_interview/answers/dedup.py": ("import smart_interview.sync.client",
                                         "ui -> app -> engines (independent of each other)"),
    "smart_interview/sync/cache.py": ("import smart_interview.app.paths",
                                      "ui -> app -> engines (independent of each other)"),
    "smart_interview/ui/theme.py": ("import smart_interview.transcription.registry",
                                    "ui reaches the engines only through app"),
    "smart_interview/models/account.py": ("import smart_interview_server.schemas",
                                          "ui, engines and models never import the server"),
    "smart_interview_server/security.py": ("import smart_interview.models.account",
                                           "the server never imports the app"),
    "smart_interview/app/paths.py": ("import tests.support.services",
                                     "shipped code never imports the tests"),
}


def _copy_tree(target: Path) -> Path:
    shutil.copytree(ROOT / "src", target / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True, text=True,
        timeout=240, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree / "src")},
    )


def _status(output: str, contract: str) -> str:
    """KEPT or BROKEN, from the summary line of `contract`."""
    for line in output.splitlines():
        if line.startswith(contract):
            words = line[len(contract):].split()
            for word in ("KEPT", "BROKEN"):
                if word in words:
                    return word
    return ""


def test_contracts_hold_on_the_tree_and_break_on_forbidden_imports(tmp_path: Path) -> None:
    tree = _copy_tree(tmp_path)
    clean = _lint(tree)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "BROKEN" not in clean.stdout and "0 broken" in clean.stdout, clean.stdout

    for module, (line, _contract) in VIOLATIONS.items():
        path = tree / "src" / module
        path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # noqa\n",
                        encoding="utf-8")
    broken = _lint(tree)
    report = broken.stdout + broken.stderr
    assert broken.returncode == 1, report
    for module, (_line, contract) in VIOLATIONS.items():
        assert _status(clean.stdout, contract) == "KEPT", (contract, clean.stdout)
        assert _status(broken.stdout, contract) == "BROKEN", (contract, report)
        importer = module.removesuffix(".py").replace("/", ".")
        assert importer in broken.stdout, (importer, report)
