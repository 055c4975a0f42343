"""`smart-interview bench questions [--data TSV]`: question-detection precision, recall, F1
and per-segment latency on a labelled set (columns `label` = q|n, `text`; optional
`category`). Without --data it scores the project's own set of interviewer utterances."""

from __future__ import annotations

import argparse
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from smart_interview.app.errors import CliError

DEFAULT_SET = Path("tests") / "answers" / "data" / "questions.tsv"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("questions", help="question detection precision/recall/F1")
    parser.add_argument("--data", type=Path, metavar="TSV",
                        help=f"labelled utterances (default: {DEFAULT_SET} of the source tree)")
    parser.add_argument("--show-errors", action="store_true", help="list the misclassified rows")
    parser.set_defaults(handler=run)


def default_set() -> Path | None:
    import smart_interview

    for base in (Path.cwd(), Path(smart_interview.__file__).resolve().parents[2]):
        if (base / DEFAULT_SET).is_file():
            return base / DEFAULT_SET
    return None


def run(args: argparse.Namespace) -> int:
    from smart_interview.answers.errors import ContextError
    from smart_interview.answers.evaluation import load_labelled, score_detector
    from smart_interview.answers.question_detector import QuestionDetector

    data = args.data or default_set()
    if data is None:
        raise CliError(f"no labelled set found; pass --data TSV (e.g. {DEFAULT_SET})")
    try:
        rows = load_labelled(data)
    except ContextError as exc:
        raise CliError(str(exc)) from exc
    detector = QuestionDetector()
    detector.detect("warm up the regular expressions")
    score = score_detector(detector, rows, repeats=5)
    latencies_ms = sorted(x * 1000 for x in score.latencies_s)
    p95 = latencies_ms[max(0, int(len(latencies_ms) * 0.95) - 1)]
    questions = sum(r.is_question for r in rows)
    print(f"data: {data} ({len(rows)} utterances: {questions} questions, "
          f"{len(rows) - questions} not)")
    print(f"precision {score.precision:.3f}  recall {score.recall:.3f}  F1 {score.f1:.3f}  "
          f"(TP {score.true_positive}, FP {score.false_positive}, FN {score.false_negative}, "
          f"TN {score.true_negative})")
    print(f"latency per segment (best of 5): mean {statistics.fmean(latencies_ms):.3f} ms, "
          f"p95 {p95:.3f} ms, max {latencies_ms[-1]:.3f} ms; slowest single call "
          f"{score.worst_call_s * 1000:.3f} ms")
    wrong = Counter(row.category or "-" for row, _ in score.mistakes)
    totals = Counter(row.category or "-" for row in rows)
    print("by category: " + ", ".join(
        f"{name} {totals[name] - wrong[name]}/{totals[name]}" for name in sorted(totals)))
    if args.show_errors:
        for row, predicted in score.mistakes:
            label = "false positive" if predicted else "missed question"
            print(f"  {label}: [{row.category}] {row.text}")
    return 0
