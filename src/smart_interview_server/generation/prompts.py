"""What is asked of the AI provider, and how its answers are read (defensively)."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError

from smart_interview_server.generation.providers import ProviderError
from smart_interview_server.schemas import CandidateMatch

SUMMARY_SYSTEM = (
    "You summarise a candidate's CV for their own interview preparation. Write 5 to 8 short "
    "plain-text lines: headline, years and kind of experience, strongest skills, notable "
    "achievements. Use only facts from the CV."
)
DOSSIER_SYSTEM = (
    "You prepare an Interview Dossier for a candidate. Compare the CV with the job "
    "description and answer with one JSON object only, no prose around it, of the form "
    '{"match": {"score": <integer 0-100>, "matched": [{"skill": str, "evidence": str}], '
    '"missing": [{"skill": str, "evidence": str}], "summary": str}, "cover_letter": str}. '
    "Evidence for a matched skill quotes the CV; evidence for a missing one quotes the job "
    "description. The cover letter is tailored to the role and uses only facts from the CV."
)
SUMMARY_MAX_TOKENS = 600
DOSSIER_MAX_TOKENS = 2500


def summary_prompt(cv_text: str) -> str:
    return f"CV:\n{cv_text}"


def dossier_prompt(*, cv_text: str, job_title: str, company: str, job_description: str) -> str:
    return (
        f"Job title: {job_title}\nCompany: {company}\n\nJob description:\n{job_description}"
        f"\n\nCV:\n{cv_text}"
    )


def parse_dossier_answer(answer: str) -> tuple[CandidateMatch, str]:
    """(match, cover letter) from the model's answer; ProviderError with a reason otherwise."""
    text = answer.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.DOTALL)
    if fenced:
        text = fenced.group(1).strip()
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        raise ProviderError("The AI answer contained no JSON object")
    try:
        data: Any = json.loads(text[start : end + 1])
    except json.JSONDecodeError:
        raise ProviderError("The AI answer was not valid JSON") from None
    if not isinstance(data, dict):
        raise ProviderError("The AI answer was not a JSON object")
    raw_match = data.get("match")
    if isinstance(raw_match, dict) and isinstance(raw_match.get("score"), float):
        raw_match["score"] = round(raw_match["score"])
    try:
        match = CandidateMatch.model_validate(raw_match)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        raise ProviderError(
            f"The AI answer's match did not have the expected shape (at '{where}': "
            f"{first.get('msg')})"
        ) from None
    cover_letter = data.get("cover_letter")
    if not isinstance(cover_letter, str) or not cover_letter.strip():
        raise ProviderError("The AI answer had no cover_letter text")
    return match, cover_letter.strip()
