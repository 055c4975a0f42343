"""The LLM request: instructions for the chosen answer style plus the interview context,
assembled within a token budget with the most relevant parts first.

Order of the context: the recent conversation (what the question refers to), the CV and
dossier passages BM25 ranks highest for the question, the CV summary and dossier match summary,
the job's most relevant requirements, then whatever of the CV, job description and cover
letter still fits. Tokens are estimated at four characters each; a block that does not fit
whole is cut at a line end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from smart_interview.answers.context_sources import InterviewContext
from smart_interview.answers.retrieval import PassageIndex
from smart_interview.models.answers import Question

ANSWER_STYLES = ("bullets", "spoken", "star")
_BASE_INSTRUCTIONS = (
    "You help a job candidate during a live interview. Write what the candidate should say "
    "next, in the first person, as the candidate. Use only facts from the candidate's CV, "
    "dossier and the conversation; never invent employers, numbers or degrees. If the CV has "
    "nothing on the topic, suggest an honest bridge to related experience. The candidate reads "
    "this while talking: no preamble, no headings, start with the answer."
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


@dataclass(frozen=True)
class AnswerRequest:
    """What a provider sends: a system instruction and one user message."""

    system: str
    user: str


def estimate_tokens(text: str) -> int:
    return (len(text) + 3) // 4


class ContextBuilder:
    def __init__(self, *, context: InterviewContext, index: PassageIndex,
                 style: str = "bullets", budget_tokens: int = 2500) -> None:
        if style not in ANSWER_STYLES:
            raise ValueError(f"answer style must be one of {', '.join(ANSWER_STYLES)}")
        self._context = context
        self._index = index
        self._style = style
        self._budget_tokens = budget_tokens

    def build(self, question: Question, transcript: Sequence[TranscriptLine], *,
              query: str | None = None) -> AnswerRequest:
        system = f"{_BASE_INSTRUCTIONS} {_STYLE_INSTRUCTIONS[self._style]}"
        ask = f"The interviewer just asked: \"{question.text}\"\nWrite the candidate's answer."
        budget = self._budget_tokens - estimate_tokens(system) - estimate_tokens(ask)
        parts: list[str] = []
        for title, body in self._blocks(question, transcript, query or question.text):
            if budget <= 40 or not body.strip():
                continue
            block = _fit(f"## {title}\n{body.strip()}", budget)
            if block:
                parts.append(block)
                budget -= estimate_tokens(block) + 1
        return AnswerRequest(system=system, user="\n\n".join([*parts, ask]))

    def _blocks(self, question: Question, transcript: Sequence[TranscriptLine],
                query: str) -> list[tuple[str, str]]:
        ctx = self._context
        recent = [f"{line.speaker.capitalize()}: {line.text}" for line in transcript[-12:]]
        ranked = self._index.search(query, k=10)
        own = [r.passage for r in ranked if r.passage.source != "Job description"]
        job = [r.passage for r in ranked if r.passage.source == "Job description"]
        blocks = [("Conversation so far (latest last)", _keep_tail(recent, 600)),
                  ("Most relevant from the candidate's CV and dossier",
                   "\n".join(f"- [{p.source}] {p.text}" for p in own))]
        summaries = [ctx.cv_summary.strip()]
        role = ""
        if ctx.dossier:
            summaries.append(ctx.dossier.match_summary.strip())
            if ctx.dossier.job_title or ctx.dossier.company:
                role = f"{ctx.dossier.job_title} at {ctx.dossier.company}".strip(" at")
        blocks.append(("Candidate summary", "\n".join(s for s in summaries if s)))
        blocks.append((f"The role{': ' + role if role else ''}",
                       "\n".join(f"- {p.text}" for p in job)))
        blocks.append(("CV", ctx.cv_text))
        blocks.append(("Job description", ctx.job_description))
        if ctx.dossier and ctx.dossier.cover_letter:
            blocks.append(("Cover letter", ctx.dossier.cover_letter))
        return blocks


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
