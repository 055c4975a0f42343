"""A revised turn replaces the finals it spans in what the history shows, searches and exports,
while the file stays append-only (the finals' records are still in it); a file written by a
process that has since stopped reads back the same way."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from smart_interview.app.history import KeyringKey, open_history, start_recording
from smart_interview.app.history.export import to_json, to_markdown
from smart_interview.app.history.keys import fernet_for
from smart_interview.app.history.store import history_dir
from smart_interview.models.answers import QuestionDetected
from smart_interview.models.transcript import Segment, Speaker, TranscriptUpdate
from smart_interview.sync.secrets import SecretStore
from tests.history.conftest import file_keyring
from tests.support.services import require
from tests.sync.test_cli_journey import _sections

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "Tell me about the ledger migration."
FIRST, SECOND = "We moved the ledger to Kafka", "in about six weeks."
REVISED = "We moved the ledger to Kafka in about six weeks."


def final(speaker: Speaker, text: str, start: float, end: float, utterance: int
          ) -> TranscriptUpdate:
    return TranscriptUpdate(Segment(speaker, text, start, end, final=True), emitted_at=end + 0.4,
                            utterance=utterance)


def revision(speaker: Speaker, text: str, start: float, end: float,
             replaces: tuple[int, ...]) -> TranscriptUpdate:
    return TranscriptUpdate(Segment(speaker, text, start, end, final=False),
                            emitted_at=end + 2.0, utterance=replaces[-1], replaces=replaces)


def record_turns(recorder) -> None:  # type: ignore[no-untyped-def]
    recorder.on_event(final(Speaker.INTERVIEWER, QUESTION, 0.5, 2.5, 0))
    recorder.on_event(QuestionDetected(emitted_at=2.9, id="q1", text=QUESTION, kind="technical"))
    recorder.on_event(final(Speaker.CANDIDATE, FIRST, 3.0, 4.6, 0))
    recorder.on_event(final(Speaker.CANDIDATE, SECOND, 5.2, 6.3, 1))
    recorder.on_event(final(Speaker.INTERVIEWER, "Why Kafka?", 8.0, 8.9, 1))
    recorder.on_event(revision(Speaker.CANDIDATE, REVISED, 3.0, 6.3, (0, 1)))


def test_a_revision_replaces_the_finals_it_spans_in_place(tmp_path: Path,
                                                          keys: KeyringKey) -> None:
    recorder = start_recording(enabled=True, data_dir=tmp_path, keys=keys)
    assert recorder is not None
    record_turns(recorder)
    recorder.close()

    store = open_history(tmp_path, keys=keys, retention_days=0)
    interview = store.load(recorder.interview_id)
    assert [(s.speaker, s.text, s.revised) for s in interview.segments] == [
        ("interviewer", QUESTION, False), ("candidate", REVISED, True),
        ("interviewer", "Why Kafka?", False)]
    turn = interview.segments[1]
    assert (turn.start, turn.end, turn.earlier) == (3.0, 6.3, f"{FIRST} {SECOND}")
    assert [q.text for q in interview.questions] == [QUESTION]  # no second question

    markdown = to_markdown(interview)
    assert f"**Candidate** [00:03] _(revised)_: {REVISED}" in markdown
    assert FIRST not in markdown.replace(REVISED, "")
    exported = json.loads(to_json(interview))
    assert [s["text"] for s in exported["segments"]] == [QUESTION, REVISED, "Why Kafka?"]
    assert exported["segments"][1]["revised"] is True
    assert "revised" not in exported["segments"][0]
    [hit] = store.search("six weeks")
    assert [s.text for s in hit.segments] == [REVISED]

    # append-only: the finals' own records are still in the file, after them the revision
    fernet = fernet_for(keys, create=False)
    assert fernet is not None
    [path] = list(history_dir(tmp_path).iterdir())
    kinds = [json.loads(fernet.decrypt(line))["kind"] for line in path.read_bytes().split()]
    assert kinds == ["start", "segment", "question", "segment", "segment", "segment",
                     "revision", "end"]


def test_a_revision_of_finals_saved_without_numbers_replaces_them_by_time(
        tmp_path: Path, keys: KeyringKey) -> None:
    recorder = start_recording(enabled=True, data_dir=tmp_path, keys=keys)
    assert recorder is not None
    recorder.on_event(Segment(Speaker.CANDIDATE, FIRST, 3.0, 4.6, final=True))
    recorder.on_event(Segment(Speaker.INTERVIEWER, "Mm-hm.", 4.8, 5.0, final=True))
    recorder.on_event(Segment(Speaker.CANDIDATE, SECOND, 5.2, 6.3, final=True))
    recorder.on_event(revision(Speaker.CANDIDATE, REVISED, 3.0, 6.3, (4, 5)))
    recorder.close()
    interview = open_history(tmp_path, keys=keys, retention_days=0).load(recorder.interview_id)
    assert [s.text for s in interview.segments] == [REVISED, "Mm-hm."]


WRITER = """
import sys
from pathlib import Path
from smart_interview.app.history import KeyringKey, start_recording
from smart_interview.sync.secrets import SecretStore
from tests.history.conftest import file_keyring
from tests.support.services import require
from tests.sync.test_cli_journey import _sections
from tests.history.test_revised_turns import record_turns

keys = KeyringKey(SecretStore(file_keyring(Path(sys.argv[1])), allow_insecure_backend=True))
recorder = start_recording(enabled=True, data_dir=Path(sys.argv[2]), keys=keys)
record_turns(recorder)
print(recorder.interview_id, flush=True)
# exits without closing: the app was stopped before the interview ended
"""


def test_a_file_written_by_a_stopped_process_reads_back_revised(tmp_path: Path) -> None:
    home, data = tmp_path / "home", tmp_path / "data"
    done = subprocess.run([sys.executable, "-c", WRITER, str(home), str(data)], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    interview_id = done.stdout.strip()

    keys = KeyringKey(SecretStore(file_keyring(home), allow_insecure_backend=True))
    interview = open_history(data, keys=keys, retention_days=0).load(interview_id)
    assert interview.interrupted and interview.unreadable_records == 0
    assert [s.text for s in interview.segments] == [QUESTION, REVISED, "Why Kafka?"]
    assert "_(revised)_" in to_markdown(interview)


SEED = r"""
import keyring
from smart_interview.app.history import KeyringKey, start_recording
from smart_interview.app.paths import AppPaths
from smart_interview.sync.secrets import SecretStore
from tests.history.test_revised_turns import record_turns

keys = KeyringKey(SecretStore(keyring.get_keyring()))
recorder = start_recording(enabled=True, data_dir=AppPaths.default().data_dir, keys=keys)
record_turns(recorder)
recorder.close()
print(recorder.interview_id)
"""

SCRIPT = r"""
set -u
eval "$(printf 'test-unlock' | gnome-keyring-daemon --unlock --components=secrets)"
ID=$($PYTHON -c "$SEED")
SI="$PYTHON -m smart_interview.app.cli"
echo "=== show"; $SI history show "$ID" 2>&1
echo "=== json"; $SI history export "$ID" --format json 2>&1
"""


def test_history_show_and_export_print_the_revised_turn(tmp_path: Path) -> None:
    require(shutil.which("dbus-run-session") is not None
            and shutil.which("gnome-keyring-daemon") is not None,
            "dbus-run-session and gnome-keyring-daemon are needed for the Secret Service test")
    home = tmp_path / "home"
    (home / ".local" / "share").mkdir(parents=True)
    (tmp_path / "runtime").mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON_KEYRING", "XDG_", "DBUS_", "SMART_INTERVIEW", "GNOME_"))}
    env.update(HOME=str(home), XDG_RUNTIME_DIR=str(tmp_path / "runtime"),
               SMART_INTERVIEW_HOME=str(tmp_path / "si"), PYTHON=sys.executable,
               PYTHONPATH=f"{ROOT / 'src'}{os.pathsep}{ROOT}", SEED=SEED)
    done = subprocess.run(["dbus-run-session", "--", "bash", "-c", SCRIPT], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    out = _sections(done.stdout)
    assert "show" in out and "json" in out, done.stdout + done.stderr
    assert f"**Candidate** [00:03] _(revised)_: {REVISED}" in out["show"], out["show"]
    assert FIRST not in out["show"].replace(REVISED, "")
    exported = json.loads(out["json"])
    assert [s["text"] for s in exported["segments"]] == [QUESTION, REVISED, "Why Kafka?"]
    assert exported["segments"][1]["earlier"] == f"{FIRST} {SECOND}"
