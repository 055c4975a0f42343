"""What the answers are drawn from: the candidate's CV, the job and the prepared dossier.

Plain text in, cut into passages that each know where they came from ("CV: Experience",
"Job description", "Dossier: match"). The app reads the files and the dossier cache and passes
the text here; nothing in this module touches the disk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

CV_HEADINGS = frozenset({
    "summary", "profile", "professional summary", "about me", "objective", "experience",
    "work experience", "professional experience", "employment", "employment history",
    "work history", "career history", "education", "skills", "technical skills", "key skills",
    "core competencies", "projects", "personal projects", "selected projects",
    "certifications", "certificates", "awards", "honors", "honours", "achievements",
    "publications", "languages", "interests", "volunteering", "volunteer experience",
    "leadership", "activities", "courses", "coursework", "training", "references",
    "research", "teaching", "talks", "open source", "positions of responsibility",
})
_BULLET = re.compile(r"^\s*(?:[-*•●▪◦·‣–]|\d+[.)])\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
MAX_PASSAGE_WORDS = 60


@dataclass(frozen=True)
class Passage:
    text: str
    source: str


@dataclass(frozen=True)
class DossierContext:
    """The parts of a prepared Interview Dossier (see the backend's `DossierPublic`)."""

    job_title: str = ""
    company: str = ""
    match_summary: str = ""
    matched: tuple[tuple[str, str], ...] = ()
    """(skill, evidence from the CV)."""
    missing: tuple[tuple[str, str], ...] = ()
    cover_letter: str = ""

    @classmethod
    def from_public(cls, dossier: dict[str, Any]) -> DossierContext:
        """From the backend's DossierPublic JSON (tolerates a null or partial `match`)."""
        match = dossier.get("match") or {}

        def pairs(items: Any) -> tuple[tuple[str, str], ...]:
            return tuple((str(i.get("skill", "")), str(i.get("evidence") or ""))
                         for i in (items or []) if isinstance(i, dict) and i.get("skill"))

        return cls(job_title=str(dossier.get("job_title") or ""),
                   company=str(dossier.get("company") or ""),
                   match_summary=str(match.get("summary") or ""),
                   matched=pairs(match.get("matched")), missing=pairs(match.get("missing")),
                   cover_letter=str(dossier.get("cover_letter") or ""))


@dataclass(frozen=True)
class InterviewContext:
    cv_text: str = ""
    cv_summary: str = ""
    job_description: str = ""
    dossier: DossierContext | None = None
    job_description_from_dossier: bool = field(default=False)

    @property
    def is_empty(self) -> bool:
        return not (self.cv_text.strip() or self.cv_summary.strip()
                    or self.job_description.strip() or self.dossier)

    def passages(self) -> list[Passage]:
        found = cv_passages(self.cv_text)
        found += [Passage(s, "CV summary") for s in _sentences(self.cv_summary)]
        found += [Passage(t, "Job description") for t in _lines_as_passages(self.job_description)]
        if self.dossier:
            d = self.dossier
            found += [Passage(f"{skill}: {evidence}" if evidence else skill, "Dossier: match")
                      for skill, evidence in d.matched]
            found += [Passage(f"{skill} (gap): {evidence}" if evidence else f"{skill} (gap)",
                              "Dossier: gap") for skill, evidence in d.missing]
            found += [Passage(s, "Dossier: match summary") for s in _sentences(d.match_summary)]
            found += [Passage(t, "Dossier: cover letter")
                      for t in _lines_as_passages(d.cover_letter)]
        return [p for p in found if len(p.text.split()) >= 2]


def cv_passages(text: str) -> list[Passage]:
    """CV sentences and bullets under their section headings.

    Text extracted from a PDF wraps mid-sentence, so lines are joined until a sentence ends, a
    bullet starts or a heading comes; the result is cut into sentences, and fragments of under
    six words ride along with their neighbour."""
    section = ""
    paragraphs: list[tuple[str, str]] = []
    buffer: list[str] = []

    def close_paragraph() -> None:
        if buffer:
            paragraphs.append((f"CV: {section}" if section else "CV", " ".join(buffer)))
            buffer.clear()

    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            close_paragraph()
            continue
        heading = _heading(line, known_only=not section)
        if heading:
            close_paragraph()
            section = heading
            continue
        if _BULLET.match(line) or (buffer and buffer[-1].endswith((".", "!", "?"))):
            close_paragraph()
        buffer.append(_BULLET.sub("", line))
    close_paragraph()
    found: list[Passage] = []
    for source, paragraph in paragraphs:
        pieces: list[str] = []
        for sentence in _sentences(paragraph):
            if pieces and (len(pieces[-1].split()) < 6 or len(sentence.split()) < 6) \
                    and len(pieces[-1].split()) + len(sentence.split()) <= MAX_PASSAGE_WORDS:
                pieces[-1] = f"{pieces[-1]} {sentence}"
            else:
                pieces.append(sentence)
        found += [Passage(part, source) for piece in pieces for part in _split_long(piece)]
    return found


def _heading(line: str, *, known_only: bool) -> str | None:
    """A section title; before the first known one, a capitalised line is more likely a name."""
    bare = line.strip(" :#*_-=").strip()
    if not bare or len(bare.split()) > 5 or bare.endswith("."):
        return None
    if bare.lower() in CV_HEADINGS:
        return bare.title() if bare.isupper() or bare.islower() else bare
    letters = [c for c in bare if c.isalpha()]
    shouting = len(letters) >= 4 and all(c.isupper() for c in letters)
    if not known_only and shouting and len(bare.split()) <= 3:
        return bare.title()
    return None


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if s.strip()]


def _lines_as_passages(text: str) -> list[str]:
    found: list[str] = []
    for raw in text.splitlines():
        line = _BULLET.sub("", " ".join(raw.split()))
        if line:
            found += _split_long(line)
    return found


def _split_long(line: str) -> list[str]:
    if len(line.split()) <= MAX_PASSAGE_WORDS:
        return [line]
    pieces: list[str] = []
    for sentence in _sentences(line):
        if pieces and len(pieces[-1].split()) + len(sentence.split()) <= MAX_PASSAGE_WORDS:
            pieces[-1] = f"{pieces[-1]} {sentence}"
        else:
            pieces.append(sentence)
    return pieces
