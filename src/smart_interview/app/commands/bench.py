"""`smart-interview bench KIND`: benchmarks that print numbers (one module per kind)."""

from __future__ import annotations

import importlib
from typing import Any

BENCH_MODULES: tuple[str, ...] = (
    "smart_interview.app.commands.bench_wer",
    "smart_interview.app.commands.bench_stream",
    "smart_interview.app.commands.bench_questions",
    "smart_interview.app.commands.bench_answers",
    "smart_interview.app.commands.bench_talking_points",
    "smart_interview.app.commands.bench_capture",
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("bench", help="run a benchmark and print its numbers")
    kinds = parser.add_subparsers(dest="bench", metavar="KIND", required=True)
    for name in BENCH_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(kinds)
