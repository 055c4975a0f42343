"""Password policy and the bound on concurrent password hashes.

Common passwords: the 30,000 most common passwords of the Xato corpus, as shipped (ranked) by
the zxcvbn package's frequency lists (MIT). Compared case-insensitively.

Hashes: argon2 costs tens of milliseconds of CPU. At most one hash per core runs at a time in
each instance; at most ``max_waiting`` more wait (without holding a request thread), and beyond
that the request gets 503 with Retry-After. The bound is per instance because what it protects,
the instance's cores, is per instance.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

from smart_interview_server.errors import ApiError

T = TypeVar("T")


@functools.cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def check_new_password(password: str, *, email: str) -> None:
    """Raise 422 ``password_too_common`` for a well-known password or one made of the e-mail."""
    lowered = password.lower()
    local_part = email.split("@", 1)[0].lower()
    if lowered in _common_passwords() or lowered in (email.lower(), local_part):
        raise ApiError(
            422,
            "password_too_common",
            "This password is on the list of the most common passwords (or is your e-mail "
            "address), so it is among the first ones guessed. Choose another, e.g. three or "
            "four unrelated words.",
        )


class HashGate:
    def __init__(self, *, slots: int, max_waiting: int) -> None:
        self.slots = slots
        self.max_waiting = max_waiting
        self._limiter: anyio.CapacityLimiter | None = None

    async def run(self, function: Callable[..., T], *args: object) -> T:
        if self._limiter is None:  # made on first use: it belongs to the running event loop
            self._limiter = anyio.CapacityLimiter(self.slots)
        statistics = self._limiter.statistics()
        busy = statistics.borrowed_tokens >= self.slots
        if busy and statistics.tasks_waiting >= self.max_waiting:
            raise ApiError(
                503,
                "server_busy",
                "The server is busy checking other passwords; try again in a moment.",
                headers={"Retry-After": "1"},
            )
        return await anyio.to_thread.run_sync(
            functools.partial(function, *args), limiter=self._limiter
        )
