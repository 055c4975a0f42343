"""The interview session records itself as it happens when history is on, writes nothing when
it is off, and sends its answer requests through its network door; `live --network-log` prints
what the door saw. Real tiny.en model, real speech (espeak-ng), a real model server on loopback
speaking the OpenAI streaming format."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from smart_interview.app.benchmarks.llm_server import LlmServer, Reply
from smart_interview.app.history import KeyringKey, open_history
from smart_interview.app.history.store import history_dir
from smart_interview.app.interview_session import (
    HistoryTarget,
    InterviewOptions,
    InterviewSession,
    SpeechModels,
)
from smart_interview.app.network import Purpose
from smart_interview.app.network.door import NetworkDoor
from smart_interview.app.settings import Settings
from smart_interview.app.sources import SourceOptions
from smart_interview.models.interview import InterviewEvent
from smart_interview.sync.secrets import SecretStore
from tests.history.conftest import file_keyring
from tests.support.speech import read_wav, say

SR = 16_000
QUESTION = "Why do you want to work for our company?"
REPLY = "Because your team ships reliable software."
WAIT_S = 120.0


def track(folder: Path, name: str, text: str, *, total_s: float = 5.0) -> Path:
    import soundfile

    samples, _ = read_wav(say(text, folder / f"{name}-speech.wav", wpm=150))
    audio = np.zeros(int(total_s * SR), dtype=np.float32)
    audio[int(0.5 * SR): int(0.5 * SR) + samples.size] = samples
    path = folder / f"{name}.wav"
    soundfile.write(str(path), audio, SR)
    return path


@pytest.fixture(scope="module")
def speech() -> SpeechModels:
    from smart_interview.app import wiring
    from smart_interview.app.interview_session import load_speech_models
    from smart_interview.app.paths import AppPaths

    paths = AppPaths.under(Path(os.environ.get("TMPDIR", "/tmp")) / "si-session-history")
    return load_speech_models(wiring.model_registry(paths), "tiny.en", 2)


@pytest.fixture
def llm() -> Iterator[LlmServer]:
    with LlmServer() as server:
        yield server


def run_interview(tmp_path: Path, speech: SpeechModels, settings: Settings,
                  target: HistoryTarget, door: NetworkDoor) -> InterviewSession:
    interviewer = track(tmp_path, "interviewer", QUESTION)
    candidate = track(tmp_path, "candidate", "I like building things.", total_s=3.0)
    events: list[InterviewEvent] = []
    session = InterviewSession(
        options=InterviewOptions(interviewer=SourceOptions(file=interviewer, realtime=False),
                                 candidate=SourceOptions(file=candidate, realtime=False)),
        settings=settings, speech=speech, on_event=events.append, door=door, history=target)
    session.start()
    try:
        assert session.wait_until_sources_end(WAIT_S)
    finally:
        session.stop()
    assert not session.errors and session.history_error is None
    return session


def settings_for(llm: LlmServer, *, history: bool) -> Settings:
    settings = Settings()
    settings.ui.history_enabled = history
    settings.answers.provider = "openai_compatible"
    settings.answers.base_url = llm.openai_base_url
    return settings


def test_history_on_records_the_interview_and_the_door_logs_the_answer(
        tmp_path: Path, keyring_home: Path, speech: SpeechModels, llm: LlmServer) -> None:
    llm.script(Reply.text(REPLY))
    keys = KeyringKey(SecretStore(file_keyring(keyring_home), allow_insecure_backend=True))
    door = NetworkDoor()
    data_dir = tmp_path / "data"
    session = run_interview(tmp_path, speech, settings_for(llm, history=True),
                            HistoryTarget(data_dir=data_dir, keys=keys,
                                          dossier_title="Engineer at Contoso"), door)

    [summary] = open_history(data_dir, keys=keys, retention_days=0).summaries()
    interview = open_history(data_dir, keys=keys, retention_days=0).load(summary.id)
    assert not interview.interrupted and interview.dossier_title == "Engineer at Contoso"
    assert "work for our company" in interview.transcript_text().lower()
    assert {s.speaker for s in interview.segments} == {"interviewer", "candidate"}
    [question] = interview.questions
    assert "work for our company" in question.text.lower()
    assert question.answer == REPLY

    entries = session.network_entries()
    assert [(e.purpose, e.method, e.path, e.status) for e in entries] == [
        (Purpose.ANSWER, "POST", "/v1/chat/completions", 200)]
    assert entries[0].host == f"127.0.0.1:{llm.port}"
    assert entries[0].bytes_sent > len(QUESTION) and entries[0].bytes_received > len(REPLY)
    assert len(llm.requests) == 1


def test_history_off_writes_nothing_and_touches_no_key(
        tmp_path: Path, keyring_home: Path, speech: SpeechModels, llm: LlmServer) -> None:
    keys = KeyringKey(SecretStore(file_keyring(keyring_home), allow_insecure_backend=True))
    data_dir = tmp_path / "data"
    run_interview(tmp_path, speech, settings_for(llm, history=False),
                  HistoryTarget(data_dir=data_dir, keys=keys), NetworkDoor())
    assert not history_dir(data_dir).exists()
    assert keys.load() is None


def test_live_network_log_prints_the_table_and_the_summary(
        tmp_path: Path, keyring_home: Path, llm: LlmServer) -> None:
    interviewer = track(tmp_path, "interviewer", QUESTION)
    env = {**os.environ, "HOME": str(keyring_home),
           "SMART_INTERVIEW_HOME": str(keyring_home / "smart-interview"),
           "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"}
    done = subprocess.run(
        [sys.executable, "-m", "smart_interview.app.cli", "live", "--no-gui",
         "--interviewer-file", str(interviewer), "--candidate-file", str(interviewer),
         "--no-echo-guard", "--provider", "openai_compatible", "--base-url",
         llm.openai_base_url, "--network-log"],
        capture_output=True, text=True, timeout=WAIT_S, env=env)
    assert done.returncode == 0, done.stderr
    host = f"127.0.0.1:{llm.port}"
    assert f"This interview: 0 requests to Smart Interview servers · 1 to {host} (answers)" \
        in done.stderr
    row = next(line for line in done.stderr.splitlines() if "/v1/chat/completions" in line)
    assert "answer" in row and "POST" in row and host in row and " 200 " in row
    assert len(llm.requests) == 1
