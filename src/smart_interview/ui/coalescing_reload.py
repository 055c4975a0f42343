"""A page's "load what is shown" job, one at a time, with the reloads in between coalesced.

A reload asked for while a load runs does not start a second one: it is remembered, and when
the running load's result arrives one more load starts, so the page never stays on data older
than the last change it was told about (the running load may have read before that change).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from smart_interview.ui.workers import Job, JobControl, start_job


class CoalescingReload:
    def __init__(
        self,
        work: Callable[[JobControl], Any],
        *,
        name: str,
        on_success: Callable[[Any], None],
        on_error: Callable[[str], None],
    ) -> None:
        self._work = work
        self._name = name
        self._on_success = on_success
        self._on_error = on_error
        self.job: Job | None = None
        """The load that is running, if any."""
        self._again = False

    def __call__(self) -> Job:
        """Start a load, or mark the running one as stale so another follows it."""
        if self.job is not None:
            self._again = True
            return self.job
        self._again = False
        self.job = start_job(self._work, name=self._name, on_success=self._succeeded,
                             on_error=self._on_error, on_done=self._done)
        return self.job

    def _done(self) -> None:
        self.job = None

    def _succeeded(self, result: Any) -> None:
        if self._again:
            self()
        self._on_success(result)
