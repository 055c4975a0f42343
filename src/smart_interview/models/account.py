"""Account, CV and Interview Dossier data as the app sees them (mirrors the backend's v1 API).

Plain frozen dataclasses: the sync client builds them from JSON, the cache stores them, the UI and
the answers engine read them. Timestamps stay ISO-8601 strings exactly as the server sent them, so
a cached copy round-trips byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PENDING = "pending"
READY = "ready"
FAILED = "failed"


@dataclass(frozen=True)
class Account:
    id: str
    email: str
    created_at: str


@dataclass(frozen=True)
class CvSummary:
    status: str
    """"pending", "ready" or "failed"."""
    text: str | None = None
    method: str | None = None
    """"ai:openai", "ai:anthropic" or "extractive" (no AI involved)."""
    error: str | None = None
    updated_at: str | None = None

    @property
    def settled(self) -> bool:
        return self.status in (READY, FAILED)


@dataclass(frozen=True)
class Cv:
    text: str
    file_name: str | None
    characters: int
    updated_at: str
    summary: CvSummary = field(default_factory=lambda: CvSummary(status=PENDING))


@dataclass(frozen=True)
class SkillEvidence:
    skill: str
    evidence: str


@dataclass(frozen=True)
class CandidateMatch:
    """How the CV snapshot meets the job description: 0..100 and the skills behind it."""

    score: int
    matched: tuple[SkillEvidence, ...] = ()
    missing: tuple[SkillEvidence, ...] = ()
    summary: str = ""


@dataclass(frozen=True)
class DossierSummary:
    id: str
    job_title: str
    company: str
    status: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Dossier:
    id: str
    job_title: str
    company: str
    status: str
    created_at: str
    updated_at: str
    job_description: str
    cv_snapshot: str
    """The CV text as it was when the dossier was made; it outlives a deleted CV."""
    error: str | None = None
    method: str | None = None
    """"ai:openai", "ai:anthropic" or "keyword-match" (no AI involved)."""
    match: CandidateMatch | None = None
    cover_letter: str | None = None

    @property
    def settled(self) -> bool:
        return self.status in (READY, FAILED)

    def summary(self) -> DossierSummary:
        return DossierSummary(
            id=self.id,
            job_title=self.job_title,
            company=self.company,
            status=self.status,
            created_at=self.created_at,
            updated_at=self.updated_at,
        )


def account_from_json(raw: dict[str, Any]) -> Account:
    return Account(id=str(raw["id"]), email=str(raw["email"]), created_at=str(raw["created_at"]))


def cv_from_json(raw: dict[str, Any]) -> Cv:
    summary = raw.get("summary") or {"status": PENDING}
    return Cv(
        text=str(raw["text"]),
        file_name=raw.get("file_name"),
        characters=int(raw.get("characters", len(raw["text"]))),
        updated_at=str(raw.get("updated_at", "")),
        summary=CvSummary(
            status=str(summary.get("status", PENDING)),
            text=summary.get("text"),
            method=summary.get("method"),
            error=summary.get("error"),
            updated_at=summary.get("updated_at"),
        ),
    )


def cv_to_json(cv: Cv) -> dict[str, Any]:
    return {
        "text": cv.text,
        "file_name": cv.file_name,
        "characters": cv.characters,
        "updated_at": cv.updated_at,
        "summary": {
            "status": cv.summary.status,
            "text": cv.summary.text,
            "method": cv.summary.method,
            "error": cv.summary.error,
            "updated_at": cv.summary.updated_at,
        },
    }


def dossier_summary_from_json(raw: dict[str, Any]) -> DossierSummary:
    return DossierSummary(
        id=str(raw["id"]),
        job_title=str(raw["job_title"]),
        company=str(raw["company"]),
        status=str(raw["status"]),
        created_at=str(raw["created_at"]),
        updated_at=str(raw.get("updated_at", raw["created_at"])),
    )


def _evidence(items: Any) -> tuple[SkillEvidence, ...]:
    return tuple(
        SkillEvidence(skill=str(item.get("skill", "")), evidence=str(item.get("evidence", "")))
        for item in items or ()
    )


def dossier_from_json(raw: dict[str, Any]) -> Dossier:
    match_raw = raw.get("match")
    match = None
    if isinstance(match_raw, dict):
        match = CandidateMatch(
            score=int(match_raw.get("score", 0)),
            matched=_evidence(match_raw.get("matched")),
            missing=_evidence(match_raw.get("missing")),
            summary=str(match_raw.get("summary") or ""),
        )
    head = dossier_summary_from_json(raw)
    return Dossier(
        id=head.id,
        job_title=head.job_title,
        company=head.company,
        status=head.status,
        created_at=head.created_at,
        updated_at=head.updated_at,
        job_description=str(raw.get("job_description", "")),
        cv_snapshot=str(raw.get("cv_snapshot", "")),
        error=raw.get("error"),
        method=raw.get("method"),
        match=match,
        cover_letter=raw.get("cover_letter"),
    )


def dossier_to_json(dossier: Dossier) -> dict[str, Any]:
    match = None
    if dossier.match is not None:
        match = {
            "score": dossier.match.score,
            "matched": [{"skill": e.skill, "evidence": e.evidence} for e in dossier.match.matched],
            "missing": [{"skill": e.skill, "evidence": e.evidence} for e in dossier.match.missing],
            "summary": dossier.match.summary,
        }
    return {
        "id": dossier.id,
        "job_title": dossier.job_title,
        "company": dossier.company,
        "status": dossier.status,
        "created_at": dossier.created_at,
        "updated_at": dossier.updated_at,
        "job_description": dossier.job_description,
        "cv_snapshot": dossier.cv_snapshot,
        "error": dossier.error,
        "method": dossier.method,
        "match": match,
        "cover_letter": dossier.cover_letter,
    }


@dataclass(frozen=True)
class CvDeletion:
    deleted_on_server: bool
    dossiers_keeping_snapshot: list[DossierSummary]
    """Dossiers made before keep the CV text they were built from; the app offers to delete
    them too."""


@dataclass(frozen=True)
class AccountStatus:
    server_url: str
    local_account: bool
    signed_in: bool
    email: str | None
    online: bool
    has_cv: bool | None
    """None when it could not be checked (offline and nothing cached)."""
    cv_summary_status: str | None
    dossiers: int
    problem: str = ""
