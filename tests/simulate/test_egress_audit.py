"""`smart-interview simulate` end to end: a scripted interview spoken with espeak-ng into the
PulseAudio sinks, the real tiny.en pipeline listening, a model server on 127.0.0.1 speaking the
OpenAI streaming format, and strace recording every connect() of the app's process tree.

The audit: nothing but the model server was contacted; it received only the questions and
their context (never what the candidate said); the app's own network log names the same
address the observer saw. And a simulated interview killed with SIGKILL, with history on,
reads back marked interrupted.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from smart_interview.app.commands.simulate_script import parse_script
from tests.privacy.observers import require_strace
from tests.support.llm_servers import LlmServer
from tests.support.services import pulse_available, require
from tests.support.waiting import wait_until

pytestmark = pytest.mark.pulse

SCRIPT = Path(__file__).with_name("interview.tsv")
CANDIDATE_WORDS = ("bartholomew", "reykjavik", "ignatius")
"""Said only by the candidate: they must reach no server."""
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def llm() -> Iterator[LlmServer]:
    with LlmServer() as server:
        yield server


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


def environment(home: Path) -> dict[str, str]:
    return {**os.environ, "HOME": str(home), "SMART_INTERVIEW_HOME": str(home / "si"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"}


def test_only_the_model_server_is_contacted_and_it_hears_only_questions(
        tmp_path: Path, home: Path, llm: LlmServer) -> None:
    require(pulse_available(), "PulseAudio with the interviewer/candidate_mic sinks")
    require_strace()
    report_file = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "smart_interview.app.cli", "simulate", str(SCRIPT),
         "--provider", "openai_compatible", "--base-url", llm.openai_base_url,
         "--json", str(report_file)],
        capture_output=True, text=True, timeout=240, env=environment(home), cwd=ROOT)
    assert done.returncode == 0, done.stderr
    print(done.stdout)
    report = json.loads(report_file.read_text(encoding="utf-8"))
    llm_address = f"127.0.0.1:{llm.port}"

    # The questions were heard and answered.
    expected = [line.text for line in parse_script(SCRIPT.read_text()) if line.question]
    assert report["questions_expected"] == len(expected) == 2
    assert all(q["detected"] for q in report["questions"]), report["questions"]
    assert all(q["first_token_s"] is not None for q in report["questions"])

    # Only the model server: no other address, on or off the machine, was connected to.
    observed = {c["address"] for c in report["observed"]}
    assert observed == {llm_address}, report["observed"]
    # The app's own log names the same address, for every request it made.
    assert {e["host"] for e in report["network"]} == {llm_address}
    assert len(report["network"]) == len(llm.requests) >= 2
    assert len(report["observed"]) <= len(report["network"])  # kept-alive connections

    # The model server heard the questions and their context, never the candidate.
    for request in llm.requests:
        body = json.dumps(request.body).lower()
        assert not [w for w in CANDIDATE_WORDS if w in body], body
    asked = " ".join(json.dumps(r.body["messages"][-1]).lower() for r in llm.requests)
    assert "work for our company" in asked and "rate limiter" in asked


def test_sigkill_during_a_simulated_interview_leaves_an_interrupted_history(
        tmp_path: Path, home: Path) -> None:
    require(pulse_available(), "PulseAudio with the interviewer/candidate_mic sinks")
    from keyrings.alt.file import PlaintextKeyring

    from smart_interview.app.history import KeyringKey, open_history
    from smart_interview.app.history.store import history_dir
    from smart_interview.app.paths import AppPaths
    from smart_interview.app.settings import Settings
    from smart_interview.sync.secrets import SecretStore

    paths = AppPaths.under(home / "si").ensure()
    settings = Settings()
    settings.ui.history_enabled = True
    settings.save(paths.settings_file)
    child = subprocess.Popen(
        [sys.executable, "-m", "smart_interview.app.cli", "simulate", str(SCRIPT),
         "--no-observe"], env=environment(home), cwd=ROOT, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    folder = history_dir(paths.data_dir)
    keyring = PlaintextKeyring()
    keyring.file_path = str(  # type: ignore[misc]
        home / ".local" / "share" / "python_keyring" / "keyring_pass.cfg")
    keys = KeyringKey(SecretStore(keyring, allow_insecure_backend=True))

    def transcribed() -> bool:
        assert child.poll() is None, child.stderr.read() if child.stderr else ""
        if not folder.is_dir() or not any(folder.iterdir()) or keys.load() is None:
            return False
        [summary] = open_history(paths.data_dir, keys=keys, retention_days=0).summaries()
        return summary.question_count >= 1

    try:
        wait_until(transcribed, timeout=180, interval=0.2, message="a recorded question")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    store = open_history(paths.data_dir, keys=keys, retention_days=0)
    [summary] = store.summaries()
    interview = store.load(summary.id)
    assert interview.interrupted and summary.interrupted
    assert any("work for our company" in q.text.lower() for q in interview.questions)
    assert interview.segments
