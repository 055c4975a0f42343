"""Recording, reading back, searching, exporting and deleting saved interviews."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from smart_interview.app.history import (
    HistoryKeyError,
    InterviewNotFound,
    KeyringKey,
    SegmentRevised,
    open_history,
    start_recording,
)
from smart_interview.app.history.export import to_json, to_markdown
from smart_interview.app.history.store import history_dir
from smart_interview.models.answers import (
    AnswerDelta,
    AnswerDone,
    AnswerFailed,
    QuestionDetected,
    TalkingPoint,
    TalkingPointsReady,
)
from smart_interview.models.transcript import Segment, Speaker
from smart_interview.sync.secrets import SecretStore

QUESTION = "How did you migrate the Zanzibar ledger to Postgres?"
ANSWER_TEXT = "We replayed the Quetzalcoatl event log into shadow tables first."
SPOKEN = ("Zanzibar", "Quetzalcoatl", "Postgres", "shadow tables", "marmalade")


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def _record_interview(data_dir: Path, keys: KeyringKey, *, clock: Clock | None = None,
                      close: bool = True) -> str:
    recorder = start_recording(enabled=True, data_dir=data_dir, keys=keys,
                               dossier_title="Staff Engineer at Globex",
                               clock=clock or Clock(1_790_000_000.0))
    assert recorder is not None
    recorder.on_event(Segment(Speaker.INTERVIEWER, QUESTION, 1.0, 4.0, final=True))
    recorder.on_event(Segment(Speaker.CANDIDATE, "partial words", 5.0, 6.0, final=False))
    recorder.on_event(Segment(Speaker.CANDIDATE, "I like marmelade", 5.0, 7.0, final=True))
    recorder.on_event(SegmentRevised("candidate", "I like marmalade", 5.0, 7.0))
    recorder.on_event(QuestionDetected(emitted_at=4.2, id="q1", text=QUESTION, kind="technical"))
    recorder.on_event(TalkingPointsReady(emitted_at=4.3, question_id="q1",
                                         points=[TalkingPoint("Shadow tables", "cv")]))
    recorder.on_event(AnswerDelta(emitted_at=4.4, question_id="q1", text="We rep"))
    recorder.on_event(AnswerDone(emitted_at=5.0, question_id="q1", text=ANSWER_TEXT))
    recorder.on_event(QuestionDetected(emitted_at=8.0, id="q2", text="Any questions for us?",
                                       kind="closing"))
    recorder.on_event(AnswerFailed(emitted_at=8.5, question_id="q2", code="timeout",
                                   message="the provider did not answer in 60 s"))
    if close:
        recorder.close()
    return recorder.interview_id


def test_an_interview_reads_back_as_it_was_recorded(tmp_path: Path, keys: KeyringKey) -> None:
    interview_id = _record_interview(tmp_path, keys)
    store = open_history(tmp_path, keys=keys, retention_days=0)
    interview = store.load(interview_id)
    assert [(s.speaker, s.text) for s in interview.segments] == [
        ("interviewer", QUESTION), ("candidate", "I like marmalade")]
    first, second = interview.questions
    assert (first.text, first.kind, first.talking_points, first.answer) == (
        QUESTION, "technical", ["Shadow tables"], ANSWER_TEXT)
    assert second.error == "the provider did not answer in 60 s" and second.answer == ""
    assert not interview.interrupted and interview.unreadable_records == 0
    [summary] = store.summaries()
    assert (summary.id, summary.dossier_title, summary.question_count) == (
        interview_id, "Staff Engineer at Globex", 2)
    assert summary.duration_s == 9.0  # start record to end record, one tick each


def test_files_are_private_and_hold_no_spoken_word(tmp_path: Path, keys: KeyringKey) -> None:
    interview_id = _record_interview(tmp_path, keys)
    folder = history_dir(tmp_path)
    [path] = list(folder.iterdir())
    assert path.name.startswith(interview_id)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = path.read_bytes()
    for word in (*SPOKEN, "Globex", "interviewer", "technical"):
        assert word.encode() not in raw and word.lower().encode() not in raw.lower()


def test_history_off_writes_nothing(tmp_path: Path, keys: KeyringKey) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    recorder = start_recording(enabled=False, data_dir=data_dir, keys=keys)
    assert recorder is None
    assert list(data_dir.iterdir()) == []
    assert keys.load() is None


def test_a_torn_last_record_is_skipped_and_the_interview_is_interrupted(
        tmp_path: Path, keys: KeyringKey) -> None:
    interview_id = _record_interview(tmp_path, keys, close=False)
    [path] = list(history_dir(tmp_path).glob("*.interview"))
    complete = path.read_bytes()
    last = complete.rstrip(b"\n").rsplit(b"\n", 1)[1]
    with path.open("ab") as handle:
        handle.write(last[: len(last) // 2])  # a write cut short by the crash
    interview = open_history(tmp_path, keys=keys, retention_days=0).load(interview_id)
    assert interview.interrupted and interview.unreadable_records == 1
    assert len(interview.segments) == 2 and interview.questions[1].error


def test_a_wrong_or_missing_key_gives_a_clear_error(tmp_path: Path, keys: KeyringKey,
                                                     keyring_home: Path) -> None:
    from cryptography.fernet import Fernet

    from tests.history.conftest import file_keyring

    interview_id = _record_interview(tmp_path, keys)
    other = KeyringKey(SecretStore(file_keyring(keyring_home), allow_insecure_backend=True),
                       name="another-key")
    other.save(Fernet.generate_key().decode())
    with pytest.raises(HistoryKeyError, match="cannot be opened with the key"):
        open_history(tmp_path, keys=other, retention_days=0).load(interview_id)
    keys.delete()
    with pytest.raises(HistoryKeyError, match="not in the system keyring"):
        open_history(tmp_path, keys=keys, retention_days=0).summaries()


def test_retention_deletes_interviews_older_than_the_period(tmp_path: Path,
                                                            keys: KeyringKey) -> None:
    day = 86_400.0
    now = 1_790_000_000.0
    old = _record_interview(tmp_path, keys, clock=Clock(now - 31 * day))
    recent = _record_interview(tmp_path, keys, clock=Clock(now - 29 * day))
    keep_all = open_history(tmp_path, keys=keys, retention_days=0, clock=lambda: now)
    assert set(keep_all.ids()) == {old, recent}
    store = open_history(tmp_path, keys=keys, retention_days=30, clock=lambda: now)
    assert store.ids() == [recent]


def test_search_finds_words_in_transcripts_and_answers(tmp_path: Path, keys: KeyringKey) -> None:
    interview_id = _record_interview(tmp_path, keys)
    store = open_history(tmp_path, keys=keys, retention_days=0)
    [hit] = store.search("zanzibar")
    assert hit.interview.id == interview_id and [s.speaker for s in hit.segments] == [
        "interviewer"]
    [by_answer] = store.search("quetzalcoatl")
    assert by_answer.segments == []
    assert store.search("kubernetes") == [] and store.search("  ") == []


def test_exports_in_markdown_and_json(tmp_path: Path, keys: KeyringKey) -> None:
    interview_id = _record_interview(tmp_path, keys)
    interview = open_history(tmp_path, keys=keys, retention_days=0).load(interview_id)
    markdown = to_markdown(interview)
    assert markdown.startswith("# Staff Engineer at Globex — ")
    assert f"**Interviewer** [00:01]: {QUESTION}" in markdown
    assert f"### 1. {QUESTION}" in markdown and "- Shadow tables" in markdown
    assert ANSWER_TEXT in markdown and "_No answer: the provider did not answer" in markdown
    data = json.loads(to_json(interview))
    assert data["id"] == interview_id and data["interrupted"] is False
    assert data["segments"][1] == {"speaker": "candidate", "text": "I like marmalade",
                                   "start": 5.0, "end": 7.0}
    assert data["questions"][0]["answer"] == ANSWER_TEXT


def test_delete_one_and_all(tmp_path: Path, keys: KeyringKey) -> None:
    first = _record_interview(tmp_path, keys)
    second = _record_interview(tmp_path, keys)
    store = open_history(tmp_path, keys=keys, retention_days=0)
    store.delete(first)
    assert store.ids() == [second]
    with pytest.raises(InterviewNotFound):
        store.delete(first)
    with pytest.raises(InterviewNotFound, match="not an interview id"):
        store.load("../../etc/passwd")
    assert store.delete_all() == 1
    assert store.ids() == [] and keys.load() is None
