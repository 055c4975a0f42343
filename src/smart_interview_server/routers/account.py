"""The caller's account: read it, change its password, or delete it with everything it owns.
Changing the password and deleting the account both ask for the password again."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import delete, update
from starlette.concurrency import run_in_threadpool

from smart_interview_server.context import ServerContext
from smart_interview_server.deps import Claims, Context, CurrentAccount, invalid_token_error
from smart_interview_server.errors import ApiError
from smart_interview_server.models import Account, Cv, Dossier, RefreshToken, TokenFamily
from smart_interview_server.passwords import check_new_password
from smart_interview_server.rate_limit import LoginKeys, throttle_key
from smart_interview_server.routers.auth import revoke_sessions
from smart_interview_server.schemas import AccountPublic, PasswordChange, Reauthentication
from smart_interview_server.security import hash_password, verify_password

router = APIRouter(prefix="/account", tags=["account"])


@router.get("", response_model=AccountPublic)
def get_account(account_id: CurrentAccount, context: Context) -> AccountPublic:
    with context.database.reader() as session:
        account = _existing(session.get(Account, account_id))
    return AccountPublic(id=account.id, email=account.email, created_at=account.created_at)


def _existing(account: Account | None) -> Account:
    if account is None:  # deleted a moment ago by another request
        raise invalid_token_error()
    return account


async def _reauthenticate(context: ServerContext, account_id: str, password: str) -> Account:
    """The account, if ``password`` is its password (throttled like logins, per account)."""
    keys = LoginKeys(client=throttle_key("reauth", account_id), network=None)
    now = context.clock()

    def reserve() -> Account:
        with context.database.writer() as session:
            context.limiter.reserve(session, keys, now=now)
            return _existing(session.get(Account, account_id))

    account = await run_in_threadpool(reserve)
    if not await context.hashes.run(verify_password, account.password_hash, password):
        raise ApiError(
            403, "reauthentication_failed", "The password is wrong; nothing was changed."
        )

    def forget() -> None:
        with context.database.writer() as session:
            context.limiter.succeeded(session, keys)

    await run_in_threadpool(forget)
    return account


@router.post("/password", status_code=204, response_class=Response)
async def change_password(
    body: PasswordChange, account_id: CurrentAccount, claims: Claims, context: Context
) -> Response:
    """Set a new password; every other session of the account is signed out."""
    account = await _reauthenticate(context, account_id, body.current_password)
    check_new_password(body.new_password, email=account.email)
    password_hash = await context.hashes.run(hash_password, body.new_password)

    def store() -> None:
        with context.database.writer() as session:
            session.execute(
                update(Account).where(Account.id == account_id).values(password_hash=password_hash)
            )
            revoke_sessions(
                session, account_id, reason="password_changed", now=context.clock(),
                keep=claims.family_id,
            )

    await run_in_threadpool(store)
    return Response(status_code=204)


@router.delete("", status_code=204, response_class=Response)
async def delete_account(
    body: Reauthentication, account_id: CurrentAccount, context: Context
) -> Response:
    """Delete the account and everything it owns; the body must hold the account's password."""
    await _reauthenticate(context, account_id, body.password)

    def erase() -> None:
        with context.database.writer() as session:
            # Explicit deletes (not only ON DELETE CASCADE) so nothing depends on the pragma.
            for table in (Dossier, Cv, RefreshToken, TokenFamily):
                session.execute(delete(table).where(table.account_id == account_id))
            session.execute(delete(Account).where(Account.id == account_id))
        context.database.forget_deleted_data()

    await run_in_threadpool(erase)
    return Response(status_code=204)



