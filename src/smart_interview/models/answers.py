"""Answer-pipeline data: detected questions, talking points and the events the UI shows.

`AnswerEvent` subclasses render to the plain dicts the command line prints as JSON lines
(`to_dict()`); the UI can use the dataclasses directly.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    kind: str
    """"direct" (ends with "?"), "wh", "yes_no", "prompt" ("tell me about…") or "follow_up"."""
    start: float
    """Seconds on the session clock: start of the first segment of the question."""
    end: float
    """End of its last segment (the moment it became final)."""


@dataclass(frozen=True)
class TalkingPoint:
    text: str
    source: str
    """Where it came from: "CV: Experience", "Dossier: match", "Job description"…"""


@dataclass(frozen=True)
class AnswerEvent:
    type: ClassVar[str] = ""
    emitted_at: float
    """Seconds on the session clock."""

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, **asdict(self)}


@dataclass(frozen=True)
class QuestionDetected(AnswerEvent):
    type: ClassVar[str] = "question"
    id: str
    text: str
    kind: str
    early: bool = False
    """Detected on a partial: shown at once, marked early. The final re-sends the same `id`
    with `early` False (the text may have changed), or `QuestionWithdrawn` takes it back."""


@dataclass(frozen=True)
class QuestionWithdrawn(AnswerEvent):
    """An early question the final showed was not one: it fades out, the list does not move."""

    type: ClassVar[str] = "question_withdrawn"
    question_id: str


@dataclass(frozen=True)
class AnswerRestarted(AnswerEvent):
    """The speculative answer of `question_id` was cancelled (the final question differs): its
    text so far is discarded and a new answer streams in under the same id."""

    type: ClassVar[str] = "answer_restarted"
    question_id: str


@dataclass(frozen=True)
class TalkingPointsReady(AnswerEvent):
    type: ClassVar[str] = "talking_points"
    question_id: str
    points: list[TalkingPoint] = field(default_factory=list)


@dataclass(frozen=True)
class AnswerDelta(AnswerEvent):
    type: ClassVar[str] = "answer_delta"
    question_id: str
    text: str


@dataclass(frozen=True)
class AnswerDone(AnswerEvent):
    type: ClassVar[str] = "answer_done"
    question_id: str
    text: str
    """The whole answer."""


@dataclass(frozen=True)
class AnswerFailed(AnswerEvent):
    type: ClassVar[str] = "answer_error"
    question_id: str
    code: str
    message: str
