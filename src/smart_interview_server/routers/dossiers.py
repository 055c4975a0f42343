"""Interview Dossiers: create from a job (CV snapshot taken now), list, get, delete."""

from __future__ import annotations

import json
import uuid

from fastapi import APIRouter, Response
from sqlalchemy import delete, select

from smart_interview_server.db import affected_rows
from smart_interview_server.deps import Claims, Context, load_account_id
from smart_interview_server.errors import ApiError
from smart_interview_server.models import Cv, Dossier
from smart_interview_server.schemas import (
    CandidateMatch,
    DossierCreate,
    DossierList,
    DossierPublic,
    DossierSummary,
)
from smart_interview_server.security import new_id

router = APIRouter(prefix="/dossiers", tags=["dossiers"])


def _checked_id(dossier_id: str) -> str:
    """Dossier ids are UUIDs; anything else cannot exist (and must not reach the database)."""
    try:
        return str(uuid.UUID(dossier_id))
    except ValueError:
        raise _not_found() from None


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
def create_dossier(body: DossierCreate, claims: Claims, context: Context) -> DossierPublic:
    now = context.clock()
    with context.database.writer() as session:
        account_id = load_account_id(session, claims)
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
def list_dossiers(claims: Claims, context: Context) -> DossierList:
    with context.database.reader() as session:
        account_id = load_account_id(session, claims)
        rows = session.scalars(
            select(Dossier)
            .where(Dossier.account_id == account_id)
            .order_by(Dossier.created_at.desc(), Dossier.id.desc())
        ).all()
        return DossierList(items=[_summary(row) for row in rows])


@router.get("/{dossier_id}", response_model=DossierPublic)
def get_dossier(dossier_id: str, claims: Claims, context: Context) -> DossierPublic:
    dossier_id = _checked_id(dossier_id)
    with context.database.reader() as session:
        account_id = load_account_id(session, claims)
        dossier = session.scalar(
            select(Dossier).where(Dossier.id == dossier_id, Dossier.account_id == account_id)
        )
        if dossier is None:
            raise _not_found()
        return _public(dossier)


@router.delete("/{dossier_id}", status_code=204, response_class=Response)
def delete_dossier(dossier_id: str, claims: Claims, context: Context) -> Response:
    dossier_id = _checked_id(dossier_id)
    with context.database.writer() as session:
        account_id = load_account_id(session, claims)
        deleted = affected_rows(
            session.execute(
                delete(Dossier).where(Dossier.id == dossier_id, Dossier.account_id == account_id)
            )
        )
    if not deleted:
        raise _not_found()
    context.database.forget_deleted_data()
    return Response(status_code=204)
