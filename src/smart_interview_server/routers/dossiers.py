"""Interview Dossiers: create from a job (CV snapshot taken now), list, get, delete."""

from __future__ import annotations

import json
import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy import delete, select

from smart_interview_server.db import affected_rows
from smart_interview_server.deps import Context, CurrentAccount
from smart_interview_server.errors import ApiError
from smart_interview_server.models import Cv, Dossier
from smart_interview_server.rate_limit import consume_quota, throttle_key
from smart_interview_server.schemas import (
    CandidateMatch,
    DossierCreate,
    DossierList,
    DossierPublic,
    DossierSummary,
)
from smart_interview_server.security import new_id

router = APIRouter(prefix="/dossiers", tags=["dossiers"])


MAX_PAGE = 100
_DAY_SECONDS = 24 * 3600

# A malformed id is a 422 validation error (it can name no dossier of any account); a
# well-formed id of another account's dossier gets the same 404 as one that never existed.
DossierId = Annotated[uuid.UUID, Path(description="The dossier's id (a UUID)")]


def _not_found() -> ApiError:
    return ApiError(404, "dossier_not_found", "There is no dossier with this id.")


def _summary(dossier: Dossier) -> DossierSummary:
    return DossierSummary(
        id=dossier.id,
        job_title=dossier.job_title,
        company=dossier.company,
        status=dossier.status,  # type: ignore[arg-type]
        created_at=dossier.created_at,
        updated_at=dossier.updated_at,
    )


def _public(dossier: Dossier) -> DossierPublic:
    match = (
        CandidateMatch.model_validate(json.loads(dossier.match_json))
        if dossier.match_json
        else None
    )
    return DossierPublic(
        **_summary(dossier).model_dump(),
        job_description=dossier.job_description,
        cv_snapshot=dossier.cv_snapshot,
        error=dossier.error,
        method=dossier.method,
        match=match,
        cover_letter=dossier.cover_letter,
    )


@router.post("", status_code=202, response_model=DossierPublic)
def create_dossier(
    body: DossierCreate, account_id: CurrentAccount, context: Context
) -> DossierPublic:
    now = context.clock()
    with context.database.writer() as session:
        consume_quota(
            session,
            throttle_key("dossiers", account_id),
            limit=context.settings.dossiers_per_day,
            window_seconds=_DAY_SECONDS,
            now=now,
            what=f"This account has created its {context.settings.dossiers_per_day} dossiers "
            "for the last 24 hours (each one may be a paid AI call).",
        )
        cv_text = session.scalar(select(Cv.text).where(Cv.account_id == account_id))
        if cv_text is None:
            raise ApiError(
                409, "cv_required", "Upload a CV first: a dossier is built from your CV."
            )
        dossier = Dossier(
            id=new_id(),
            account_id=account_id,
            job_title=body.job_title,
            company=body.company,
            job_description=body.job_description,
            cv_snapshot=cv_text,
            status="pending",
            method=context.worker.match_method,
            created_at=now,
            updated_at=now,
        )
        session.add(dossier)
    context.worker.submit_dossier(dossier.id)
    return _public(dossier)


@router.get("", response_model=DossierList)
def list_dossiers(
    account_id: CurrentAccount,
    context: Context,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="page size")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="items to skip")] = 0,
) -> DossierList:
    """Newest first, one page at a time; ``next_offset`` is null on the last page."""
    with context.database.reader() as session:
        rows = session.scalars(
            select(Dossier)
            .where(Dossier.account_id == account_id)
            .order_by(Dossier.created_at.desc(), Dossier.id.desc())
            .limit(limit + 1)
            .offset(offset)
        ).all()
        more = len(rows) > limit
        return DossierList(
            items=[_summary(row) for row in rows[:limit]],
            limit=limit,
            offset=offset,
            next_offset=offset + limit if more else None,
        )


@router.get("/{dossier_id}", response_model=DossierPublic)
def get_dossier(
    dossier_id: DossierId, account_id: CurrentAccount, context: Context
) -> DossierPublic:
    with context.database.reader() as session:
        dossier = session.scalar(
            select(Dossier).where(
                Dossier.id == str(dossier_id), Dossier.account_id == account_id
            )
        )
        if dossier is None:
            raise _not_found()
        return _public(dossier)


@router.delete("/{dossier_id}", status_code=204, response_class=Response)
def delete_dossier(
    dossier_id: DossierId, account_id: CurrentAccount, context: Context
) -> Response:
    with context.database.writer() as session:
        deleted = affected_rows(
            session.execute(
                delete(Dossier).where(
                    Dossier.id == str(dossier_id), Dossier.account_id == account_id
                )
            )
        )
    if not deleted:
        raise _not_found()
    context.database.forget_deleted_data()
    return Response(status_code=204)
