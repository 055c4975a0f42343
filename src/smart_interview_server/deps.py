"""FastAPI dependencies: the server context, the caller's verified access token and account."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from smart_interview_server.context import ServerContext
from smart_interview_server.errors import ApiError
from smart_interview_server.models import Account, TokenFamily
from smart_interview_server.security import AccessClaims

_bearer = HTTPBearer(auto_error=False, description="Access token from /auth/login")


async def _context(request: Request) -> ServerContext:
    context: ServerContext = request.app.state.context
    return context


Context = Annotated[ServerContext, Depends(_context)]


async def _claims(
    context: Context,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> AccessClaims:
    """Signature and expiry only (no database); `CurrentAccount` finishes the check."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(
            401,
            "not_authenticated",
            "Log in first: send 'Authorization: Bearer <access_token>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return context.signer.verify(credentials.credentials)


Claims = Annotated[AccessClaims, Depends(_claims)]


def invalid_token_error() -> ApiError:
    return ApiError(401, "invalid_token", "The access token is no longer valid; log in again.")


def load_account(session: Session, claims: AccessClaims) -> Account:
    """The caller's account, if it still exists and its login session was not revoked."""
    account = session.scalar(
        select(Account)
        .join(TokenFamily, TokenFamily.account_id == Account.id)
        .where(
            Account.id == claims.account_id,
            TokenFamily.id == claims.family_id,
            TokenFamily.revoked_at.is_(None),
        )
    )
    if account is None:
        raise invalid_token_error()
    return account


_accounts, _families = Account.__table__, TokenFamily.__table__
# Built once: the statement every authenticated request runs.
_ACCOUNT_ID_FOR_TOKEN = (
    select(_accounts.c.id)
    .select_from(_accounts.join(_families, _families.c.account_id == _accounts.c.id))
    .where(
        _accounts.c.id == bindparam("account_id"),
        _families.c.id == bindparam("family_id"),
        _families.c.revoked_at.is_(None),
    )
)


def load_account_id(session: Session | Connection, claims: AccessClaims) -> str:
    """Like `load_account`, but only the id (cheaper: a prepared Core statement)."""
    account_id = session.execute(
        _ACCOUNT_ID_FOR_TOKEN,
        {"account_id": claims.account_id, "family_id": claims.family_id},
    ).scalar()
    if account_id is None:
        raise invalid_token_error()
    return str(account_id)


def _current_account_id(claims: Claims, context: Context) -> str:
    with context.database.read_connection() as connection:
        return load_account_id(connection, claims)


CurrentAccount = Annotated[str, Depends(_current_account_id)]
"""The id of the caller's account: token verified, account present, session not revoked."""


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"
