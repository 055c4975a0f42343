"""The account's one CV: put (overwrite), get, delete (for real)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, cast

from fastapi import APIRouter, Response
from sqlalchemy import Connection, RowMapping, Table, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from smart_interview_server.db import affected_rows
from smart_interview_server.deps import Context, CurrentAccount
from smart_interview_server.errors import ApiError
from smart_interview_server.models import Cv
from smart_interview_server.schemas import CvPublic, CvPut, CvSummary

router = APIRouter(prefix="/cv", tags=["cv"])

_NOT_FOUND = ("cv_not_found", "This account has no CV; upload one with PUT /api/v1/cv.")


_cvs = cast(Table, Cv.__table__)
_CV_BY_ACCOUNT = select(_cvs).where(_cvs.c.account_id == bindparam("account_id"))


def _public(cv: RowMapping) -> CvPublic:
    return CvPublic(
        text=cv["text"],
        file_name=cv["file_name"],
        characters=cv["characters"],
        updated_at=cv["updated_at"],
        summary=CvSummary(
            status=cv["summary_status"],
            text=cv["summary_text"],
            method=cv["summary_method"],
            error=cv["summary_error"],
            updated_at=cv["summary_updated_at"],
        ),
    )


@router.put("", response_model=CvPublic)
def put_cv(body: CvPut, account_id: CurrentAccount, context: Context) -> CvPublic:
    now = context.clock()
    method = context.worker.summary_method
    # The non-AI summary takes a millisecond: made here, outside the write lock, it is ready
    # at once. An AI summary is made in the background (status "pending" until then).
    local_summary = context.worker.local_summary(body.text)
    values = {
        "text": body.text,
        "file_name": body.file_name,
        "characters": len(body.text),
        "updated_at": now,
        "summary_status": "pending" if local_summary is None else "ready",
        "summary_text": local_summary,
        "summary_method": method,
        "summary_error": None,
        "summary_updated_at": now,
        "summary_lease_until": None,
    }
    with context.database.write_connection() as connection:
        revision = _upsert(connection, account_id=account_id, values=values)
    if revision > 1:  # the CV it replaced is erased like a deleted one
        context.database.forget_deleted_data()
    if local_summary is None:
        context.worker.submit_summary(account_id, revision)
    return CvPublic(
        text=body.text,
        file_name=body.file_name,
        characters=len(body.text),
        updated_at=now,
        summary=CvSummary(
            status="pending" if local_summary is None else "ready",
            text=local_summary,
            method=method,
            error=None,
            updated_at=now,
        ),
    )


_UPDATED_COLUMNS = (
    "text",
    "file_name",
    "characters",
    "updated_at",
    "summary_status",
    "summary_text",
    "summary_method",
    "summary_error",
    "summary_updated_at",
    "summary_lease_until",
)


@functools.cache
def _upsert_statement(dialect: str) -> Any:
    """INSERT … ON CONFLICT DO UPDATE … RETURNING revision, built once per dialect."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(_cvs).values(
        account_id=bindparam("account_id"),
        revision=1,
        **{name: bindparam(name, type_=_cvs.c[name].type) for name in _UPDATED_COLUMNS},
    )
    return statement.on_conflict_do_update(
        index_elements=[_cvs.c.account_id],
        set_={
            **{name: statement.excluded[name] for name in _UPDATED_COLUMNS},
            "revision": _cvs.c.revision + 1,
        },
    ).returning(_cvs.c.revision)


def _upsert(connection: Connection, *, account_id: str, values: Mapping[str, object]) -> int:
    """One statement: insert the CV or overwrite the one there; returns the new revision."""
    statement = _upsert_statement(connection.dialect.name)
    return int(connection.execute(statement, {"account_id": account_id, **values}).scalar_one())


@router.get("", response_model=CvPublic)
def get_cv(account_id: CurrentAccount, context: Context) -> CvPublic:
    with context.database.read_connection() as connection:
        cv = connection.execute(_CV_BY_ACCOUNT, {"account_id": account_id}).mappings().first()
    if cv is None:
        raise ApiError(404, *_NOT_FOUND)
    return _public(cv)


@router.delete("", status_code=204, response_class=Response)
def delete_cv(account_id: CurrentAccount, context: Context) -> Response:
    with context.database.writer() as session:
        deleted = affected_rows(session.execute(delete(Cv).where(Cv.account_id == account_id)))
    if not deleted:
        raise ApiError(404, *_NOT_FOUND)
    context.database.forget_deleted_data()
    return Response(status_code=204)
