"""What a saved interview holds, and how it is rebuilt from the records appended to its file.

A file is a sequence of records (JSON objects), each one of:

    start           {"kind", "version", "id", "started_at", "dossier_title", "dossier_id"}
    segment         {"kind", "at", "speaker", "text", "start", "end", "utterance"?}
                    a final segment ("utterance": the stream's number for it, when known)
    revision        {"kind", "at", "speaker", "text", "start", "end", "utterance"?,
                     "replaces"?}
                    a revised turn: with "replaces", it takes the place of that speaker's
                    segments of those utterance numbers (or, for segments without numbers,
                    those between its start and end); without, of the segment of that
                    speaker and start
    question        {"kind", "at", "question_id", "text", "question_kind", "early"}
                    a question id seen before updates that question in place (an early
                    question, detected on a partial, made final)
    question_withdrawn {"kind", "at", "question_id"}  an early question that was none: removed
    talking_points  {"kind", "at", "question_id", "points": [text, ...]}
    answer          {"kind", "at", "question_id", "text"}
    answer_failed   {"kind", "at", "question_id", "message"}
    end             {"kind", "at"}

`at` is wall-clock seconds since the epoch; `start`/`end` are seconds on the session clock. An
interview whose file has no end record was cut off (crash, kill, power loss): "interrupted".

The file is only ever appended to: a revision is resolved here, when the file is read, so what
is shown, searched and exported holds one segment per revised turn (`SavedSegment.revised`,
with the finals' text it replaced in `SavedSegment.earlier`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FORMAT_VERSION = 1


@dataclass
class SavedSegment:
    speaker: str
    text: str
    start: float
    end: float
    utterance: int | None = None
    revised: bool = False
    """The turn was decoded again after it ended; `text` is that revision."""
    earlier: str = ""
    """A revision only: the text of the finals it replaced."""

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"speaker": self.speaker, "text": self.text,
                                "start": self.start, "end": self.end}
        if self.revised:
            data.update(revised=True, earlier=self.earlier)
        return data


@dataclass
class SavedQuestion:
    id: str
    text: str
    asked_at: float
    kind: str = ""
    talking_points: list[str] = field(default_factory=list)
    answer: str = ""
    error: str = ""
    early: bool = False
    """Only seen on a partial so far (the interview stopped before its final)."""


@dataclass(frozen=True)
class InterviewSummary:
    id: str
    started_at: float
    dossier_title: str
    duration_s: float
    question_count: int
    interrupted: bool
    """No end record: cut off by a crash, or still being recorded (`in_progress`)."""
    in_progress: bool = False
    """A recorder is writing it right now: the interview is running."""


@dataclass
class Interview:
    id: str
    started_at: float
    dossier_title: str = ""
    dossier_id: str | None = None
    ended_at: float | None = None
    last_record_at: float = 0.0
    segments: list[SavedSegment] = field(default_factory=list)
    questions: list[SavedQuestion] = field(default_factory=list)
    unreadable_records: int = 0
    """Records that could not be read (a torn last write after a crash counts here)."""

    @property
    def interrupted(self) -> bool:
        return self.ended_at is None

    @property
    def duration_s(self) -> float:
        end = self.ended_at if self.ended_at is not None else self.last_record_at
        return max(0.0, end - self.started_at)

    def summary(self) -> InterviewSummary:
        return InterviewSummary(id=self.id, started_at=self.started_at,
                                dossier_title=self.dossier_title, duration_s=self.duration_s,
                                question_count=len(self.questions),
                                interrupted=self.interrupted)

    def transcript_text(self) -> str:
        return "\n".join(s.text for s in self.segments)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "duration_s": round(self.duration_s, 3),
            "interrupted": self.interrupted,
            "dossier_title": self.dossier_title,
            "dossier_id": self.dossier_id,
            "segments": [s.as_json() for s in self.segments],
            "questions": [vars(q) for q in self.questions],
        }


def build_interview(records: list[dict[str, Any]], *, unreadable: int = 0) -> Interview:
    """The interview the records describe. Raises ValueError when the first record is not a
    start record (not an interview file)."""
    if not records or records[0].get("kind") != "start":
        raise ValueError("not an interview history file")
    head = records[0]
    interview = Interview(id=str(head["id"]), started_at=float(head["started_at"]),
                          dossier_title=str(head.get("dossier_title") or ""),
                          dossier_id=head.get("dossier_id"),
                          last_record_at=float(head["started_at"]),
                          unreadable_records=unreadable)
    questions: dict[str, SavedQuestion] = {}
    for record in records[1:]:
        kind = record.get("kind")
        at = float(record.get("at", interview.last_record_at))
        interview.last_record_at = max(interview.last_record_at, at)
        if kind == "segment":
            interview.segments.append(_segment(record))
        elif kind == "revision" and record.get("replaces"):
            revise_turn(interview.segments, _segment(record),
                        {int(n) for n in record["replaces"]})
        elif kind == "revision":
            _revise(interview.segments, _segment(record))
        elif kind == "question":
            known = questions.get(str(record["question_id"]))
            if known is not None:  # early → final: same entry, final text
                known.text = str(record["text"])
                known.kind = str(record.get("question_kind", known.kind))
                known.early = bool(record.get("early", False))
                continue
            question = SavedQuestion(id=str(record["question_id"]), text=str(record["text"]),
                                     asked_at=at, kind=str(record.get("question_kind", "")),
                                     early=bool(record.get("early", False)))
            questions[question.id] = question
            interview.questions.append(question)
        elif kind == "question_withdrawn":
            gone = questions.pop(str(record.get("question_id")), None)
            if gone is not None:
                interview.questions.remove(gone)
        elif kind in ("talking_points", "answer", "answer_failed"):
            target = questions.get(str(record.get("question_id")))
            if target is None:
                continue
            if kind == "talking_points":
                target.talking_points = [str(p) for p in record.get("points", [])]
            elif kind == "answer":
                target.answer = str(record["text"])
            else:
                target.error = str(record.get("message", ""))
        elif kind == "end":
            interview.ended_at = at
    return interview


def _segment(record: dict[str, Any]) -> SavedSegment:
    utterance = record.get("utterance")
    return SavedSegment(speaker=str(record["speaker"]), text=str(record["text"]),
                        start=float(record["start"]), end=float(record["end"]),
                        utterance=int(utterance) if isinstance(utterance, int) else None)


_TIME_SLACK_S = 0.01


def revise_turn(segments: list[SavedSegment], revised: SavedSegment,
                replaces: set[int]) -> None:
    """Puts the revised turn where the first segment it replaces stood and removes the rest:
    that speaker's segments with those utterance numbers, or, for segments saved without
    numbers, those between its start and end. A turn whose finals were never saved is
    inserted in time order."""
    def spanned(old: SavedSegment) -> bool:
        if old.speaker != revised.speaker:
            return False
        if old.utterance is not None:
            return old.utterance in replaces
        return (old.start >= revised.start - _TIME_SLACK_S
                and old.end <= revised.end + _TIME_SLACK_S)

    indices = [i for i, old in enumerate(segments) if spanned(old)]
    revised.revised = True
    revised.earlier = " ".join(segments[i].earlier or segments[i].text for i in indices)
    if not indices:
        at = next((i for i, old in enumerate(segments) if old.start > revised.start),
                  len(segments))
        segments.insert(at, revised)
        return
    segments[indices[0]] = revised
    for index in reversed(indices[1:]):
        del segments[index]


def _revise(segments: list[SavedSegment], revised: SavedSegment) -> None:
    for index in range(len(segments) - 1, -1, -1):
        old = segments[index]
        if old.speaker == revised.speaker and abs(old.start - revised.start) < 1e-3:
            segments[index] = revised
            return
    segments.append(revised)
