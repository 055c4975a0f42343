"""Scoring the question detector on a labelled TSV (columns `label` = q|n and `text`)."""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass, field
from pathlib import Path

from smart_interview.answers.errors import ContextError
from smart_interview.answers.question_detector import QuestionDetector


@dataclass(frozen=True)
class LabelledUtterance:
    is_question: bool
    text: str
    category: str = ""


@dataclass
class DetectionScore:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    true_negative: int = 0
    latencies_s: list[float] = field(default_factory=list)
    worst_call_s: float = 0.0
    mistakes: list[tuple[LabelledUtterance, bool]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 0.0

    @property
    def recall(self) -> float:
        wanted = self.true_positive + self.false_negative
        return self.true_positive / wanted if wanted else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_labelled(path: Path) -> list[LabelledUtterance]:
    """Reads a TSV with a header holding at least `label` (q or n) and `text`."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            if not reader.fieldnames or not {"label", "text"} <= set(reader.fieldnames):
                raise ContextError(f"{path}: needs a header with the columns 'label' and 'text'")
            rows: list[LabelledUtterance] = []
            for line, row in enumerate(reader, start=2):
                label = (row.get("label") or "").strip().lower()
                if label not in ("q", "n"):
                    raise ContextError(f"{path}:{line}: label must be 'q' or 'n', not {label!r}")
                rows.append(LabelledUtterance(label == "q", (row.get("text") or "").strip(),
                                              (row.get("category") or "").strip()))
    except OSError as exc:
        raise ContextError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if not rows:
        raise ContextError(f"{path} holds no labelled rows")
    return rows


def score_detector(detector: QuestionDetector, rows: list[LabelledUtterance], *,
                   repeats: int = 1) -> DetectionScore:
    """Scores every row; a row's latency is the best of `repeats` calls (as timeit does), so
    another process taking the CPU does not count as detection time. `worst_call_s` keeps the
    slowest single call anyway."""
    score = DetectionScore()
    for row in rows:
        timings: list[float] = []
        for _ in range(max(1, repeats)):
            started = time.perf_counter()
            predicted = detector.detect(row.text).is_question
            timings.append(time.perf_counter() - started)
        score.latencies_s.append(min(timings))
        score.worst_call_s = max(score.worst_call_s, *timings)
        if predicted and row.is_question:
            score.true_positive += 1
        elif predicted:
            score.false_positive += 1
            score.mistakes.append((row, predicted))
        elif row.is_question:
            score.false_negative += 1
            score.mistakes.append((row, predicted))
        else:
            score.true_negative += 1
    return score
