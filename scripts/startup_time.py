"""Measures launch → main window shown for the installed app, cold and warm.

    python3 scripts/startup_time.py [--command /usr/bin/smart_interview] [--warm 5] [--cold 1]

Each run starts the command with a fresh HOME on an X display (a private Xvfb unless
--display is given) and polls the X server every 10 ms until a top-level window titled
"Smart Interview" is viewable; the time from exec to that moment is the start-up time. The
app is then ended. A cold run first drops the page cache (`sync; echo 3 >
/proc/sys/vm/drop_caches`, root only; skipped with a note otherwise). Runs on any Python
3.10+ with no third-party import; needs Xvfb and xwininfo (Debian: xvfb, x11-utils).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

WINDOW_TITLE = "Smart Interview"
POLL_SECONDS = 0.01
# a line of `xwininfo -children`:
#   0x200007 "Smart Interview": ("smart_interview" "Smart Interview")  1240x800+0+0  +0+0
_WINDOW_LINE = re.compile(r'^\s*(0x[0-9a-f]+) "([^"]*)": \((.*)\)\s+(\d+)x(\d+)')
MIN_SIDE = 100  # Qt also makes 1x1 helper windows with the app's title


@contextmanager
def private_display() -> Iterator[str]:
    """A private Xvfb; yields its DISPLAY."""
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1440x900x24", "-nolisten", "tcp"],
        pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        with os.fdopen(read_end) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not start")
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def viewable_window(display: str, title: str = WINDOW_TITLE) -> str | None:
    """The id of a viewable top-level window with `title` on `display`, if there is one."""
    env = {**os.environ, "DISPLAY": display}
    tree = subprocess.run(
        ["xwininfo", "-root", "-children"], env=env, capture_output=True, text=True, check=False
    ).stdout
    for line in tree.splitlines():
        match = _WINDOW_LINE.match(line)
        if not match or match.group(2) != title or not match.group(3):
            continue
        if min(int(match.group(4)), int(match.group(5))) < MIN_SIDE:
            continue
        info = subprocess.run(
            ["xwininfo", "-id", match.group(1)], env=env, capture_output=True, text=True,
            check=False,
        ).stdout
        if "Map State: IsViewable" in info:
            return match.group(1)
    return None


def drop_page_cache() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def time_to_window(command: list[str], display: str, *, timeout: float = 60.0) -> float:
    """Seconds from exec to the main window being viewable; the app is ended afterwards."""
    with tempfile.TemporaryDirectory(prefix="si-startup-") as home:
        env = {
            key: value for key, value in os.environ.items()
            if not key.startswith(("XDG_", "SMART_INTERVIEW_", "QT_"))
        }
        env.update(HOME=home, DISPLAY=display)
        started = time.perf_counter()
        app = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            while viewable_window(display) is None:
                if app.poll() is not None:
                    error = app.stderr.read().decode(errors="replace") if app.stderr else ""
                    raise RuntimeError(f"the app exited ({app.returncode}) before its window "
                                       f"showed: {error.strip()[-400:]}")
                if time.perf_counter() - started > timeout:
                    raise RuntimeError(f"no window titled {WINDOW_TITLE!r} after {timeout} s")
                time.sleep(POLL_SECONDS)
            return time.perf_counter() - started
        finally:
            os.killpg(app.pid, signal.SIGTERM)
            try:
                app.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(app.pid, signal.SIGKILL)
                app.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--command", default="/usr/bin/smart_interview",
                        help="the app to start (split on spaces)")
    parser.add_argument("--warm", type=int, default=5, help="warm runs (after one unmeasured)")
    parser.add_argument("--cold", type=int, default=1, help="runs after dropping the page cache")
    parser.add_argument("--display", help="an X display to use instead of a private Xvfb")
    args = parser.parse_args(argv)
    command = args.command.split()

    @contextmanager
    def given(display: str) -> Iterator[str]:
        yield display

    with given(args.display) if args.display else private_display() as display:
        cold: list[float] = []
        for _ in range(args.cold):
            if not drop_page_cache():
                print("cold: cannot drop the page cache here (needs root); cold runs skipped")
                break
            cold.append(time_to_window(command, display))
        time_to_window(command, display)  # brings everything into the page cache
        warm = [time_to_window(command, display) for _ in range(args.warm)]
    for label, runs in (("cold", cold), ("warm", warm)):
        if runs:
            print(f"start-up {label}: median {statistics.median(runs):.2f} s, "
                  f"runs {', '.join(f'{run:.2f}' for run in runs)} s")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
