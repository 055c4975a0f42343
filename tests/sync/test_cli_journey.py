"""The CLI journey on a fresh machine: embedded backend, real Secret Service keyring.

Runs `smart-interview` in a private D-Bus session with gnome-keyring-daemon (temp HOME), so the
tokens go to the real Secret Service that a Linux desktop uses, and the app's secure-store check
passes without any test opt-in.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.services import require
from tests.sync.documents import write_docx
from tests.sync.server_process import ServerProcess

NAME, EMPLOYER, SKILL = "Solveig Amundsen-Park", "Borealis Freight", "Kubernetes"

SCRIPT = r"""
set -u
eval "$(printf 'test-unlock' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK 2>/dev/null || true
step() { echo "=== $1"; shift; "$@"; echo "--- rc=$?"; }
SI="$PYTHON -m smart_interview.app.cli"
# The app is open the whole time: it runs the local backend and every command below uses it.
mkfifo "$WORK/app-in" "$WORK/app-out"
$PYTHON -c "$APP" < "$WORK/app-in" > "$WORK/app-out" 2>&1 &
exec 3> "$WORK/app-in" 4< "$WORK/app-out"
read -r APP_OPEN <&4
step status0 $SI account status
step login $SI account login
step upload $SI cv upload "$WORK/cv.docx" --yes --wait 60
step show $SI cv show
step create $SI dossier create --title "Platform Engineer" --company "Acme" --jd "$WORK/jd.txt"
step list $SI dossier list
step status1 $SI account status
step cvdelete $SI cv delete --yes
step list2 $SI dossier list
DOSSIER=$($SI dossier list | awk 'NR==1 {print $1}')
step dshow $SI dossier show "$DOSSIER"
step dshowjson $SI dossier show "$DOSSIER" --json
step logout $SI account logout
step status2 $SI account status
step keyring $PYTHON -c "
import keyring
from smart_interview.sync.secrets import SecretStore
store = SecretStore(keyring.get_keyring())
print('backend', store.backend_description)
for name in ('session@local', 'cache-key@local', 'local-account@local', 'local-server-jwt-secret'):
    print(name, 'present' if store.get(name) else 'absent')
"
step endpoint cat "$SMART_INTERVIEW_HOME/data/local-server.db.endpoint.json"
exec 3>&-
step app bash -c 'echo "$0"; cat <&4' "$APP_OPEN"
wait
"""

# The desktop app's side: it opens the sync session (and with it the local backend), then
# holds it until its stdin closes.
APP = r"""
import os, sys
from smart_interview.app.settings import Settings
from smart_interview.app.sync_wiring import open_sync
from smart_interview.app.wiring import app_paths
with open_sync(app_paths(), Settings()) as sync:
    print("open", os.getpid(), sync.embedded_server.owned, flush=True)
    sys.stdin.read()
    print("still owner", sync.embedded_server.owned, sync.embedded_server.owner_pid, flush=True)
"""


CLOUD_SCRIPT = r"""
set -u
eval "$(printf 'test-unlock' | gnome-keyring-daemon --unlock --components=secrets)"
step() { echo "=== $1"; shift; "$@" 2>&1; echo "--- rc=$?"; }
SI="$PYTHON -m smart_interview.app.cli"
PW='a long password'
NEWPW='another quite long passphrase'
CV='Mirela Ionescu\nQA Lead at Hooli\nSkills: Cypress\n'
step plainhttp $SI account login --server http://interview.example.com --email a@b.cd
step register bash -c "printf '%s\n' '$PW' | $SI account register --server $SERVER \
    --email Cloud@Example.com --password-stdin"
step known bash -c "printf 'some other password\n' | $SI account register \
    --email cloud@example.com --password-stdin"
step paste bash -c "printf '$CV' | $SI cv upload --text - --yes"
step status $SI account status
step logout $SI account logout
step wrongpw bash -c "printf 'not it\n' | $SI account login --email c@example.com --password-stdin"
step login bash -c "printf '%s\n' '$PW' | $SI account login --email cloud@example.com \
    --password-stdin"
step show $SI cv show
step password bash -c "printf '%s\n%s\n' '$PW' '$NEWPW' | $SI account password --password-stdin"
step statuspw $SI account status
step everywhere $SI account logout --everywhere
step relogin bash -c "printf '%s\n' '$NEWPW' | $SI account login --email cloud@example.com \
    --password-stdin"
step delnoyes bash -c "printf '%s\n' '$NEWPW' | $SI account delete --password-stdin"
step delwrong bash -c "printf 'not it at all\n' | $SI account delete --yes --password-stdin"
step delete bash -c "printf '%s\n' '$NEWPW' | $SI account delete --yes --password-stdin"
step gone bash -c "printf '%s\n' '$NEWPW' | $SI account login --email cloud@example.com \
    --password-stdin"
step keyring $PYTHON -c "
import keyring
from smart_interview.sync.secrets import SecretStore
store = SecretStore(keyring.get_keyring())
for name in ('session@$SERVER', 'device@$SERVER#cloud@example.com'):
    print(name.split('@')[0], 'present' if store.get(name) else 'absent')
"
"""


def _run_in_keyring_session(script: str, tmp_path: Path, **extra: str) -> str:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON_KEYRING", "XDG_", "DBUS_", "SMART_INTERVIEW", "GNOME_"))
    }
    home = tmp_path / "home"
    (home / ".local" / "share").mkdir(parents=True, exist_ok=True)
    (tmp_path / "runtime").mkdir(mode=0o700, exist_ok=True)
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_RUNTIME_DIR=str(tmp_path / "runtime"),
        SMART_INTERVIEW_HOME=str(tmp_path / "si"),
        PYTHON=sys.executable,
        PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"),
        **extra,
    )
    done = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", script],
        env=env, capture_output=True, text=True, timeout=240, stdin=subprocess.DEVNULL,
    )
    return done.stdout + "\n" + done.stderr


def _require_secret_service() -> None:
    require(
        shutil.which("dbus-run-session") is not None
        and shutil.which("gnome-keyring-daemon") is not None,
        "dbus-run-session and gnome-keyring-daemon are needed for the Secret Service test",
    )


def test_cli_against_a_cloud_server_with_secret_service(server: ServerProcess,
                                                         tmp_path: Path) -> None:
    _require_secret_service()
    report = _run_in_keyring_session(CLOUD_SCRIPT, tmp_path, SERVER=server.url)
    out = _sections(report)
    assert "https://" in out["plainhttp"] and "rc=2" in out["plainhttp"], report
    assert f"Signed in as cloud@example.com at {server.url}" in out["register"], report
    assert "Mirela Ionescu" in out["paste"] and "CV stored" in out["paste"], report
    assert "Signed in:  cloud@example.com" in out["status"] and "CV:         yes" in out["status"]
    assert "rc=0" in out["logout"], report
    assert "e-mail address or password is wrong" in out["wrongpw"], report
    assert "a long password" not in report
    assert "rc=2" in out["wrongpw"] and "Traceback" not in out["wrongpw"], report
    assert "Signed in as cloud@example.com" in out["login"], report
    assert "QA Lead at Hooli" in out["show"], report
    # A known e-mail registered again with another password: the same answer from the server,
    # then a sign-in that fails with wording that covers both cases.
    assert "If this e-mail address is new, the account was created" in out["known"], report
    assert "rc=2" in out["known"], report
    assert "Password changed" in out["password"] and "rc=0" in out["password"], report
    assert "Signed in:  cloud@example.com" in out["statuspw"], report  # this session stayed
    assert "Signed out everywhere (every session of the account)" in out["everywhere"], report
    assert "Signed in as cloud@example.com" in out["relogin"], report
    assert "--password-stdin needs --yes" in out["delnoyes"], report
    assert "password is wrong" in out["delwrong"] and "rc=2" in out["delwrong"], report
    assert "Deleted cloud@example.com" in out["delete"] and "rc=0" in out["delete"], report
    assert "e-mail address or password is wrong" in out["gone"], report
    assert "session absent" in out["keyring"] and "device absent" in out["keyring"], report
    assert "another quite long passphrase" not in report


def _sections(output: str) -> dict[str, str]:
    sections: dict[str, str] = {}
    for block in output.split("=== ")[1:]:
        name, _, body = block.partition("\n")
        sections[name.strip()] = body
    return sections


def test_cli_journey_with_embedded_backend_and_secret_service(tmp_path: Path) -> None:
    require(
        shutil.which("dbus-run-session") is not None
        and shutil.which("gnome-keyring-daemon") is not None,
        "dbus-run-session and gnome-keyring-daemon are needed for the Secret Service test",
    )
    work = tmp_path / "work"
    work.mkdir()
    write_docx(work / "cv.docx", name=NAME, employer=EMPLOYER, skill=SKILL)
    (work / "jd.txt").write_text("Platform Engineer. Kubernetes, Go and SQL on call.\n")
    home = tmp_path / "home"
    (home / ".local" / "share").mkdir(parents=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON_KEYRING", "XDG_", "DBUS_", "SMART_INTERVIEW", "GNOME_"))
    }
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_RUNTIME_DIR=str(tmp_path / "runtime"),
        SMART_INTERVIEW_HOME=str(tmp_path / "si"),
        PYTHON=sys.executable,
        WORK=str(work),
        PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"),
        APP=APP,
    )
    (tmp_path / "runtime").mkdir(mode=0o700)
    done = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", SCRIPT],
        env=env, capture_output=True, text=True, timeout=240, stdin=subprocess.DEVNULL,
    )
    out = _sections(done.stdout)
    report = done.stdout + done.stderr
    assert set(out) >= {"status0", "login", "upload", "logout", "keyring"}, report
    assert "backend keyring.backends.SecretService.Keyring" in out["keyring"], report
    assert not (home / ".local" / "share" / "python_keyring").exists()  # no plain-file keyring

    assert "Signed in:  no" in out["status0"] and "rc=0" in out["status0"], report
    assert "local account" in out["login"] and "rc=0" in out["login"], report
    for expected in (NAME, EMPLOYER, SKILL, "summary ready"):
        assert expected in out["upload"], report
    assert NAME in out["show"] and "Summary (ready" in out["show"], report
    assert "ready" in out["create"] and "Platform Engineer at Acme" in out["create"], report
    dossier_id = out["create"].split()[0]
    assert dossier_id in out["list"], report
    assert "CV:         yes" in out["status1"] and "Dossiers:   1" in out["status1"], report
    assert "CV deleted." in out["cvdelete"] and "1 dossier(s) still hold" in out["cvdelete"]
    assert dossier_id in out["list2"], report
    assert "Signed out; tokens and offline copies removed" in out["logout"], report
    assert "Signed in:  no" in out["status2"], report
    # Sign-out emptied the session and cache key; the local account stays for next time.
    assert "session@local absent" in out["keyring"] and "cache-key@local absent" in out["keyring"]
    assert "local-account@local present" in out["keyring"], report

    # The CV was deleted, yet `dossier show` prints the snapshot the dossier keeps, labelled.
    day = json.loads(out["dshowjson"].rsplit("--- rc=", 1)[0])["created_at"][:10]
    assert f"CV snapshot (as used for this dossier, {day}):" in out["dshow"], report
    snapshot = out["dshow"].split("CV snapshot (as used for this dossier", 1)[1]
    for expected in (NAME, EMPLOYER, SKILL):
        assert expected in snapshot, report
    shown = json.loads(out["dshowjson"].rsplit("--- rc=", 1)[0])
    assert shown["id"] == dossier_id and NAME in shown["cv_snapshot"], report
    assert "rc=0" in out["dshow"] and "rc=0" in out["dshowjson"], report

    # Every command used the backend of the app that was open, and the app kept it.
    app_pid = int(out["app"].split()[1])
    assert out["app"].startswith(f"open {app_pid} True"), report
    assert f"still owner True {app_pid}" in out["app"], report
    assert json.loads(out["endpoint"].rsplit("--- rc=", 1)[0])["pid"] == app_pid, report

    data = tmp_path / "si" / "data"
    assert [p for p in (data / "sync").rglob("*") if p.is_file()] == []
    assert (data / "local-server.db").stat().st_mode & 0o077 == 0
    for path in (tmp_path / "si").rglob("*"):
        if path.is_file() and path.name != "local-server.db":
            assert NAME.encode() not in path.read_bytes(), path
