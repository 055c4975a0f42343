"""An interview recorder killed with SIGKILL mid-interview loses nothing it had reported
recorded; the file reopens marked interrupted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from smart_interview.app.history import KeyringKey, open_history
from smart_interview.app.history.store import history_dir
from smart_interview.sync.secrets import SecretStore
from tests.history.conftest import file_keyring

ROOT = Path(__file__).resolve().parents[2]

INTERVIEW = """
import sys
from pathlib import Path
from smart_interview.app.history import KeyringKey, start_recording
from smart_interview.models.answers import AnswerDone, QuestionDetected
from smart_interview.models.transcript import Segment, Speaker
from smart_interview.sync.secrets import SecretStore
from tests.history.conftest import file_keyring

keys = KeyringKey(SecretStore(file_keyring(Path(sys.argv[1])), allow_insecure_backend=True))
recorder = start_recording(enabled=True, data_dir=Path(sys.argv[2]), keys=keys,
                           dossier_title="Data Engineer at Initech")
print("id", recorder.interview_id, flush=True)
n = 0
while True:  # an interview that never ends: the test kills it
    speaker = Speaker.INTERVIEWER if n % 2 == 0 else Speaker.CANDIDATE
    recorder.on_event(Segment(speaker, f"utterance {n}", float(n), n + 0.9, final=True))
    if n % 10 == 0:
        recorder.on_event(QuestionDetected(emitted_at=float(n), id=f"q{n}", text=f"utterance {n}",
                                           kind="technical"))
        recorder.on_event(AnswerDone(emitted_at=n + 0.5, question_id=f"q{n}", text=f"answer {n}"))
    print("recorded", n, flush=True)
    n += 1
"""


def test_sigkill_mid_interview_keeps_everything_recorded(tmp_path: Path) -> None:
    home = tmp_path / "home"
    data = tmp_path / "data"
    script = tmp_path / "interview.py"
    script.write_text(INTERVIEW)
    child = subprocess.Popen(
        [sys.executable, str(script), str(home), str(data)], cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    try:
        kind, interview_id = child.stdout.readline().split()
        assert kind == "id"
        last_reported = -1
        for line in child.stdout:
            last_reported = int(line.split()[1])
            if last_reported >= 150:
                break
        child.send_signal(signal.SIGKILL)  # mid-write of a later record, most likely
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL

    keys = KeyringKey(SecretStore(file_keyring(home), allow_insecure_backend=True))
    interview = open_history(data, keys=keys, retention_days=0).load(interview_id)
    texts = [s.text for s in interview.segments]
    # Everything reported as recorded is there, in order, and nothing after it is garbled
    # (the child may have run ahead of the pipe; a record cut by the kill is skipped).
    assert len(texts) > last_reported
    assert texts == [f"utterance {n}" for n in range(len(texts))]
    assert interview.unreadable_records <= 1
    assert interview.interrupted
    assert interview.dossier_title == "Data Engineer at Initech"
    assert [q.answer for q in interview.questions][:16] == [f"answer {n}"
                                                              for n in range(0, 151, 10)]
    [path] = list(history_dir(data).glob("*.interview"))
    assert b"utterance" not in path.read_bytes()
