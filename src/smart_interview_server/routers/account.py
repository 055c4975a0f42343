"""The caller's account: read it, or delete it with everything it owns."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import delete

from smart_interview_server.deps import Claims, Context, load_account
from smart_interview_server.models import Account, Cv, Dossier, RefreshToken, TokenFamily
from smart_interview_server.schemas import AccountPublic

router = APIRouter(prefix="/account", tags=["account"])


@router.get("", response_model=AccountPublic)
def get_account(claims: Claims, context: Context) -> AccountPublic:
    with context.database.reader() as session:
        account = load_account(session, claims)
    return AccountPublic(id=account.id, email=account.email, created_at=account.created_at)


@router.delete("", status_code=204, response_class=Response)
def delete_account(claims: Claims, context: Context) -> Response:
    with context.database.writer() as session:
        account = load_account(session, claims)
        # Explicit deletes (not only ON DELETE CASCADE) so nothing depends on the pragma.
        for table in (Dossier, Cv, RefreshToken, TokenFamily):
            session.execute(delete(table).where(table.account_id == account.id))
        context.limiter.forget_account(session, email=account.email)
        session.execute(delete(Account).where(Account.id == account.id))
    context.database.forget_deleted_data()
    return Response(status_code=204)
