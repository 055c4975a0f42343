"""The app and CLI commands running at once share one local backend: separate processes on one
data dir talk to one server, a process that starts while another starts waits for it, a crashed
owner's endpoint file is ignored and replaced, the others carry on when the owner exits, and an
owner that does not answer gets a clear error instead of a second server on the same database.

Each process below is a real Python process that opens the app's sync session
(`app.sync_wiring.open_sync`) on one temp SMART_INTERVIEW_HOME and answers commands on stdin.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CV = "Ilse Marchetti\nSite Reliability Engineer at Contoso\nSkills: Terraform, Go\n"

CHILD = r"""
import json, os, sys
from keyrings.alt.file import PlaintextKeyring
from smart_interview.app.settings import Settings
from smart_interview.app.sync_wiring import open_sync
from smart_interview.app.wiring import app_paths
from smart_interview.sync.errors import SyncError

keyring = PlaintextKeyring()
keyring.file_path = os.environ["TEST_KEYRING_FILE"]

def say(**fields):
    print(json.dumps(fields), flush=True)

try:
    sync = open_sync(app_paths(), Settings(), keyring_backend=keyring, allow_insecure_keyring=True)
except SyncError as exc:
    say(error=str(exc))
    sys.exit(3)

def state(**extra):
    backend = sync.embedded_server
    say(pid=os.getpid(), url=backend.url, owned=backend.owned, owner_pid=backend.owner_pid,
        **extra)

state()
for line in sys.stdin:
    command = line.strip()
    try:
        if command == "upload":
            sync.service.ensure_local_account()
            sync.service.upload_cv(sync.service.preview_cv_text(os.environ["TEST_CV"]))
            state()
        elif command == "read":
            email = sync.service.ensure_local_account().email
            cv = sync.service.cv(allow_cached=False)
            state(email=email, cv=cv.text if cv else None)
        elif command == "quit":
            break
    except SyncError as exc:
        state(error=str(exc))
sync.close()
say(closed=True)
"""


class Child:
    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", CHILD], env=env, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    @property
    def pid(self) -> int:
        return self.process.pid

    def read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(30)
            raise AssertionError(f"child {self.pid} ended: {self.process.stderr.read()}")
        return dict(json.loads(line))

    def ask(self, command: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.read()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(30)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Any]:
    home = tmp_path / "home"
    home.mkdir()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTHON_KEYRING", "SMART_INTERVIEW", "XDG_"))}
    env.update(HOME=str(home), SMART_INTERVIEW_HOME=str(tmp_path / "si"), TEST_CV=CV,
               TEST_KEYRING_FILE=str(tmp_path / "keyring.cfg"),
               PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"))
    children: list[Child] = []

    def start() -> Child:
        child = Child(env)
        children.append(child)
        return child

    yield start
    for child in children:
        child.stop()


def _endpoint(tmp_path: Path) -> Path:
    return tmp_path / "si" / "data" / "local-server.db.endpoint.json"


def test_processes_share_one_backend_and_carry_on_when_its_owner_dies(
        spawn: Any, tmp_path: Path) -> None:
    first = spawn()
    owner = first.read()
    assert owner["owned"] and owner["owner_pid"] == first.pid
    endpoint = _endpoint(tmp_path)
    assert endpoint.stat().st_mode & 0o077 == 0
    assert json.loads(endpoint.read_text())["pid"] == first.pid

    second, third = spawn(), spawn()
    for child in (second, third):
        attached = child.read()
        assert not attached["owned"], attached
        assert (attached["url"], attached["owner_pid"]) == (owner["url"], first.pid)
    assert "error" not in first.ask("upload")
    seen = second.ask("read")
    assert seen["cv"] == CV.strip() and seen["email"] == first.ask("read")["email"], seen

    first.process.send_signal(signal.SIGKILL)
    first.process.wait(30)
    assert json.loads(endpoint.read_text())["pid"] == first.pid  # left behind by the crash

    after = [second.ask("read"), third.ask("read")]
    for state in after:
        assert "error" not in state and state["cv"] == CV.strip(), state
        assert state["url"] != owner["url"]
    assert after[0]["url"] == after[1]["url"]  # one new server, not one each
    assert [state["owned"] for state in after].count(True) == 1
    new_owner = next(state["pid"] for state in after if state["owned"])
    assert {state["owner_pid"] for state in after} == {new_owner}
    assert json.loads(endpoint.read_text())["pid"] == new_owner  # the stale file was replaced
    assert endpoint.stat().st_mode & 0o077 == 0


def test_two_processes_starting_at_once_start_one_server_and_a_clean_exit_hands_over(
        spawn: Any, tmp_path: Path) -> None:
    pair = [spawn(), spawn()]
    states = [child.read() for child in pair]
    assert sorted(state["owned"] for state in states) == [False, True], states
    assert states[0]["url"] == states[1]["url"]
    owner, user = (pair[0], pair[1]) if states[0]["owned"] else (pair[1], pair[0])
    assert "error" not in owner.ask("upload")

    assert owner.ask("quit") == {"closed": True}
    assert owner.process.wait(30) == 0
    assert not _endpoint(tmp_path).exists()  # a clean exit removes its endpoint file
    state = user.ask("read")
    assert "error" not in state and state["owned"] and state["cv"] == CV.strip(), state


def test_an_owner_that_does_not_answer_gets_a_clear_error_not_a_second_server(
        spawn: Any, tmp_path: Path) -> None:
    first = spawn()
    owner = first.read()
    first.process.send_signal(signal.SIGSTOP)
    try:
        refused = spawn().read()
    finally:
        first.process.send_signal(signal.SIGCONT)
    assert f"Another Smart Interview process (pid {first.pid})" in refused["error"], refused
    assert "does not answer" in refused["error"]
    assert json.loads(_endpoint(tmp_path).read_text())["pid"] == first.pid

    later = spawn().read()  # once it answers again, a new process uses it
    assert not later["owned"] and later["url"] == owner["url"]
