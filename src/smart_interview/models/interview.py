"""What an interview session reports, as one typed union both front ends consume.

`InterviewEvent` is every event a session emits, in order: `SessionStarted` once capture runs,
then `TranscriptUpdate`s and `CaptureNotice`s (`models.transcript`) and the answer events
(`models.answers`). Each renders to the JSON line `smart-interview live --jsonl` prints
(`to_dict()`); the desktop app turns each kind into its own typed Qt signal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from smart_interview.models.answers import AnswerEvent
from smart_interview.models.transcript import CaptureNotice, TranscriptUpdate


@dataclass(frozen=True)
class ContextSummary:
    """Which documents the talking points and answers can draw on in this interview."""

    cv: bool = False
    job_description: bool = False
    dossier: bool = False

    @property
    def empty(self) -> bool:
        return not (self.cv or self.job_description or self.dossier)


@dataclass(frozen=True)
class SessionStarted:
    emitted_at: float
    sources: dict[str, str] = field(default_factory=dict)
    """Speaker ("interviewer"/"candidate") → the name of the device or file heard."""
    context: ContextSummary = field(default_factory=ContextSummary)
    provider: str = "none"
    """The answer provider's id ("none": talking points only)."""

    def to_dict(self) -> dict[str, Any]:
        return {"type": "started", "sources": dict(self.sources),
                "emitted_at": round(self.emitted_at, 3),
                "context": {"cv": self.context.cv,
                            "job_description": self.context.job_description,
                            "dossier": self.context.dossier},
                "provider": self.provider}


InterviewEvent = SessionStarted | TranscriptUpdate | CaptureNotice | AnswerEvent
