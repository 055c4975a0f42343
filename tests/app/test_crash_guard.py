"""A process that dies mid-interview leaves its traceback and a mark; the next start finds
them. A clean exit leaves neither; a running instance or a recycled process id is no crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psutil

from smart_interview.app.crash_guard import CrashGuard

ROOT = Path(__file__).resolve().parents[2]

DIES_MID_INTERVIEW = """
import os, sys, time
from pathlib import Path
from smart_interview.app.crash_guard import CrashGuard

guard = CrashGuard(Path(sys.argv[1]))
guard.install()
guard.interview_started("20261208-101500-abcdef")
print("interview running", flush=True)
def deep_in_a_paint_event():
    os.abort()  # what CPython does on "none_dealloc"
deep_in_a_paint_event()
"""

ENDS_CLEANLY = """
import sys
from pathlib import Path
from smart_interview.app.crash_guard import CrashGuard

guard = CrashGuard(Path(sys.argv[1]))
guard.install()
guard.interview_started(None)
guard.interview_alive()
guard.interview_stopped()
guard.close()
"""


def run(script: str, log_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", script, str(log_dir)], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
                          capture_output=True, text=True, timeout=60, check=False)


def test_a_fatal_error_mid_interview_is_found_at_the_next_start(tmp_path: Path) -> None:
    died = run(DIES_MID_INTERVIEW, tmp_path)
    assert died.returncode != 0 and "interview running" in died.stdout

    guard = CrashGuard(tmp_path)
    crash = guard.previous_crash()
    assert crash is not None
    assert crash.interview_id == "20261208-101500-abcdef"
    assert crash.crash_log is not None
    report = crash.read_crash_log()
    assert "Fatal Python error: Aborted" in report
    assert "deep_in_a_paint_event" in report  # the stack of the thread that died

    guard.dismiss(crash)
    assert guard.previous_crash() is None
    assert crash.crash_log.exists()  # the report stays for the user to send


def test_a_clean_exit_leaves_no_mark_and_no_empty_crash_log(tmp_path: Path) -> None:
    done = run(ENDS_CLEANLY, tmp_path)
    assert done.returncode == 0, done.stderr
    assert list(tmp_path.iterdir()) == []
    assert CrashGuard(tmp_path).previous_crash() is None


def test_a_running_instance_is_no_crash_but_a_recycled_process_id_is(tmp_path: Path) -> None:
    me = psutil.Process()
    running = {"pid": me.pid, "process_started": me.create_time(), "started_at": 100.0,
               "last_seen_at": 160.0, "interview_id": None}
    (tmp_path / f"interview-{me.pid}.json").write_text(json.dumps(running))
    other = CrashGuard(tmp_path, pid=me.pid + 1_000_000)
    assert other.previous_crash() is None  # that process is alive and is the one that wrote it

    recycled = {**running, "process_started": me.create_time() - 3600}
    (tmp_path / f"interview-{me.pid}.json").write_text(json.dumps(recycled))
    crash = other.previous_crash()
    assert crash is not None and crash.started_at == 100.0 and crash.last_seen_at == 160.0


def test_a_damaged_mark_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "interview-1.json").write_text("{not json")
    (tmp_path / "interview-2.json").write_text(json.dumps({"pid": "x"}))
    assert CrashGuard(tmp_path).previous_crash() is None


def test_old_crash_reports_are_pruned_to_the_newest_five(tmp_path: Path) -> None:
    for n in range(8):
        log = tmp_path / f"crash-{4_000_000 + n}.log"
        log.write_text(f"Fatal Python error {n}\n")
        os.utime(log, (1_000 + n, 1_000 + n))
    (tmp_path / "crash-4000100.log").write_text("")
    guard = CrashGuard(tmp_path)
    guard.install()
    try:
        kept = sorted(p.name for p in tmp_path.glob("crash-4*.log"))
        assert kept == [f"crash-{4_000_000 + n}.log" for n in range(3, 8)]
    finally:
        guard.close()
    assert not guard.crash_log.exists()
