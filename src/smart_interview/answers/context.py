"""The LLM request: instructions for the chosen answer style plus the interview context,
assembled within a token budget with the most relevant parts first.

What the request may contain is the caller's `share` choice (`SHARE_CHOICES`, smallest first):
- "question": the question and the job title (no company) — nothing about the candidate;
- "question_transcript": also the recent conversation of both speakers;
- "question_transcript_context": also the CV and dossier passages ranked highest for the
  question (the same ranking as the talking points: BM25 and embeddings fused), the CV
  summary and dossier match summary, the job's most relevant requirements, then whatever
  of the CV, job description and cover letter still fits.
Without the CV the instructions ask for the shape of an answer with [brackets] where the
candidate's own facts go, so the model has no reason to invent them.

Tokens are estimated at four characters each; a block that does not fit whole is cut at a line
end. `AnswerRequest.fields` lists what went in, so a caller can show it before anything is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from smart_interview.answers.context_sources import InterviewContext
from smart_interview.models.answers import Question

if TYPE_CHECKING:
    from smart_interview.answers.hybrid import Ranker

ANSWER_STYLES = ("bullets", "spoken", "star")
SHARE_CHOICES = ("question", "question_transcript", "question_transcript_context")
"""What an answer request may contain, smallest first (see the module doc)."""
_WITH_CV_INSTRUCTIONS = (
    "You help a job candidate during a live interview. Write what the candidate should say "
    "next, in the first person, as the candidate. Use only facts from the candidate's CV, "
    "dossier and the conversation; never invent employers, numbers or degrees. If the CV has "
    "nothing on the topic, suggest an honest bridge to related experience. The candidate reads "
    "this while talking: no preamble, no headings, start with the answer."
)
_WITHOUT_CV_INSTRUCTIONS = (
    "You help a job candidate during a live interview. You do not see the candidate's CV. "
    "Write what a strong answer covers, in the first person, as the candidate, with "
    "[brackets] wherever the candidate must put in their own facts (employer, project, "
    "number); never invent employers, numbers or degrees. The candidate reads this while "
    "talking: no preamble, no headings, start with the answer."
)
_STYLE_INSTRUCTIONS = {
    "bullets": "Answer in 3 to 5 short bullet points of at most 15 words each.",
    "spoken": "Answer in one natural spoken paragraph of 60 to 110 words.",
    "star": (
        "For a behavioural question answer with four short lines starting 'Situation:', "
        "'Task:', 'Action:' and 'Result:' (one or two sentences each, a number in the result "
        "if the CV has one). For any other question answer in 3 to 5 short bullet points."
    ),
}


@dataclass(frozen=True)
class TranscriptLine:
    speaker: str
    """"interviewer" or "candidate"."""
    text: str
    start: float | None = None
    end: float | None = None
    """Session-clock seconds of the segment it came from (None: not known), so a revised
    turn can replace the lines it spans (`replace_turn`)."""


@dataclass(frozen=True)
class SentField:
    """One kind of content in a request, e.g. "question" or "cv", with its estimated size."""

    name: str
    tokens: int


@dataclass(frozen=True)
class AnswerRequest:
    """What a provider sends: a system instruction and one user message."""

    system: str
    user: str
    fields: tuple[SentField, ...] = ()
    """What went into `system` and `user`, in order (names from `FIELD_LABELS`)."""


FIELD_LABELS = {
    "instructions": "instructions for the answer style",
    "question": "the question",
    "job_title": "the job title",
    "conversation": "recent conversation lines (both speakers)",
    "passages": "CV and dossier passages that match the question",
    "summary": "your CV summary and dossier match summary",
    "role": "the job title, company and matching requirements",
    "cv": "your CV text",
    "job_description": "the job description",
    "cover_letter": "the cover letter",
}
"""Every field a request may hold, in words the user reads."""


def estimate_tokens(text: str) -> int:
    return (len(text) + 3) // 4


class ContextBuilder:
    def __init__(self, *, context: InterviewContext, index: Ranker,
                 style: str = "bullets", budget_tokens: int = 2500,
                 share: str = "question") -> None:
        if style not in ANSWER_STYLES:
            raise ValueError(f"answer style must be one of {', '.join(ANSWER_STYLES)}")
        if share not in SHARE_CHOICES:
            raise ValueError(f"share must be one of {', '.join(SHARE_CHOICES)}")
        self._context = context
        self._index = index
        self._style = style
        self._budget_tokens = budget_tokens
        self._share = share

    @property
    def share(self) -> str:
        return self._share

    def build(self, question: Question, transcript: Sequence[TranscriptLine], *,
              query: str | None = None) -> AnswerRequest:
        with_cv = self._share == "question_transcript_context"
        base = _WITH_CV_INSTRUCTIONS if with_cv else _WITHOUT_CV_INSTRUCTIONS
        system = f"{base} {_STYLE_INSTRUCTIONS[self._style]}"
        ask = f"The interviewer just asked: \"{question.text}\"\nWrite the candidate's answer."
        budget = self._budget_tokens - estimate_tokens(system) - estimate_tokens(ask)
        parts: list[str] = []
        fields = [SentField("instructions", estimate_tokens(system))]
        for name, title, body in self._blocks(transcript, query or question.text):
            if budget <= 40 or not body.strip():
                continue
            block = _fit(f"## {title}\n{body.strip()}", budget)
            if block:
                parts.append(block)
                fields.append(SentField(name, estimate_tokens(block)))
                budget -= estimate_tokens(block) + 1
        fields.append(SentField("question", estimate_tokens(ask)))
        return AnswerRequest(system=system, user="\n\n".join([*parts, ask]),
                             fields=tuple(fields))

    def _blocks(self, transcript: Sequence[TranscriptLine],
                query: str) -> list[tuple[str, str, str]]:
        """(field name, heading, text) in the order they are sent, within the share choice."""
        ctx = self._context
        dossier = ctx.dossier
        if self._share != "question_transcript_context":
            blocks = [("job_title", "The role", dossier.job_title if dossier else "")]
            if self._share == "question_transcript":
                blocks.append(("conversation", "Conversation so far (latest last)",
                               _recent(transcript)))
            return blocks
        ranked = self._index.search(query, k=10)
        own = [r.passage for r in ranked if r.passage.source != "Job description"]
        job = [r.passage for r in ranked if r.passage.source == "Job description"]
        blocks = [("conversation", "Conversation so far (latest last)", _recent(transcript)),
                  ("passages", "Most relevant from the candidate's CV and dossier",
                   "\n".join(f"- [{p.source}] {p.text}" for p in own))]
        summaries = [ctx.cv_summary.strip()]
        role = ""
        if dossier:
            summaries.append(dossier.match_summary.strip())
            if dossier.job_title or dossier.company:
                role = f"{dossier.job_title} at {dossier.company}".strip(" at")
        blocks.append(("summary", "Candidate summary", "\n".join(s for s in summaries if s)))
        blocks.append(("role", f"The role{': ' + role if role else ''}",
                       "\n".join(f"- {p.text}" for p in job)))
        blocks.append(("cv", "CV", ctx.cv_text))
        blocks.append(("job_description", "Job description", ctx.job_description))
        if dossier and dossier.cover_letter:
            blocks.append(("cover_letter", "Cover letter", dossier.cover_letter))
        return blocks


def replace_turn(lines: Sequence[TranscriptLine], revised: TranscriptLine) -> list[TranscriptLine]:
    """`lines` with the revised turn in place of the lines it spans: the same speaker's lines
    that lie within its start and end (the finals it was decoded from). When none are found
    (they were dropped, or are older than the lines kept) the lines are returned unchanged: a
    turn the context no longer holds is not brought back."""
    if revised.start is None or revised.end is None:
        return list(lines)
    low, high = revised.start - _TIME_SLACK_S, revised.end + _TIME_SLACK_S

    def spanned(line: TranscriptLine) -> bool:
        return (line.speaker == revised.speaker and line.start is not None
                and line.end is not None and line.start >= low and line.end <= high)

    result: list[TranscriptLine] = []
    placed = False
    for line in lines:
        if spanned(line):
            if not placed:
                result.append(revised)
                placed = True
            continue
        result.append(line)
    return result


_TIME_SLACK_S = 0.01


def _recent(transcript: Sequence[TranscriptLine]) -> str:
    lines = [f"{line.speaker.capitalize()}: {line.text}" for line in transcript[-12:]]
    return _keep_tail(lines, 600)


def _keep_tail(lines: list[str], budget_tokens: int) -> str:
    kept: list[str] = []
    for line in reversed(lines):
        if estimate_tokens("\n".join([line, *kept])) > budget_tokens:
            break
        kept.insert(0, line)
    return "\n".join(kept)


def _fit(text: str, budget_tokens: int) -> str:
    if estimate_tokens(text) <= budget_tokens:
        return text
    cut = text[: budget_tokens * 4]
    line_end = cut.rfind("\n")
    cut = cut[:line_end] if line_end > len(cut) // 2 else cut.rsplit(" ", 1)[0]
    return f"{cut}\n[…]" if "\n" in cut else ""
