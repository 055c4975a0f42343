"""End to end: a question spoken by espeak-ng, heard by the live session, answered.

`smart-interview live --no-gui --jsonl --interviewer-file WAV` transcribes the interviewer's
side with the bundled Whisper model; the answer pipeline streams from the wire-format server on
127.0.0.1. Runs the real command in a subprocess, as a user would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from smart_interview.app.benchmarks.llm_server import LlmServer, Reply
from tests.answers.conftest import SAMPLE_CV, SAMPLE_JD
from tests.support.speech import say


def _live_options() -> set[str]:
    from smart_interview.app.cli import build_parser

    parser = build_parser()
    for action in parser._subparsers._group_actions if parser._subparsers else []:
        live = getattr(action, "choices", {}).get("live")
        if live is not None:
            return {o for a in live._actions for o in a.option_strings}
    return set()


@pytest.mark.slow
def test_spoken_question_yields_points_and_a_streamed_answer(tmp_path: Path,
                                                             app_home: Path) -> None:
    options = _live_options()
    needed = {"--no-gui", "--jsonl", "--interviewer-file", "--candidate-file", "--cv",
              "--base-url"}
    if not needed <= options:
        pytest.skip(f"the live command lacks {sorted(needed - options)} in this build")
    # Trailing silence keeps the replay running while the answer streams; the candidate side
    # is a silent file so the command ends by itself when both files are played.
    wav = say("Tell me about a time you led a team through a difficult migration.",
              tmp_path / "question.wav", pad_s=3.0)
    silence = tmp_path / "candidate.wav"
    soundfile.write(str(silence), np.zeros(16_000 * 4, dtype="float32"), 16_000)
    cv, jd = tmp_path / "cv.txt", tmp_path / "jd.txt"
    cv.write_text(SAMPLE_CV)
    jd.write_text(SAMPLE_JD)
    with LlmServer() as server:
        server.default_reply = Reply.text("I led five engineers through the Kafka migration.",
                                          ttft_s=0.1, gap_s=0.01)
        result = subprocess.run(
            [sys.executable, "-m", "smart_interview.app.cli", "live", "--no-gui", "--jsonl",
             "--interviewer-file", str(wav), "--candidate-file", str(silence),
             "--cv", str(cv), "--jd", str(jd),
             "--provider", "openai_compatible", "--base-url", server.openai_base_url,
             "--llm-model", "test-model"],
            capture_output=True, text=True, timeout=180,
            env={**os.environ, "SMART_INTERVIEW_HOME": str(app_home)})
        requests = list(server.requests)
    assert result.returncode == 0, result.stderr[-2000:]
    events = [json.loads(line) for line in result.stdout.splitlines()
              if line.startswith("{")]
    answer_events = [e for e in events if e.get("type") in (
        "question", "talking_points", "answer_delta", "answer_done", "answer_error")]
    finals = [e for e in answer_events if e["type"] == "question" and not e["early"]]
    assert finals, result.stdout[-3000:]
    question = finals[0]  # shown early from a partial first, under the same id
    own = [e for e in answer_events if question["id"] in (e.get("id"), e.get("question_id"))]
    kinds = [e["type"] for e in own]
    assert kinds[:2] == ["question", "talking_points"], kinds
    assert "answer_delta" in kinds and "answer_done" in kinds, kinds
    assert "team" in question["text"].lower()
    points = [e for e in own if e["type"] == "talking_points"][-1]["points"]
    assert points and any("team" in p["text"].lower() for p in points)
    done = next(e for e in answer_events if e["type"] == "answer_done")
    assert done["text"] == "I led five engineers through the Kafka migration."
    stamps = [e["emitted_at"] for e in answer_events]
    assert stamps == sorted(stamps)
    assert requests and "Tell me about a time" not in json.dumps(requests[0].headers)


@pytest.mark.slow
@pytest.mark.pulse
def test_question_played_into_the_loopback_sink(tmp_path: Path, app_home: Path) -> None:
    """The interviewer's voice goes through a PulseAudio null sink, as a call app's output
    would; `live --loopback SINK` captures that sink's monitor as the system audio. The sink
    is this test's own, so no other sound on the machine reaches it."""
    import shutil

    from tests.support.services import pulse_available, require

    require(pulse_available(), "a PulseAudio server (started by .ci/services.sh)")
    if shutil.which("paplay") is None or shutil.which("pactl") is None:
        pytest.skip("paplay and pactl (pulseaudio-utils) are needed to play into a sink")
    sink = f"answers_test_{os.getpid()}"
    module = subprocess.run(["pactl", "load-module", "module-null-sink", f"sink_name={sink}"],
                            capture_output=True, text=True, check=True).stdout.strip()
    try:
        _play_question_into(sink, tmp_path, app_home)
    finally:
        subprocess.run(["pactl", "unload-module", module], check=False)


def _play_question_into(sink: str, tmp_path: Path, app_home: Path) -> None:
    import signal
    import threading

    options = _live_options()
    if not {"--no-gui", "--jsonl", "--loopback", "--candidate-file", "--cv"} <= options:
        pytest.skip("the live command lacks the options this test needs in this build")
    wav = say("Have you ever worked with Python in production?", tmp_path / "q.wav", pad_s=0.5)
    silence = tmp_path / "candidate.wav"
    soundfile.write(str(silence), np.zeros(16_000 * 2, dtype="float32"), 16_000)
    cv = tmp_path / "cv.txt"
    cv.write_text(SAMPLE_CV)
    with LlmServer() as server:
        server.default_reply = Reply.text("Yes: four years of Kafka at Acme.", ttft_s=0.1)
        process = subprocess.Popen(
            [sys.executable, "-m", "smart_interview.app.cli", "live", "--no-gui", "--jsonl",
             "--loopback", sink, "--candidate-file", str(silence), "--cv", str(cv),
             "--provider", "openai_compatible", "--base-url", server.openai_base_url,
             "--llm-model", "test-model"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "SMART_INTERVIEW_HOME": str(app_home)})
        events: list[dict] = []
        answered = threading.Event()
        listening = threading.Event()

        def read() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                if not line.startswith("{"):
                    continue
                event = json.loads(line)
                events.append(event)
                if event.get("type") == "capture" and event.get("speaker") == "candidate":
                    listening.set()
                if event.get("type") in ("answer_done", "answer_error"):
                    answered.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            assert listening.wait(60), (
                "live did not report the candidate's capture within 60 s", events[-5:])
            subprocess.run(["paplay", f"--device={sink}", str(wav)], check=True,
                           timeout=30)
            assert answered.wait(60), ("no answer_done or answer_error within 60 s of the "
                                       "question being played", events[-8:])
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            reader.join(timeout=10)
    questions = [e for e in events if e["type"] == "question"]
    assert any("worked" in q["text"].lower() or "production" in q["text"].lower()
               for q in questions), (questions, process.stderr.read() if process.stderr else "")
    for question in questions:
        own = [e["type"] for e in events if question["id"] in (e.get("id"), e.get("question_id"))]
        assert own[:2] == ["question", "talking_points"], own
    done = [e for e in events if e["type"] == "answer_done"]
    assert done and done[-1]["text"] == "Yes: four years of Kafka at Acme."
