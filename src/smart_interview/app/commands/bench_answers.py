"""`smart-interview bench answers`: question final → talking points → first answer token.

Runs the real pipeline (detection, BM25 talking points, context assembly, an OpenAI-format
stream over HTTP) against a local wire-format server that waits `--ttft-ms` before its first
token, and prints the latencies with that simulated time-to-first-token subtracted, i.e. what
the app itself adds. The server is the benchmark helper `app.benchmarks.llm_server` (127.0.0.1
only); `--base-url` measures against a running OpenAI-compatible server instead.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from typing import Any

from smart_interview.app.errors import CliError


def register(subparsers: Any) -> None:
    from smart_interview.app import answer_wiring

    parser = subparsers.add_parser("answers", help="talking-point and first-token latency")
    answer_wiring.add_arguments(parser)
    parser.add_argument("--questions", type=int, default=20, help="how many questions (20)")
    parser.add_argument("--ttft-ms", type=float, default=300.0,
                        help="the local server's simulated time to first token (300)")
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
    texts = [t for t in texts if len(t.split()) >= 5][: args.questions] or [
        "tell me about a time you led a migration"] * args.questions
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
