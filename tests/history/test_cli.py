"""`smart-interview history ...` end to end: real processes, the real Secret Service keyring
(gnome-keyring in a private D-Bus session), a fresh HOME."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from tests.support.services import require
from tests.sync.test_cli_journey import _sections

ROOT = Path(__file__).resolve().parents[2]

SEED = r"""
import sys, keyring
from pathlib import Path
from smart_interview.app.history import KeyringKey, start_recording
from smart_interview.app.paths import AppPaths
from smart_interview.models.answers import AnswerDone, QuestionDetected
from smart_interview.models.transcript import Segment, Speaker
from smart_interview.sync.secrets import SecretStore

keys = KeyringKey(SecretStore(keyring.get_keyring()))
data = AppPaths.default().data_dir
for title, line in (("Backend Engineer at Hooli", "Tell me about the Pied Piper compression"),
                    ("SRE at Initech", "How do you page someone at 3 am")):
    recorder = start_recording(enabled=True, data_dir=data, keys=keys, dossier_title=title)
    recorder.on_event(Segment(Speaker.INTERVIEWER, line, 0.5, 3.0, final=True))
    recorder.on_event(QuestionDetected(emitted_at=3.1, id="q1", text=line, kind="technical"))
    recorder.on_event(AnswerDone(emitted_at=4.0, question_id="q1", text="With care."))
    if title.startswith("SRE"):
        recorder.close()
    print(recorder.interview_id)
"""

SCRIPT = r"""
set -u
eval "$(printf 'test-unlock' | gnome-keyring-daemon --unlock --components=secrets)"
step() { echo "=== $1"; shift; "$@" 2>&1; echo "--- rc=$?"; }
SI="$PYTHON -m smart_interview.app.cli"
step empty $SI history list
IDS=$($PYTHON -c "$SEED")
HOOLI=$(echo "$IDS" | head -1); INITECH=$(echo "$IDS" | tail -1)
echo "=== ids"; echo "$HOOLI $INITECH"
step list $SI history list
step search $SI history search "pied piper"
step show $SI history show "$INITECH"
step md $SI history export "$HOOLI" --format md -o "$WORK/hooli.md"
step json $SI history export "$HOOLI" --format json -o "$WORK/hooli.json"
step badid $SI history show ../../etc/passwd
step delete $SI history delete "$HOOLI"
step list2 $SI history list
step all $SI history delete --all
step list3 $SI history list
"""


def test_history_commands_end_to_end(tmp_path: Path) -> None:
    require(shutil.which("dbus-run-session") is not None
            and shutil.which("gnome-keyring-daemon") is not None,
            "dbus-run-session and gnome-keyring-daemon are needed for the Secret Service test")
    home = tmp_path / "home"
    (home / ".local" / "share").mkdir(parents=True)
    (tmp_path / "runtime").mkdir(mode=0o700)
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON_KEYRING", "XDG_", "DBUS_", "SMART_INTERVIEW", "GNOME_"))}
    env.update(HOME=str(home), XDG_RUNTIME_DIR=str(tmp_path / "runtime"),
               SMART_INTERVIEW_HOME=str(tmp_path / "si"), PYTHON=sys.executable,
               PYTHONPATH=str(ROOT / "src"), WORK=str(work), SEED=SEED)
    done = subprocess.run(["dbus-run-session", "--", "bash", "-c", SCRIPT], env=env,
                          capture_output=True, text=True, timeout=240, stdin=subprocess.DEVNULL)
    report = done.stdout + done.stderr
    out = _sections(report)
    hooli, initech = out["ids"].split()

    assert "No saved interviews. History is off" in out["empty"], report
    listing = out["list"].splitlines()
    assert listing[0].split() == ["id", "date", "dossier", "duration", "questions", "status"]
    rows = {line.split()[0]: line for line in listing[1:3]}
    assert "interrupted" in rows[hooli] and "Backend Engineer at Hooli" in rows[hooli], report
    assert "complete" in rows[initech] and "SRE at Initech" in rows[initech], report
    assert hooli in out["search"] and initech not in out["search"], report
    assert "interviewer: Tell me about the Pied Piper compression" in out["search"]
    assert out["show"].startswith("# SRE at Initech — ") and "How do you page" in out["show"]
    assert "Status: complete" in out["show"] and "With care." in out["show"]

    markdown = work / "hooli.md"
    assert stat.S_IMODE(markdown.stat().st_mode) == 0o600
    assert "Status: interrupted" in markdown.read_text()
    data = json.loads((work / "hooli.json").read_text())
    assert data["id"] == hooli and data["interrupted"] is True
    assert data["questions"][0]["answer"] == "With care."

    assert "not an interview id" in out["badid"] and "rc=2" in out["badid"], report
    assert "Traceback" not in report
    assert f"Deleted {hooli}." in out["delete"]
    assert hooli not in out["list2"] and initech in out["list2"]
    assert "Deleted 1 saved interview." in out["all"]
    assert "No saved interviews." in out["list3"]
    folder = tmp_path / "si" / "data" / "history"
    assert folder.is_dir() and list(folder.iterdir()) == []
