"""Register, log in (throttled, device tokens), refresh (rotating, with reuse detection), log out
one session or every session."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Request, Response
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from smart_interview_server.context import ServerContext
from smart_interview_server.db import affected_rows
from smart_interview_server.deps import Context, CurrentAccount, client_ip
from smart_interview_server.errors import ApiError
from smart_interview_server.models import Account, RefreshToken, TokenFamily
from smart_interview_server.passwords import check_new_password
from smart_interview_server.rate_limit import LoginKeys, consume_quota, throttle_key
from smart_interview_server.schemas import (
    Credentials,
    LoginRequest,
    RefreshRequest,
    RegistrationAccepted,
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

_REGISTRATION_WINDOW_SECONDS = 3600


@router.post("/register", status_code=202, response_model=RegistrationAccepted)
async def register(body: Credentials, request: Request, context: Context) -> RegistrationAccepted:
    """The same answer, after the same work, whether or not the e-mail already has an account."""
    check_new_password(body.password, email=body.email)
    now, ip = context.clock(), client_ip(request)

    def count_registration() -> None:
        with context.database.writer() as session:
            consume_quota(
                session,
                throttle_key("register-ip", ip),
                limit=context.settings.registrations_per_ip,
                window_seconds=_REGISTRATION_WINDOW_SECONDS,
                now=now,
                what="Too many accounts were registered from this network in the last hour.",
            )

    await run_in_threadpool(count_registration)
    password_hash = await context.hashes.run(hash_password, body.password)

    def create() -> None:
        try:
            with context.database.writer() as session:
                if session.scalar(select(Account.id).where(Account.email == body.email)):
                    return
                session.add(
                    Account(
                        id=new_id(), email=body.email, password_hash=password_hash, created_at=now
                    )
                )
        except IntegrityError:
            return  # registered a moment ago by a concurrent request

    await run_in_threadpool(create)
    return RegistrationAccepted(
        email=body.email,
        message="If this address had no account, it has one now: log in with it.",
    )


@router.post("/login", response_model=TokenPair)
async def login(body: LoginRequest, request: Request, context: Context) -> TokenPair:
    email, now = body.email.strip().lower(), context.clock()
    device_nonce = context.devices.nonce(body.device_token, email=email)
    keys = LoginKeys.for_attempt(email=email, ip=client_ip(request), device_nonce=device_nonce)

    def reserve() -> Account | None:
        with context.database.writer() as session:
            context.limiter.reserve(session, keys, now=now)
        with context.database.reader() as session:
            return session.scalar(select(Account).where(Account.email == email))

    account = await run_in_threadpool(reserve)
    try:
        valid = await context.hashes.run(
            verify_password, account.password_hash if account else None, body.password
        )
    except ApiError:
        await run_in_threadpool(_in_writer, context, lambda s: context.limiter.unchecked(s, keys))
        raise
    if not valid or account is None:
        raise ApiError(401, "invalid_credentials", "The e-mail address or password is wrong.")

    def start_session(session: Session) -> TokenPair:
        context.limiter.succeeded(session, keys)
        family_id = new_id()
        session.add(TokenFamily(id=family_id, account_id=account.id, created_at=now))
        session.flush()
        return _issue(session, context, account_id=account.id, family_id=family_id, login_at=now,
                      now=now)

    tokens = await run_in_threadpool(_in_writer, context, start_session)
    return tokens.model_copy(update={"device_token": context.devices.issue(email=email, now=now)})


def _in_writer(context: ServerContext, work):  # type: ignore[no-untyped-def]
    with context.database.writer() as session:
        return work(session)


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
                session,
                context,
                account_id=token.account_id,
                family_id=family.id,
                login_at=family.created_at,
                now=now,
            )
    raise failure


@router.post("/logout", status_code=204, response_class=Response)
def logout(body: RefreshRequest, account_id: CurrentAccount, context: Context) -> Response:
    now = context.clock()
    with context.database.writer() as session:
        family_id = session.scalar(
            select(RefreshToken.family_id).where(
                RefreshToken.token_hash == hash_refresh_token(body.refresh_token),
                RefreshToken.account_id == account_id,
            )
        )
        if family_id is not None:
            _revoke_family(session, family_id, reason="logout", now=now)
    return Response(status_code=204)


@router.post("/logout-all", status_code=204, response_class=Response)
def logout_everywhere(account_id: CurrentAccount, context: Context) -> Response:
    """Sign out every session of the account, this one included."""
    with context.database.writer() as session:
        revoke_sessions(session, account_id, reason="logout_all", now=context.clock())
    return Response(status_code=204)


def revoke_sessions(
    session: Session, account_id: str, *, reason: str, now: datetime, keep: str | None = None
) -> None:
    """Revoke every login session of the account (except ``keep``, a family id)."""
    statement = update(TokenFamily).where(
        TokenFamily.account_id == account_id, TokenFamily.revoked_at.is_(None)
    )
    if keep is not None:
        statement = statement.where(TokenFamily.id != keep)
    session.execute(statement.values(revoked_at=now, revoked_reason=reason))


def _revoke_family(session: Session, family_id: str, *, reason: str, now: datetime) -> None:
    session.execute(
        update(TokenFamily)
        .where(TokenFamily.id == family_id, TokenFamily.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )


def _issue(
    session: Session,
    context: ServerContext,
    *,
    account_id: str,
    family_id: str,
    login_at: datetime,
    now: datetime,
) -> TokenPair:
    """A new token pair; the refresh token expires a fixed time after the login (``login_at``),
    however often it is rotated."""
    settings = context.settings
    token, token_hash = new_refresh_token()
    expires_at = login_at + timedelta(seconds=settings.refresh_token_ttl_seconds)
    session.add(
        RefreshToken(
            id=new_id(),
            family_id=family_id,
            account_id=account_id,
            token_hash=token_hash,
            created_at=now,
            expires_at=expires_at,
        )
    )
    return TokenPair(
        access_token=context.signer.issue(account_id=account_id, family_id=family_id, now=now),
        refresh_token=token,
        expires_in=settings.access_token_ttl_seconds,
        refresh_expires_in=max(1, int((expires_at - now).total_seconds())),
    )
