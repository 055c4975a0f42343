"""`smart-interview bench answers` (default): a spoken interview through the real pipeline.

The interviewer says held-out questions (`tests/answers/data/questions_holdout.tsv`, label q)
and statements (its label-n rows, and recorded clips from the shared speech data) in an
espeak-ng voice or the clip's own; the candidate gives a short reply after each. Both tracks
play in real time through one `LiveSession` (real tiny.en streaming, as `bench stream`), and
every transcript event goes, as the interview session passes it, to several
`AnswerPipeline`s at once — per server time to first token: finals only (the pipeline before
early questions), early questions with speculation off, and with speculation on — each with
its own wire-format LLM server on 127.0.0.1, so all of them see the very same transcript.

Latencies are measured from the end of each question's last word, found by energy in the
clip's own audio (`bench_timing.last_word_end`, as `bench stream` does).
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from smart_interview.app.errors import CliError

SR = 16_000
RECORDED_QUESTIONS = frozenset({"1988-24833-0003"})
"""Recorded clips whose reference is a question ("when are you getting rid of these cats")."""
MODES = ("finals only", "spec off", "spec on")
_REPLIES = ("Sure, let me think about that.", "Good question.", "Yes, I can explain.",
            "Let me give you an example.", "That is a fair point.")


@dataclass
class Line:
    audio: np.ndarray
    text: str
    question: bool
    spoken_by: str  # "espeak" or "recorded"


@dataclass
class Run:
    ttft_s: float
    mode: str
    server: Any
    pipeline: Any = None
    events: list[Any] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on_event(self, event: Any) -> None:
        with self.lock:
            self.events.append(event)


def interviewer_lines(args: argparse.Namespace) -> list[Line]:
    from smart_interview.answers.evaluation import load_labelled
    from smart_interview.app.commands.bench_conditions import espeak
    from smart_interview.app.commands.bench_holdout import HOLDOUT_VOICES
    from smart_interview.app.commands.bench_questions import default_set
    from smart_interview.transcription.audio_file import read_audio
    from smart_interview.transcription.reference_clips import load_reference_clips

    default = default_set()
    holdout = default.with_name("questions_holdout.tsv") if default else None
    if holdout is None or not holdout.is_file():
        raise CliError("tests/answers/data/questions_holdout.tsv not found; run from the "
                       "repository root")
    rows = load_labelled(holdout)
    voice = HOLDOUT_VOICES[0]
    asked = _spread([r for r in rows if r.is_question], args.questions)
    said = _spread([r for r in rows if not r.is_question], max(0, args.statements - args.clips))
    questions = [Line(espeak(r.text, voice), r.text, True, "espeak") for r in asked]
    statements = [Line(espeak(r.text, voice), r.text, False, "espeak") for r in said]
    data = args.data
    if data is None:
        from smart_interview.app.resources import shared_data_dir

        shared = shared_data_dir()
        data = shared / "speech" if shared else None
    if args.clips and (data is None or not (data / "references.tsv").is_file()):
        raise CliError("no references.tsv found; pass --data DIR (e.g. ../shared/data/speech) "
                       "or --clips 0")
    clips = [c for c in load_reference_clips(data / "references.tsv") if c.duration <= 6.0
             ] if args.clips else []
    chosen = [c for c in clips if c.path.stem in RECORDED_QUESTIONS]
    chosen += [c for c in clips if c.path.stem not in RECORDED_QUESTIONS][: args.clips - 1]
    recorded = [Line(read_audio(c.path), c.transcript, c.path.stem in RECORDED_QUESTIONS,
                     "recorded") for c in chosen]
    others = statements + recorded
    lines: list[Line] = []
    for index in range(max(len(questions), len(others))):  # question, statement, …
        lines += questions[index:index + 1] + others[index:index + 1]
    return lines


def _spread(rows: list[Any], count: int) -> list[Any]:
    if count <= 0 or not rows:
        return []
    step = len(rows) / min(count, len(rows))
    return [rows[int(i * step)] for i in range(min(count, len(rows)))]


def measure(args: argparse.Namespace, ttfts: list[float]) -> tuple[list[Run], dict[str, Any]]:
    from smart_interview.app import wiring
    from smart_interview.app.benchmarks.llm_server import LlmServer, Reply
    from smart_interview.app.commands.bench_conditions import espeak
    from smart_interview.app.commands.bench_holdout import HOLDOUT_VOICES
    from smart_interview.app.commands.bench_stream_run import Clip, _conversation, _play
    from smart_interview.transcription.errors import TranscriptionError
    from smart_interview.transcription.vad import SileroVadModel, speech_regions

    lines = interviewer_lines(args)
    clips: list[Clip] = []
    for index, line in enumerate(lines):
        reply = espeak(_REPLIES[index % len(_REPLIES)], HOLDOUT_VOICES[1])
        clips += [Clip(line.audio, line.audio, line.text, line.question),
                  Clip(reply, reply, _REPLIES[index % len(_REPLIES)])]
    try:
        registry = wiring.model_registry(wiring.app_paths())
        model = wiring.load_live_model(registry, args.model, 2)
    except TranscriptionError as exc:
        raise CliError(str(exc)) from exc
    vad = SileroVadModel.load()
    placed, tracks = _conversation(clips, vad, speech_regions, args.gap)
    answer = ("I led the migration to event-driven services and cut p99 latency from 900 "
              "to 120 ms.")
    runs: list[Run] = []
    for ttft in ttfts:
        for mode in MODES:
            server = LlmServer(ttft_s=ttft).start()
            server.default_reply = Reply.text(answer, ttft_s=ttft, gap_s=0.01)
            runs.append(Run(ttft, mode, server))
    t0 = time.monotonic()

    def clock() -> float:
        return time.monotonic() - t0

    try:
        for run in runs:
            run.pipeline = _pipeline(args, run, clock)

        def listener(event: Any) -> None:
            if event.replaces:
                return
            for run in runs:
                if event.segment.final:
                    run.pipeline.on_segment(event.segment)
                elif run.mode != "finals only":
                    run.pipeline.on_partial(event.segment, at_pause=event.at_pause)

        with tempfile.TemporaryDirectory(prefix="si-bench-answers-") as tmp:
            played = _play(model, vad, tracks, Path(tmp), "answers", None, listener=listener,
                           clock=clock)
        for run in runs:
            run.pipeline.finish(timeout_s=10)
    finally:
        for run in runs:
            if run.pipeline is not None:
                run.pipeline.close()
            run.server.stop()
    interviewer = [(p, line) for p, line in zip(placed[::2], lines, strict=True)]
    return runs, {"placed": interviewer, "origin": played["origin"]["interviewer"],
                  "events": played["events"], "lines": lines}


def _pipeline(args: argparse.Namespace, run: Run, clock: Any) -> Any:
    from smart_interview.app import answer_wiring
    from smart_interview.app.settings import Settings

    options = answer_wiring.AnswerOptions(
        cv=args.cv, job_description=args.jd, provider="openai_compatible",
        model="bench-model", base_url=run.server.openai_base_url,
        speculate="on" if run.mode == "spec on" else "off")
    return answer_wiring.build(options=options, settings=Settings(), on_event=run.on_event,
                               clock=clock)
