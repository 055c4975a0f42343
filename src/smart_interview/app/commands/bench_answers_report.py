"""What `bench answers` prints for the spoken interview: per server TTFT and mode, the
latencies from each question's last word, requests per question, and what went wrong.

A question id belongs to the interviewer line during (or after) which it was first shown: the
line that started last before that moment. Its state is the last word about it: withdrawn, or
a question (early or final).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from smart_interview.answers.early import SAME_QUESTION_OVERLAP, word_overlap
from smart_interview.models.answers import (
    AnswerDelta,
    AnswerRestarted,
    QuestionDetected,
    QuestionWithdrawn,
    TalkingPointsReady,
)

GOALS = ("goals: first token <= 0.30 s after the last word p50, <= 0.60 s p95; talking points "
         "<= 0.20 s p50; <= 1.3 requests per question; no more missed or false questions "
         "than finals only")


@dataclass(frozen=True)
class Row:
    ttft_s: float
    mode: str
    points: list[float]
    first_token: list[float]
    requests_per_question: float
    discarded: int
    missed: int
    false: int
    withdrawn: int
    questions: int


def score(run: Any, played: dict[str, Any]) -> Row:
    placed = played["placed"]
    origin = played["origin"]
    starts = [origin + p.offset for p, _ in placed]
    first_seen: dict[str, float] = {}
    withdrawn: set[str] = set()
    final: set[str] = set()
    points: dict[str, float] = {}
    restarted: dict[str, float] = {}
    for event in run.events:
        if isinstance(event, QuestionDetected):
            first_seen.setdefault(event.id, event.emitted_at)
            if not event.early:
                final.add(event.id)
        elif isinstance(event, QuestionWithdrawn):
            withdrawn.add(event.question_id)
        elif isinstance(event, TalkingPointsReady):
            points.setdefault(event.question_id, event.emitted_at)
        elif isinstance(event, AnswerRestarted):
            restarted[event.question_id] = event.emitted_at
    first_token: dict[str, float] = {}
    for event in run.events:
        if (isinstance(event, AnswerDelta) and event.question_id not in first_token
                and event.emitted_at >= restarted.get(event.question_id, -1.0)):
            first_token[event.question_id] = event.emitted_at
    kept = final - withdrawn
    by_line: dict[int, list[str]] = {}
    for question_id in sorted(kept, key=first_seen.__getitem__):
        line = max((i for i, s in enumerate(starts) if s <= first_seen[question_id]),
                   default=-1)
        by_line.setdefault(line, []).append(question_id)
    point_lat, token_lat, missed, false = [], [], 0, 0
    for index, (spot, line) in enumerate(placed):
        ids = by_line.get(index, [])
        if not line.question:
            false += len(ids)
            continue
        if not ids:
            missed += 1
            continue
        if spot.word_end is None:
            continue
        last_word = origin + spot.offset + spot.word_end
        if ids[0] in points:
            point_lat.append(points[ids[0]] - last_word)
        if ids[0] in first_token:
            token_lat.append(first_token[ids[0]] - last_word)
    false += len(by_line.get(-1, []))
    stats = run.pipeline.stats
    requests = sum(stats.requests.values())
    return Row(run.ttft_s, run.mode, point_lat, token_lat,
               requests / len(kept) if kept else float("nan"), stats.discarded, missed, false,
               stats.withdrawn, len(kept))


def overlap_line(played: dict[str, Any]) -> str:
    """How alike a pause partial and its own final are, and how alike different questions of
    the set are: the ground the threshold stands on."""
    events = played["events"]
    finals = {e["utterance"]: e["text"] for e in events
              if e["type"] == "final" and e["speaker"] == "interviewer"}
    pairs = [word_overlap(e["text"], finals[e["utterance"]]) for e in events
             if e.get("at_pause") and e["speaker"] == "interviewer"
             and e["utterance"] in finals]
    texts = [line.text for _, line in played["placed"] if line.question]
    apart = [word_overlap(a, b) for i, a in enumerate(texts) for b in texts[i + 1:]]
    same = np.array(pairs) if pairs else np.array([float("nan")])
    return (f"word overlap, pause partial vs its final: p10 {np.percentile(same, 10):.2f} "
            f"p50 {np.percentile(same, 50):.2f} ({len(pairs)} pauses, "
            f"{np.mean(same >= SAME_QUESTION_OVERLAP) * 100:.0f}% >= {SAME_QUESTION_OVERLAP}); "
            f"two different questions: max {max(apart, default=float('nan')):.2f}")


def _ms(values: list[float], q: float) -> str:
    return f"{np.percentile(values, q):6.2f}" if values else "     -"


def table(rows: list[Row]) -> list[str]:
    out = ["ttft  mode         points p50   p95 | 1st token p50   p95 | req/q  discarded  "
           "missed  false  withdrawn  (seconds after the last word)"]
    for r in rows:
        out.append(f"{r.ttft_s:4.1f}  {r.mode:<11}  {_ms(r.points, 50)} {_ms(r.points, 95)} |"
                   f"        {_ms(r.first_token, 50)} {_ms(r.first_token, 95)} |"
                   f" {r.requests_per_question:5.2f}  {r.discarded:9d}  {r.missed:6d}  "
                   f"{r.false:5d}  {r.withdrawn:9d}")
    return out
