"""`smart-interview simulate` end to end: a scripted interview spoken with espeak-ng into the
PulseAudio sinks, the real tiny.en pipeline listening, a model server on 127.0.0.1 speaking the
OpenAI streaming format, and strace recording every connect() of the app's process tree.

The audit: nothing but the model server was contacted; it received only the questions and
their context; the app's own network log names the same address the observer saw. And a
simulated interview killed with SIGKILL, with history on, reads back marked interrupted.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from smart_interview.app.benchmarks.llm_server import LlmServer
from smart_interview.app.commands.simulate_script import parse_script
from tests.privacy.observers import require_strace
from tests.support.services import pulse_available, require

pytestmark = pytest.mark.pulse

SCRIPT = Path(__file__).with_name("interview.tsv")
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

    # The model server heard only the detected questions, each with its context (the recent
    # conversation, the CV): one request per answered question, each asking that question.
    detected = [q["detected"] for q in report["questions"]]
    asks = [json.dumps(r.body["messages"][-1]).lower() for r in llm.requests]
    assert len(asks) == report["questions_detected"]
    for ask in asks:
        assert "the interviewer just asked" in ask
        assert any(q.lower().strip(" ?") in ask for q in detected), ask


WAIT_FOR_A_QUESTION = r"""
import keyring
from smart_interview.app.history import KeyringKey, open_history
from smart_interview.app.paths import AppPaths
from smart_interview.sync.secrets import SecretStore
from tests.support.waiting import wait_until

keys = KeyringKey(SecretStore(keyring.get_keyring()))
data = AppPaths.default().data_dir

def asked():
    folder = data / "history"
    if not folder.is_dir() or not any(folder.iterdir()) or keys.load() is None:
        return False
    store = open_history(data, keys=keys, retention_days=0)
    summaries = store.summaries()  # a final question (an early one is shown from a partial)
    return bool(summaries) and any(not q.early for q in store.load(summaries[0].id).questions)

wait_until(asked, timeout=150, interval=0.2, message="a recorded question")
"""

KILL_MID_INTERVIEW = r"""
set -u
eval "$(printf 'test-unlock' | gnome-keyring-daemon --unlock --components=secrets)"
SI="$PYTHON -m smart_interview.app.cli"
$SI simulate "$INTERVIEW" --no-observe >/dev/null 2>"$WORK/simulate.err" &
CHILD=$!
$PYTHON -c "$WAIT"; echo "=== waited rc=$?"
kill -KILL $CHILD; wait $CHILD; echo "=== killed rc=$?"
echo "=== list"; $SI history list 2>&1
ID=$($SI history list | awk 'NR==2{print $1}')
echo "=== show"; $SI history show "$ID" 2>&1
"""


def test_sigkill_during_a_simulated_interview_leaves_an_interrupted_history(
        tmp_path: Path) -> None:
    """History on, the real Secret Service keyring (gnome-keyring in a private D-Bus
    session): the interview is killed once a question has been recorded."""
    require(pulse_available(), "PulseAudio with the interviewer/candidate_mic sinks")
    require(shutil.which("dbus-run-session") is not None
            and shutil.which("gnome-keyring-daemon") is not None,
            "dbus-run-session and gnome-keyring-daemon are needed for the Secret Service")
    from smart_interview.app.paths import AppPaths
    from smart_interview.app.settings import Settings

    home, runtime, work = tmp_path / "home", tmp_path / "runtime", tmp_path / "work"
    (home / ".local" / "share").mkdir(parents=True)
    runtime.mkdir(mode=0o700)
    work.mkdir()
    paths = AppPaths.under(tmp_path / "si").ensure()
    settings = Settings()
    settings.ui.history_enabled = True
    settings.save(paths.settings_file)
    pulse = os.environ.get("PULSE_SERVER") or \
        f"unix:{os.environ.get('XDG_RUNTIME_DIR', '/run/user/0')}/pulse/native"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON_KEYRING", "XDG_", "DBUS_", "SMART_INTERVIEW_HOME",
                                "GNOME_"))}
    env.update(HOME=str(home), XDG_RUNTIME_DIR=str(runtime), PULSE_SERVER=pulse,
               SMART_INTERVIEW_HOME=str(tmp_path / "si"), PYTHON=sys.executable,
               PYTHONPATH=f"{ROOT / 'src'}:{ROOT}", WORK=str(work), INTERVIEW=str(SCRIPT),
               WAIT=WAIT_FOR_A_QUESTION)
    done = subprocess.run(["dbus-run-session", "--", "bash", "-c", KILL_MID_INTERVIEW],
                          env=env, capture_output=True, text=True, timeout=240,
                          stdin=subprocess.DEVNULL, cwd=ROOT)
    report = done.stdout + done.stderr + (work / "simulate.err").read_text(errors="replace")
    assert "=== waited rc=0" in report, report
    assert "=== killed rc=137" in report, report
    listing = report.split("=== list", 1)[1].split("=== show", 1)[0]
    assert "interrupted" in listing and len(listing.strip().splitlines()) == 2, report
    shown = report.split("=== show", 1)[1]
    assert "Status: interrupted" in shown, report
    assert "work for our company" in shown.lower(), report
