"""No third-party telemetry and no files outside the app's folders, seen from outside.

A real `smart-interview live --no-gui` session (real tiny.en model, real Silero VAD on
onnxruntime, speech made with espeak-ng) runs under strace in a fresh HOME with no XDG
variables, so platformdirs picks the usual folders. Every connect() off loopback fails the
test (DNS to any resolver included), and so does any file left outside the app's config, data,
cache and log folders.

The negative control shows the observers bite: a tiny program that only creates onnxruntime's
session is seen looking up Microsoft's collector and writing ~/.cache/Microsoft when the
privacy guard is skipped, and seen doing neither when it runs first.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.privacy.observers import (
    Traced,
    clean_environment,
    files_under,
    off_device,
    outside,
    parse_connections,
)
from tests.support.speech import say
from tests.support.waiting import wait_until

ORT_TELEMETRY_DELAY_S = 6.0
"""onnxruntime 1.32 looked its collector up 5.6 s after the session was created (measured here
under strace); every observation window below is at least twice as long."""

INTERVIEWER = (
    "Thank you for joining us today. Could you tell me about a project where you improved the "
    "reliability of a service, and what you measured before and after the change?"
)
CANDIDATE = "Sure. I rebuilt the retry logic of our payment service and cut failures by half."

ONNX_SESSION = """
import sys, threading, time
if sys.argv[1] == "guarded":
    from smart_interview.app.privacy import apply_process_privacy
    apply_process_privacy()
import numpy as np, onnxruntime
from faster_whisper.utils import get_assets_path
session = onnxruntime.InferenceSession(
    get_assets_path() + "/silero_vad_v6.onnx", providers=["CPUExecutionProvider"])
print("session ready", flush=True)
state = np.zeros((1, 1, 128), np.float32)
frame = np.zeros((1, 576), np.float32)
tick = threading.Event()
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:  # 32 ms frames in real time, as a live session feeds them
    _, state_h, state_c = session.run(None, {"input": frame, "h": state, "c": state})
    tick.wait(0.032)
"""


def test_strace_lines_are_read_as_strace_writes_them() -> None:
    trace = "\n".join([
        '7 connect(3, {sa_family=AF_UNIX, sun_path="/run/dbus"}, 110) = 0',
        '7 connect(8, {sa_family=AF_INET, sin_port=htons(53), '
        'sin_addr=inet_addr("10.255.255.53")}, 16 <unfinished ...>',
        '8 connect(9, {sa_family=AF_INET, sin_port=htons(41234), '
        'sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
        '8 connect(9, {sa_family=AF_INET, sin_port=htons(53), '
        'sin_addr=inet_addr("127.0.0.53")}, 16) = 0',
        '9 connect(4, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), '
        'inet_pton(AF_INET6, "2603:1030::1", &sin6_addr), sin6_scope_id=0}, 28) = -1',
        '9 connect(4, {sa_family=AF_INET6, sin6_port=htons(8000), sin6_flowinfo=htonl(0), '
        'inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0',
        '9 sendto(8, "\\257\\33", 50, MSG_NOSIGNAL, NULL, 0) = 50',
        '9 sendto(5, "x", 1, 0, {sa_family=AF_INET, sin_port=htons(443), '
        'sin_addr=inet_addr("13.107.5.5")}, 16) = 1',
        '9 <... connect resumed>) = 0',
    ])
    found = parse_connections(trace)
    assert [c.port for c in found] == [0, 53, 41234, 53, 443, 8000, 443]
    assert [(c.address, c.port) for c in off_device(found)] == [
        ("10.255.255.53", 53), ("127.0.0.53", 53), ("2603:1030::1", 443), ("13.107.5.5", 443)]


def test_only_the_app_folders_and_their_parents_are_allowed() -> None:
    allowed = [Path(".cache/SmartInterview"), Path(".local/state/SmartInterview/log")]
    found = {Path(p) for p in (
        ".cache", ".cache/SmartInterview", ".cache/SmartInterview/models/x.bin", ".local",
        ".local/state", ".local/state/SmartInterview", ".local/state/SmartInterview/log/a.log",
        ".cache/Microsoft", ".cache/fontconfig/cache-1", ".local/state/other")}
    assert outside(found, allowed) == [Path(".cache/Microsoft"), Path(".cache/fontconfig/cache-1"),
                                       Path(".local/state/other")]


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["unguarded", "guarded"])
def test_observers_see_onnxruntime_telemetry_unless_the_guard_runs_first(
        mode: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    script = tmp_path / "onnx_session.py"
    script.write_text(ONNX_SESSION)
    window = 2.5 * ORT_TELEMETRY_DELAY_S
    traced = Traced([sys.executable, str(script), mode, str(window)],
                    trace_file=tmp_path / "trace.txt", env=clean_environment(home), cwd=tmp_path)
    try:
        if mode == "unguarded":
            seen = wait_until(lambda: off_device(traced.connections()), timeout=60,
                              message="onnxruntime's telemetry look-up")
            assert any(c.port == 53 for c in seen), seen
            assert (home / ".cache" / "Microsoft" / "DeveloperTools" / ".onnxruntime").is_dir()
            return
        code, out, err = traced.finish(timeout=120)
    finally:
        traced.kill()
    assert code == 0 and "session ready" in out, err
    assert off_device(traced.connections()) == []
    assert files_under(home) == set()


WITHOUT_GUARD = (
    "import sys\n"
    "from smart_interview.app import cli, privacy\n"
    "privacy.apply_process_privacy = lambda *args, **kwargs: None\n"
    "sys.exit(cli.main(sys.argv[1:]))\n"
)
"""The same CLI with the privacy guard skipped: the negative control for the live session."""


def _live_session(root: Path, *, guarded: bool) -> dict[str, Any]:
    """One whole `live --no-gui` session in a fresh HOME, under strace."""
    home = root / "home"
    home.mkdir()
    interviewer = say(INTERVIEWER, root / "interviewer.wav", pad_s=1.0)
    candidate = say(CANDIDATE, root / "candidate.wav", pad_s=1.0)
    env = clean_environment(home)
    program = ["-m", "smart_interview.app.cli"] if guarded else ["-c", WITHOUT_GUARD]
    traced = Traced(
        [sys.executable, *program, "live", "--no-gui", "--jsonl",
         "--interviewer-file", str(interviewer), "--candidate-file", str(candidate)],
        trace_file=root / "trace.txt", env=env, cwd=root)
    try:
        code, out, err = traced.finish(timeout=240)
    finally:
        traced.kill()
    folders = subprocess.run(
        [sys.executable, "-c", "import json; from smart_interview.app.paths import AppPaths; "
         "p = AppPaths.default(); print(json.dumps([str(d) for d in (p.config_dir, "
         "p.data_dir, p.cache_dir, p.log_dir)]))"],
        env=env, cwd=root, capture_output=True, text=True, check=True)
    allowed = [Path(d).relative_to(home) for d in json.loads(folders.stdout)]
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return {"code": code, "stderr": err, "events": events, "home": home, "allowed": allowed,
            "connections": traced.connections()}


@pytest.fixture(scope="module")
def live_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _live_session(tmp_path_factory.mktemp("live-privacy"), guarded=True)


def _finals(run: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in run["events"] if e.get("type") == "final"]


@pytest.mark.slow
def test_a_live_session_connects_to_nothing_off_the_device(live_run: dict[str, Any]) -> None:
    assert live_run["code"] == 0, live_run["stderr"]
    finals = _finals(live_run)
    assert {e["speaker"] for e in finals} == {"interviewer", "candidate"}, live_run["events"]
    # The session ran long enough after the VAD loaded for onnxruntime to phone home.
    assert max(e["end"] for e in finals) >= 1.5 * ORT_TELEMETRY_DELAY_S
    assert off_device(live_run["connections"]) == []


@pytest.mark.slow
def test_a_live_session_writes_only_in_the_app_folders(live_run: dict[str, Any]) -> None:
    assert live_run["code"] == 0, live_run["stderr"]
    assert _finals(live_run)
    written = files_under(live_run["home"])
    assert outside(written, live_run["allowed"]) == []
    assert not (live_run["home"] / ".cache" / "Microsoft").exists()


@pytest.mark.slow
def test_both_live_checks_fail_when_the_guard_is_skipped(tmp_path: Path) -> None:
    run = _live_session(tmp_path, guarded=False)
    assert run["code"] == 0 and _finals(run), run["stderr"]
    assert any(c.port == 53 for c in off_device(run["connections"])), run["connections"]
    stray = outside(files_under(run["home"]), run["allowed"])
    assert Path(".cache/Microsoft/DeveloperTools/.onnxruntime/deviceid") in stray, stray
