"""Register, log in, refresh (rotating, with reuse detection), log out."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Request, Response
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smart_interview_server.context import ServerContext
from smart_interview_server.db import affected_rows
from smart_interview_server.deps import Claims, Context, client_ip, load_account
from smart_interview_server.errors import ApiError
from smart_interview_server.models import Account, RefreshToken, TokenFamily
from smart_interview_server.schemas import (
    AccountPublic,
    Credentials,
    LoginRequest,
    RefreshRequest,
    TokenPair,
)
from smart_interview_server.security import (
    hash_password,
    hash_refresh_token,
    new_id,
    new_refresh_token,
    verify_password,
)

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/register", status_code=201, response_model=AccountPublic)
def register(body: Credentials, context: Context) -> AccountPublic:
    password_hash = hash_password(body.password)
    taken = ApiError(409, "email_taken", "An account with this e-mail address already exists.")
    try:
        with context.database.writer() as session:
            if session.scalar(select(Account.id).where(Account.email == body.email)):
                raise taken
            account = Account(
                id=new_id(),
                email=body.email,
                password_hash=password_hash,
                created_at=context.clock(),
            )
            session.add(account)
    except IntegrityError:
        raise taken from None
    return AccountPublic(id=account.id, email=account.email, created_at=account.created_at)


@router.post("/login", response_model=TokenPair)
def login(body: LoginRequest, request: Request, context: Context) -> TokenPair:
    email, ip, now = body.email.strip().lower(), client_ip(request), context.clock()
    with context.database.reader() as session:
        context.limiter.check(session, email=email, ip=ip, now=now)
        account = session.scalar(select(Account).where(Account.email == email))
    if not verify_password(account.password_hash if account else None, body.password):
        with context.database.writer() as session:
            context.limiter.record_failure(session, email=email, ip=ip, now=now)
        raise ApiError(401, "invalid_credentials", "The e-mail address or password is wrong.")
    assert account is not None
    with context.database.writer() as session:
        context.limiter.forget_account(session, email=email)
        family_id = new_id()
        session.add(TokenFamily(id=family_id, account_id=account.id, created_at=now))
        session.flush()
        return _issue(session, context, account_id=account.id, family_id=family_id, now=now)


@router.post("/refresh", response_model=TokenPair)
def refresh(body: RefreshRequest, context: Context) -> TokenPair:
    now = context.clock()
    failure: ApiError | None = None
    with context.database.writer() as session:
        row = session.execute(
            select(RefreshToken, TokenFamily)
            .join(TokenFamily, TokenFamily.id == RefreshToken.family_id)
            .where(RefreshToken.token_hash == hash_refresh_token(body.refresh_token))
        ).one_or_none()
        if row is None:
            raise ApiError(401, "invalid_token", "The refresh token is not valid.")
        token, family = row
        reused = ApiError(
            401,
            "refresh_token_reused",
            "This refresh token was already used; every session it belongs to was signed "
            "out. Log in again.",
        )
        if token.used_at is not None:
            _revoke_family(session, family.id, reason="reuse", now=now)
            failure = reused
        elif family.revoked_at is not None:
            failure = ApiError(401, "invalid_token", "This session was signed out; log in again.")
        elif token.expires_at <= now:
            failure = ApiError(401, "token_expired", "The refresh token has expired; log in again.")
        elif not affected_rows(
            session.execute(
                update(RefreshToken)
                .where(RefreshToken.id == token.id, RefreshToken.used_at.is_(None))
                .values(used_at=now)
            )
        ):  # spent a moment ago by a concurrent request with the same token
            _revoke_family(session, family.id, reason="reuse", now=now)
            failure = reused
        else:
            return _issue(
                session, context, account_id=token.account_id, family_id=family.id, now=now
            )
    raise failure


@router.post("/logout", status_code=204, response_class=Response)
def logout(body: RefreshRequest, claims: Claims, context: Context) -> Response:
    now = context.clock()
    with context.database.writer() as session:
        account = load_account(session, claims)
        family_id = session.scalar(
            select(RefreshToken.family_id).where(
                RefreshToken.token_hash == hash_refresh_token(body.refresh_token),
                RefreshToken.account_id == account.id,
            )
        )
        if family_id is not None:
            _revoke_family(session, family_id, reason="logout", now=now)
    return Response(status_code=204)


def _revoke_family(session: Session, family_id: str, *, reason: str, now: datetime) -> None:
    session.execute(
        update(TokenFamily)
        .where(TokenFamily.id == family_id, TokenFamily.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )


def _issue(
    session: Session, context: ServerContext, *, account_id: str, family_id: str, now: datetime
) -> TokenPair:
    settings = context.settings
    token, token_hash = new_refresh_token()
    session.add(
        RefreshToken(
            id=new_id(),
            family_id=family_id,
            account_id=account_id,
            token_hash=token_hash,
            created_at=now,
            expires_at=now + timedelta(seconds=settings.refresh_token_ttl_seconds),
        )
    )
    return TokenPair(
        access_token=context.signer.issue(account_id=account_id, family_id=family_id, now=now),
        refresh_token=token,
        expires_in=settings.access_token_ttl_seconds,
        refresh_expires_in=settings.refresh_token_ttl_seconds,
    )
