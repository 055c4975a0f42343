"""`smart-interview simulate` end to end, signed in: the app's own backend on 127.0.0.1 (an
account, a real PDF CV uploaded, a dossier made from a job description), a scripted interview
spoken with espeak-ng into the PulseAudio sinks, the real tiny.en pipeline listening, a model
server on 127.0.0.1 speaking the OpenAI streaming format, and strace recording every connect()
of the app's process tree and every byte it sent.

The audit: only the backend and the model server were contacted, nothing off the machine (DNS
included); the backend never received what was said; the model server received only the
questions and their context; the app's own network log lists the same requests strace saw; a
fresh home folder gets files only in the app's own folders. And a simulated interview killed
with SIGKILL, with history on, reads back marked interrupted.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from smart_interview.app.benchmarks.llm_server import LlmServer
from smart_interview.app.commands.simulate_report import (
    logged_requests,
    observed_requests,
    render_report,
)
from smart_interview.app.commands.simulate_script import parse_script
from smart_interview.app.resources import shared_data_dir
from tests.privacy.observers import require_strace
from tests.simulate.egress_checks import (
    answer_request_problems,
    conversation_sent,
    distinctive_spoken_words,
    requests_to,
    spoken_words_in,
    words,
)
from tests.support.services import pulse_available, require

pytestmark = pytest.mark.pulse

SCRIPT = Path(__file__).with_name("interview.tsv")
ROOT = Path(__file__).resolve().parents[2]
DATA = shared_data_dir() or Path("shared/data")
CV = DATA / "cv" / "pdf" / "resume-matcher_bruce_wayne_fullstack.pdf"
JD = DATA / "jobs" / "resume-matcher" / "job_desc_full_stack_engineer.txt"
SOUND_SYSTEM_FILES = {".config/pulse/cookie"}
"""Written by the PulseAudio client library the first time any program uses the sound server
from this home (not by the app)."""


def fresh_home_environment(home: Path) -> dict[str, str]:
    """A home nothing has run in: the app's folders are platformdirs' defaults below it."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("SMART_INTERVIEW_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME",
                        "XDG_CACHE_HOME", "XDG_STATE_HOME", "PYTHON_KEYRING_BACKEND")}
    return {**env, "HOME": str(home), "SMART_INTERVIEW_DATA": str(DATA)}


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One signed-in simulated interview under the observer; its report and what it left."""
    require(pulse_available(), "PulseAudio with the interviewer/candidate_mic sinks")
    require_strace()
    require(CV.is_file() and JD.is_file(), f"the sample CV and job description in {DATA}")
    folder = tmp_path_factory.mktemp("audit")
    home = folder / "home"
    home.mkdir()
    report_file = folder / "report.json"
    env = fresh_home_environment(home)
    with LlmServer() as llm:
        done = subprocess.run(
            [sys.executable, "-m", "smart_interview.app.cli", "simulate", str(SCRIPT),
             "--cv", str(CV), "--jd", str(JD), "--provider", "openai_compatible",
             "--base-url", llm.openai_base_url, "--json", str(report_file)],
            capture_output=True, text=True, timeout=240, env=env, cwd=ROOT)
        llm_requests = list(llm.requests)
    assert done.returncode == 0, done.stderr
    print(done.stdout)
    report = json.loads(report_file.read_text(encoding="utf-8"))
    folders = subprocess.run(
        [sys.executable, "-c", "from smart_interview.app.paths import AppPaths; p = "
         "AppPaths.default(); print(p.config_dir, p.data_dir, p.cache_dir, p.log_dir)"],
        capture_output=True, text=True, env=env, check=True).stdout.split()
    written = sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file())
    return {"report": report, "llm": f"127.0.0.1:{llm.port}", "llm_requests": llm_requests,
            "backend": report["account"]["server"].removeprefix("http://"),
            "home": home, "app_folders": [Path(f) for f in folders], "written": written}


def test_only_the_backend_and_the_model_server_are_contacted(audit: dict[str, Any]) -> None:
    report = audit["report"]
    expected = [line.text for line in parse_script(SCRIPT.read_text()) if line.question]
    assert report["questions_expected"] == len(expected) == 2
    assert all(q["detected"] for q in report["questions"]), report["questions"]
    assert report["account"]["dossier_status"] == "ready"

    observed = report["observed"]
    assert set(observed["addresses"]) == {audit["backend"], audit["llm"]}, observed["addresses"]
    for connection in observed["connections"]:
        assert ipaddress.ip_address(connection["ip"]).is_loopback, connection
        assert connection["port"] != 53, connection  # no name lookups over the network
    for address, seen in observed["addresses"].items():
        assert seen["requests"] and not seen["unparsed"], (address, seen["unparsed"])
    # The bodies really were captured: the CV upload carries the CV's text.
    [upload] = [r for r in requests_to(report, audit["backend"]) if r["method"] == "PUT"]
    assert "Bruce Wayne" in upload["body"] and upload["path"] == "/api/v1/cv"


def test_the_backend_never_receives_what_was_said(audit: dict[str, Any]) -> None:
    report = audit["report"]
    said = [line.text for line in parse_script(SCRIPT.read_text())]
    spoken = distinctive_spoken_words(report, said)
    assert {"bartholomew", "reykjavik", "ignatius"} <= spoken
    bodies = [r["body"] for r in requests_to(report, audit["backend"])]
    assert len(bodies) >= 5
    assert spoken_words_in(bodies, spoken) == {}

    # The check can fail: a spoken word planted in a recorded body is flagged.
    planted = [*bodies[:-1], bodies[-1] + " from Reykjavik"]
    assert spoken_words_in(planted, spoken) == {str(len(bodies) - 1): {"reykjavik"}}


def test_the_model_server_hears_only_the_questions_and_their_context(
        audit: dict[str, Any]) -> None:
    report = audit["report"]
    asks = [r["body"] for r in requests_to(report, audit["llm"])]
    # one request per question, and one more for each answer asked again after a revision
    # changed what the question asks
    assert len(asks) == report["questions_detected"] + report["answers_restarted"] \
        == len(audit["llm_requests"])
    for body in asks:
        assert answer_request_problems(body, report) == []
    # The context is the account's: its CV and its dossier's job.
    assert all("Bruce Wayne" in body and "Full Stack Engineer at Tech Solutions" in body
               for body in asks)
    # Nothing said after a question reaches the request for it; what was said before it
    # does reach the next question's request, as its conversation.
    lines = parse_script(SCRIPT.read_text())
    conversations = [conversation_sent(body) for body in asks]
    # the first request answers one of the script's questions (whichever was heard first)
    asked = json.loads(asks[0])["messages"][-1]["content"].rsplit("just asked: ", 1)[1]
    first = max((i for i, line in enumerate(lines) if line.question),
                key=lambda i: len(words(lines[i].text) & words(asked)))
    later = words(" ".join(line.text for line in lines[first + 1:])) - words(
        " ".join(line.text for line in lines[: first + 1]))
    assert spoken_words_in([conversations[0]], later) == {}
    assert spoken_words_in(conversations[1:], later) != {}

    # The checks can fail: a block the pipeline never sends, or a line nobody said.
    messages = json.loads(asks[0])
    messages["messages"][1]["content"] = (
        "## Conversation so far (latest last)\nCandidate: my PIN is 1234\n\n"
        "## Microphone audio\nUklGRiQAAABXQVZF\n\n" + messages["messages"][1]["content"])
    problems = answer_request_problems(json.dumps(messages), report)
    assert any("never sends: 'Microphone audio'" in p for p in problems), problems
    assert any("my PIN is 1234" in p for p in problems), problems


def test_the_apps_network_log_lists_what_was_observed(audit: dict[str, Any]) -> None:
    report = audit["report"]
    logged = logged_requests(report)
    assert logged == observed_requests(report)
    purposes = {e["purpose"] for e in report["network"]}
    assert purposes == {"account", "cv", "dossier", "answer"}
    assert {e["host"] for e in report["network"] if e["purpose"] == "answer"} == {audit["llm"]}
    assert "The app's network log lists the same requests." in render_report(report)
    # The comparison can fail: one request the log does not list is a difference.
    fewer = {**report, "network": report["network"][1:]}
    assert "DIFFERENT requests" in render_report(fewer)


def test_a_fresh_home_gets_files_only_in_the_apps_folders(audit: dict[str, Any]) -> None:
    home: Path = audit["home"]
    print("files written below HOME:", audit["written"])
    outside = [name for name in audit["written"]
               if name not in SOUND_SYSTEM_FILES
               and not any((home / name).is_relative_to(folder)
                           for folder in audit["app_folders"])]
    assert outside == []
    assert all(folder.is_relative_to(home) for folder in audit["app_folders"])


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
$SI simulate "$INTERVIEW" --no-observe --no-account >/dev/null 2>"$WORK/simulate.err" &
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
