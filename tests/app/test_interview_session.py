"""The command line and the desktop app run one interview engine: the same two WAV files give
the same events through `smart-interview live --jsonl` (a real process) and through the GUI's
live worker (a real QThread), with the real tiny.en model and no CV or dossier at all.

Both replay the files at the pace they were recorded. The sentences are 2.5 s apart, longer
than the decoder's prompt window, so each final is decoded from its own audio alone and the
comparison does not depend on how busy the machine is. Interleaving between the two speakers
does depend on timing, so the transcript is compared speaker by speaker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.support.speech import read_wav, say

SR = 16_000
INTERVIEWER = [(0.5, "Thanks for coming in today."),
               (4.0, "Why do you want to work for our company?")]
CANDIDATE = [(9.0, "I enjoy building reliable software that people use.")]
TOTAL_S = 13.0
WAIT_MS = 120_000


def track(folder: Path, name: str, parts: list[tuple[float, str]]) -> Path:
    import soundfile

    audio = np.zeros(int(TOTAL_S * SR), dtype=np.float32)
    for index, (at, text) in enumerate(parts):
        samples, _ = read_wav(say(text, folder / f"{name}-{index}.wav", wpm=150))
        audio[int(at * SR): int(at * SR) + samples.size] = samples
    path = folder / f"{name}.wav"
    soundfile.write(str(path), audio, SR)
    return path


def normalised(events: list[dict[str, Any]]) -> dict[str, Any]:
    """What must agree: finals per speaker, the answer events in order, and the notices."""
    finals: dict[str, list[str]] = {"interviewer": [], "candidate": []}
    answers: list[tuple[str, str]] = []
    notices: set[tuple[str, str]] = set()
    points: dict[str, str] = {}  # by question id: early questions depend on partial timing
    for event in events:
        kind = event["type"]
        if kind == "final":
            finals[event["speaker"]].append(event["text"])
        elif kind == "question" and not event["early"]:
            answers += [(kind, event["text"]), ("talking_points", event["id"])]
        elif kind == "talking_points":
            points[event["question_id"]] = json.dumps(event["points"])
        elif kind.startswith("answer"):
            answers.append((kind, event.get("text", "")))
        elif kind == "capture":
            notices.add((event["speaker"], event["kind"]))
    answers = [(kind, points.get(text, "") if kind == "talking_points" else text)
               for kind, text in answers]
    return {"first": events[0]["type"] if events else None, "finals": finals,
            "answers": answers, "notices": notices}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("SMART_INTERVIEW_HOME", str(home / "smart-interview"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    return home


def run_cli(interviewer: Path, candidate: Path) -> list[dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "smart_interview.app.cli", "live", "--no-gui", "--jsonl",
         "--interviewer-file", str(interviewer), "--candidate-file", str(candidate)],
        capture_output=True, text=True, timeout=WAIT_MS / 1000, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def run_gui_worker(qtbot: Any, home: Path, interviewer: Path,
                   candidate: Path) -> list[dict[str, Any]]:
    from smart_interview.app.paths import AppPaths
    from smart_interview.app.services import AppServices
    from smart_interview.app.settings import Settings
    from smart_interview.ui.live_worker import start_live_worker
    from tests.support.keyrings import LockedPlaintextKeyring

    keyring = LockedPlaintextKeyring()
    keyring.file_path = str(home / "keyring" / "keyring_pass.cfg")  # type: ignore[misc]
    paths = AppPaths.under(home / "smart-interview").ensure()
    settings = Settings.load(paths.settings_file)
    services = AppServices(paths=paths, settings=settings, keyring_backend=keyring,
                           allow_insecure_keyring=True, interviewer_file=interviewer,
                           mic_file=candidate)
    events: list[dict[str, Any]] = []
    try:
        worker, _thread = start_live_worker(services.live_session_builder(settings))
        for signal in (worker.started, worker.transcript, worker.answer, worker.capture):
            signal.connect(lambda event: events.append(event.to_dict()))
        failures: list[str] = []
        worker.failed.connect(failures.append)

        def both_ended() -> bool:
            assert not failures, failures
            return sum(1 for e in events if e["type"] == "capture" and e["kind"] == "ended") == 2

        qtbot.waitUntil(both_ended, timeout=WAIT_MS)
        with qtbot.waitSignal(worker.finished, timeout=WAIT_MS):
            worker.request_stop()
        assert not failures, failures
    finally:
        services.shutdown()
    return events


def test_the_cli_and_the_gui_worker_report_the_same_interview(
        qtbot: Any, home: Path, tmp_path: Path) -> None:
    interviewer = track(tmp_path, "interviewer", INTERVIEWER)
    candidate = track(tmp_path, "candidate", CANDIDATE)

    cli = normalised(run_cli(interviewer, candidate))
    gui = normalised(run_gui_worker(qtbot, home, interviewer, candidate))

    assert cli == gui
    assert cli["first"] == "started"
    assert len(cli["finals"]["interviewer"]) == 2 and len(cli["finals"]["candidate"]) == 1
    assert "work for our company" in cli["finals"]["interviewer"][1].lower()
    # no CV, no dossier, no provider: the question is still detected and shown
    kinds = [kind for kind, _ in cli["answers"]]
    assert kinds == ["question", "talking_points"]
    assert "work for our company" in cli["answers"][0][1].lower()
    assert cli["notices"] == {("interviewer", "ended"), ("candidate", "ended")}


TURN = ("Tell me about a project you are proud of.", "What did you own there?")


def test_a_session_forwards_a_revision_that_replaces_both_finals_of_a_turn(
        tmp_path: Path) -> None:
    """One speaker says two sentences 0.7 s apart (two finals, one turn): the session forwards
    the revised turn as one update replacing both, and questions come from the finals only.
    The files are replayed as fast as they decode, so the audio runs far ahead of the finals:
    the turn's audio must still be there when its finals are out."""
    import soundfile

    from smart_interview.app import wiring
    from smart_interview.app.interview_session import (
        InterviewOptions,
        InterviewSession,
        load_speech_models,
    )
    from smart_interview.app.paths import AppPaths
    from smart_interview.app.settings import Settings
    from smart_interview.app.sources import SourceOptions
    from smart_interview.models.answers import QuestionDetected
    from smart_interview.models.interview import InterviewEvent
    from smart_interview.models.transcript import TranscriptUpdate

    pieces = [np.zeros(int(0.5 * SR), dtype=np.float32)]
    for index, text in enumerate(TURN):
        pieces.append(read_wav(say(text, tmp_path / f"turn-{index}.wav", wpm=150))[0])
        pieces.append(np.zeros(int((0.7 if index == 0 else 3.0) * SR), dtype=np.float32))
    audio = np.concatenate(pieces)
    interviewer, candidate = tmp_path / "interviewer.wav", tmp_path / "candidate.wav"
    soundfile.write(str(interviewer), audio, SR)
    soundfile.write(str(candidate), np.zeros_like(audio), SR)

    paths = AppPaths.under(tmp_path / "si")
    speech = load_speech_models(wiring.model_registry(paths), "tiny.en", 2)
    events: list[InterviewEvent] = []
    session = InterviewSession(
        options=InterviewOptions(interviewer=SourceOptions(file=interviewer, realtime=False),
                                 candidate=SourceOptions(file=candidate, realtime=False)),
        settings=Settings(), speech=speech, on_event=events.append)
    session.start()
    try:
        assert session.wait_until_sources_end(WAIT_MS / 1000)
    finally:
        session.stop()
    assert not session.errors

    updates = [e for e in events if isinstance(e, TranscriptUpdate)]
    finals = [e for e in updates if e.kind == "final" and e.segment.speaker.value ==
              "interviewer"]
    revised = [e for e in updates if e.kind == "revised"]
    assert len(finals) == 2, [e.segment.text for e in finals]
    assert len(revised) == 1, [e.segment.text for e in revised]
    [revision] = revised
    assert revision.replaces == tuple(e.utterance for e in finals)
    assert all(revision.revises(f.segment.speaker, f.utterance) for f in finals)
    assert (revision.segment.start, revision.segment.end) == (finals[0].segment.start,
                                                              finals[1].segment.end)
    assert not revision.segment.final
    assert updates.index(revision) > updates.index(finals[1])
    assert "proud" in revision.segment.text.lower() and "own" in revision.segment.text.lower()
    # questions fire on the finals only: none repeats, none is the revision's text
    questions = [e.text for e in events if isinstance(e, QuestionDetected)]
    assert questions and len(questions) == len(set(questions))
    said = " ".join(f.segment.text for f in finals)
    assert all(q in said for q in questions), (questions, said)
    assert revision.to_dict()["type"] == "revised"
