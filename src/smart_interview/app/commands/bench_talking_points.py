"""`smart-interview bench talking-points [--data TSV]`: does the first talking point hold the
evidence a good answer needs?

The labelled set (tests/answers/data/talking_points.tsv) names, per row, a CV and a job
description below the shared test data (../shared/data), an interviewer's question worded the
way interviewers talk, and the passage(s) a good answer needs (substrings, " | " between
alternatives). For BM25, embeddings and the hybrid ranking it prints hit@1 and hit@3 (the
needed passage is the first talking point, or among the first three), MRR over the points
shown, the time per question (the whole talking-points call, question embedding included),
the time to embed each CV's passages at the start, and the questions the hybrid ranking
missed.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smart_interview.app.errors import CliError

if TYPE_CHECKING:
    from smart_interview.answers.context_sources import Passage
    from smart_interview.answers.hybrid import Ranker

DEFAULT_SET = Path("tests") / "answers" / "data" / "talking_points.tsv"
RANKERS = ("BM25", "embeddings", "hybrid")


@dataclass(frozen=True)
class Row:
    cv: str
    jd: str
    question: str
    needed: tuple[str, ...]


@dataclass
class Tally:
    ranks: list[int | None]
    ms: list[float]

    def hit(self, k: int) -> float:
        return sum(1 for r in self.ranks if r is not None and r < k) / len(self.ranks)

    def mrr(self) -> float:
        return sum(1.0 / (r + 1) for r in self.ranks if r is not None) / len(self.ranks)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("talking-points",
                                   help="hit@1, hit@3 and MRR of talking points on real CVs")
    parser.add_argument("--data", type=Path, metavar="TSV",
                        help=f"labelled questions (default: {DEFAULT_SET} of the source tree)")
    parser.add_argument("--shared-data", type=Path, metavar="DIR",
                        help="the folder the CV and job paths are relative to "
                             "(default: ../shared/data)")
    parser.add_argument("--all-misses", action="store_true",
                        help="list the misses of BM25 and embeddings too")
    parser.set_defaults(handler=run)


def load_rows(path: Path) -> list[Row]:
    rows: list[Row] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.startswith("cv\t"):
            continue
        fields = line.split("\t")
        if len(fields) != 4:
            raise CliError(f"{path}:{number}: expected 4 tab-separated fields, got {len(fields)}")
        needed = tuple(n.strip().lower() for n in fields[3].split("|") if n.strip())
        rows.append(Row(fields[0], fields[1], fields[2], needed))
    return rows


def default_set() -> Path | None:
    import smart_interview

    for base in (Path.cwd(), Path(smart_interview.__file__).resolve().parents[2]):
        if (base / DEFAULT_SET).is_file():
            return base / DEFAULT_SET
    return None


def rank_of(passages: list[Passage], needed: tuple[str, ...]) -> int | None:
    for rank, passage in enumerate(passages):
        if any(n in passage.text.lower() for n in needed):
            return rank
    return None


def run(args: argparse.Namespace) -> int:
    from smart_interview.app.resources import shared_data_dir

    data = args.data or default_set()
    if data is None:
        raise CliError(f"no labelled set found; pass --data TSV (e.g. {DEFAULT_SET})")
    shared = args.shared_data or shared_data_dir()
    if shared is None or not shared.is_dir():
        raise CliError("skipped: the labelled questions refer to CVs in ../shared/data, which "
                       "is not here (set SMART_INTERVIEW_DATA or pass --shared-data DIR)")
    rows = load_rows(data)
    encoder, load_s = _encoder()
    tallies = {name: Tally([], []) for name in RANKERS}
    misses: dict[str, list[tuple[Row, list[str]]]] = {name: [] for name in RANKERS}
    starts: list[str] = []
    for (cv, jd), group in _by_documents(rows).items():
        rankers, line = _rankers(shared / cv, shared / jd, encoder)
        starts.append(f"  {cv}: {line}")
        for name, ranker in rankers.items():
            _score(ranker, group, tallies[name], misses[name])
    print(f"data: {data} ({len(rows)} questions over {len(_by_documents(rows))} CVs with their "
          "job descriptions)")
    print(f"model: all-MiniLM-L6-v2 loaded in {load_s:.2f} s; embedding at the start:")
    print("\n".join(starts))
    print(f"{'ranking':<11} {'hit@1':>6} {'hit@3':>6} {'MRR':>6}   ms/question p50    max")
    for name in RANKERS:
        t = tallies[name]
        print(f"{name:<11} {t.hit(1):>6.1%} {t.hit(3):>6.1%} {t.mrr():>6.3f}   "
              f"{statistics.median(t.ms):>15.1f} {max(t.ms):>6.1f}")
    for name in RANKERS if args.all_misses else ("hybrid",):
        print(f"misses of {name} (needed passage not in the first three talking points):")
        for row, shown in misses[name]:
            print(f"  {row.question!r} needs {' | '.join(row.needed)!r}; shown: "
                  + " / ".join(s[:60] for s in shown[:3]))
    return 0


def _encoder() -> tuple[Any, float]:
    from smart_interview.app import embedding_model
    from smart_interview.app.wiring import app_paths

    started = time.perf_counter()
    encoder = embedding_model.load_encoder(app_paths().models_dir)
    return encoder, time.perf_counter() - started


def _by_documents(rows: list[Row]) -> dict[tuple[str, str], list[Row]]:
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        groups.setdefault((row.cv, row.jd), []).append(row)
    return groups


def _rankers(cv: Path, jd: Path, encoder: Any) -> tuple[dict[str, Ranker], str]:
    from smart_interview.answers.context_sources import InterviewContext
    from smart_interview.answers.hybrid import EmbeddingIndex, HybridIndex, embedding_text
    from smart_interview.answers.retrieval import PassageIndex
    from smart_interview.app.answer_wiring import read_document

    passages = InterviewContext(cv_text=read_document(cv),
                                job_description=read_document(jd)).passages()
    started = time.perf_counter()
    hybrid = HybridIndex(passages, encoder)
    seconds = time.perf_counter() - started
    tokens = sum(len(t) for t in encoder.token_ids([embedding_text(p) for p in passages]))
    rankers: dict[str, Ranker] = {"BM25": PassageIndex(passages),
                                  "embeddings": EmbeddingIndex(passages, encoder),
                                  "hybrid": hybrid}
    return rankers, f"{len(passages)} passages, {tokens} tokens, {seconds:.2f} s"


def _score(ranker: Ranker, rows: list[Row], tally: Tally,
           misses: list[tuple[Row, list[str]]]) -> None:
    from smart_interview.answers.talking_points import points_with_passages

    for row in rows:
        if rank_of(ranker.passages, row.needed) is None:
            raise CliError(f"the label {' | '.join(row.needed)!r} of {row.question!r} matches "
                           f"no passage of {row.cv}")
        started = time.perf_counter()
        shown = points_with_passages(ranker, row.question)
        tally.ms.append((time.perf_counter() - started) * 1000)
        rank = rank_of([passage for passage, _ in shown], row.needed)
        tally.ranks.append(rank)
        if rank is None or rank >= 3:
            misses.append((row, [point.text for _, point in shown]))

