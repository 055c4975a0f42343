"""`smart-interview bench answers`: from a question's last word to talking points and the
first answer token.

By default a spoken interview plays in real time through real tiny.en streaming and the
answer pipelines (`bench_answers_spoken`), against local servers with each `--ttft`, with
speculation on and off and with finals only; the table is `bench_answers_report`'s.

`--text` keeps the text-only measurement: it runs the real pipeline (detection, BM25 talking
points, context assembly, an OpenAI-format stream over HTTP) against a local wire-format
server that waits `--ttft-ms` before its first token, and prints the latencies with that
simulated time-to-first-token subtracted, i.e. what the app itself adds. The server is the
benchmark helper `app.benchmarks.llm_server` (127.0.0.1 only); `--base-url` measures against a
running OpenAI-compatible server instead.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

from smart_interview.app.errors import CliError


def register(subparsers: Any) -> None:
    from smart_interview.app import answer_wiring

    parser = subparsers.add_parser("answers", help="talking-point and first-token latency")
    answer_wiring.add_arguments(parser)
    parser.add_argument("--text", action="store_true",
                        help="send text questions straight to the pipeline (no speech)")
    parser.add_argument("--questions", type=int, default=None,
                        help="how many questions (spoken: 12, --text: 20)")
    parser.add_argument("--statements", type=int, default=12,
                        help="spoken: interviewer lines that are no question (12)")
    parser.add_argument("--clips", type=int, default=6,
                        help="spoken: how many of the statements are recorded clips of the "
                             "shared speech data (6; the rest are espeak-ng)")
    parser.add_argument("--data", type=Path, metavar="DIR",
                        help="spoken: the speech folder holding references.tsv")
    parser.add_argument("--model", default="tiny.en", help="spoken: Whisper model (tiny.en)")
    parser.add_argument("--gap", type=float, default=1.5,
                        help="spoken: seconds between turns (1.5)")
    parser.add_argument("--ttft", type=float, nargs="+", default=[0.3, 1.0], metavar="S",
                        help="spoken: the local servers' times to first token (0.3 1.0)")
    parser.add_argument("--ttft-ms", type=float, default=300.0,
                        help="--text: the local server's simulated time to first token (300)")
    parser.set_defaults(handler=run)


def _local_server() -> Any:
    from smart_interview.app.benchmarks.llm_server import LlmServer, Reply

    return LlmServer().start(), Reply


def _default_documents(args: argparse.Namespace) -> None:
    from smart_interview.app.resources import shared_data_dir

    if args.cv or args.dossier:
        return
    data = shared_data_dir()
    cv = data / "cv" / "pdf" / "resume-matcher_bruce_wayne_fullstack.pdf" if data else None
    jobs = sorted((data / "jobs").rglob("*.txt")) if data else []
    if cv is None or not cv.is_file() or not jobs:
        raise CliError("pass --cv FILE and --jd FILE (no shared test data found)")
    args.cv, args.jd = cv, args.jd or jobs[0]


def run(args: argparse.Namespace) -> int:
    if args.text:
        return run_text(args)
    from smart_interview.app.commands.bench_answers_report import (
        GOALS,
        overlap_line,
        score,
        table,
    )
    from smart_interview.app.commands.bench_answers_spoken import measure

    if args.base_url or args.provider:
        raise CliError("the spoken benchmark runs its own local servers; use --text to "
                       "measure another server")
    if any(t < 0 for t in args.ttft):
        raise CliError("--ttft takes seconds >= 0")
    args.questions = 12 if args.questions is None else args.questions
    _default_documents(args)
    runs, played = measure(args, list(args.ttft))
    lines = played["lines"]
    asked = sum(1 for line in lines if line.question)
    recorded = sum(1 for line in lines if line.spoken_by == "recorded")
    print(f"spoken interview: {len(lines)} interviewer lines ({asked} questions, "
          f"{len(lines) - asked} statements; {recorded} recorded clips, the rest espeak-ng), "
          f"{args.model} streaming in real time, answers from local servers")
    for line in table([score(run, played) for run in runs]):
        print(line)
    print(overlap_line(played))
    print(GOALS)
    return 0


def run_text(args: argparse.Namespace) -> int:
    from smart_interview.answers.evaluation import load_labelled
    from smart_interview.app import answer_wiring
    from smart_interview.app.commands.bench_questions import default_set
    from smart_interview.app.settings import Settings
    from smart_interview.app.wiring import app_paths
    from smart_interview.models.transcript import Segment, Speaker

    _default_documents(args)
    server = None
    ttft_s = args.ttft_ms / 1000
    if not args.base_url:
        server, reply = _local_server()
        server.default_reply = reply.text("I led the migration to event-driven services and "
                                          "cut p99 latency from 900 to 120 ms.",
                                          ttft_s=ttft_s, gap_s=0.01)
        args.provider, args.base_url = "openai_compatible", server.openai_base_url
        args.llm_model = args.llm_model or "bench-model"
    else:
        ttft_s = 0.0
    data = default_set()
    texts = [r.text for r in load_labelled(data) if r.is_question] if data else []
    count = 20 if args.questions is None else args.questions
    texts = [t for t in texts if len(t.split()) >= 5][:count] or [
        "tell me about a time you led a migration"] * count
    epoch = time.perf_counter()

    def clock() -> float:
        return time.perf_counter() - epoch

    marks: dict[str, float] = {}
    done = threading.Event()

    def emit(event: dict) -> None:
        marks.setdefault(event["type"], event["emitted_at"])
        if event["type"] in ("answer_done", "answer_error"):
            if event["type"] == "answer_error":
                marks["error"] = 1.0
                print(f"answer_error: {event['message']}", file=sys.stderr)
            done.set()

    rows: list[tuple[float, float, float]] = []
    pipeline = None
    try:
        pipeline = answer_wiring.build(args=args, settings=Settings(), paths=app_paths(),
                                       emit=emit, clock=clock)
        if pipeline is None:
            raise CliError("nothing to measure: pass --cv/--jd")
        for n, text in enumerate(texts):
            marks.clear()
            done.clear()
            final_at = clock()
            pipeline.on_segment(Segment(Speaker.INTERVIEWER, text, max(0.0, final_at - 2),
                                        final_at, final=True))
            if not done.wait(30) or "error" in marks or "answer_delta" not in marks:
                raise CliError(f"question {n + 1} got no answer from {args.base_url}")
            rows.append((marks["talking_points"] - final_at,
                         marks["answer_delta"] - final_at, marks["answer_done"] - final_at))
            pipeline.on_segment(Segment(Speaker.CANDIDATE, "thanks, let me think",
                                        clock(), clock(), final=True))
    finally:
        if pipeline is not None:
            pipeline.close()
        if server is not None:
            server.stop()

    def line(name: str, values: list[float]) -> str:
        ms = sorted(v * 1000 for v in values)
        return (f"{name:<34} median {statistics.median(ms):8.1f} ms   p95 "
                f"{ms[max(0, int(len(ms) * 0.95) - 1)]:8.1f} ms   max {ms[-1]:8.1f} ms")

    print(f"{len(rows)} questions, server TTFT {ttft_s * 1000:.0f} ms (subtracted below)")
    print(line("question final → talking points", [r[0] for r in rows]))
    print(line("question final → first token", [r[1] for r in rows]))
    print(line("  minus server TTFT", [r[1] - ttft_s for r in rows]))
    print(line("question final → answer done", [r[2] for r in rows]))
    return 0
