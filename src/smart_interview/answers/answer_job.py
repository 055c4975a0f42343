"""One streamed answer: its question, cancellation and worker thread, and the pipeline's counts.

`stream_answer` runs on the job's thread: it streams the provider's deltas, retries once
after a short rate limit, and hands every event to `send`, which returns False once the job is
no longer wanted (it was cancelled or replaced), so nothing of a dropped answer goes out.
Cancelling a job closes its HTTP response (`Cancellation`), so a provider stops sending and
charging for tokens at once.

A speculative job is asked on a pause partial, before the question is final; `question` is
the text its request holds, so the final can be compared with it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from tenacity import Retrying, retry_if_exception, stop_after_attempt

from smart_interview.answers.context import AnswerRequest
from smart_interview.answers.errors import ProviderError
from smart_interview.answers.providers.base import Cancellation, ChatProvider
from smart_interview.answers.providers.sse import redact
from smart_interview.models.answers import (
    AnswerDelta,
    AnswerDone,
    AnswerEvent,
    AnswerFailed,
    Question,
)


@dataclass
class AnswerJob:
    question: Question
    speculative: bool = False
    cancellation: Cancellation = field(default_factory=Cancellation)
    thread: threading.Thread | None = None


@dataclass
class AnswerStats:
    """What the pipeline did, for benchmarks and tests."""

    requests: Counter[str] = field(default_factory=Counter)
    """Answer requests sent per question id."""
    early: int = 0
    """Early questions shown (on a partial)."""
    confirmed: int = 0
    """Early questions the final confirmed."""
    withdrawn: int = 0
    speculative: int = 0
    """Requests started on a pause partial."""
    kept: int = 0
    """Speculative requests the final kept."""
    discarded: int = 0
    """Requests cancelled before their answer was used (their text thrown away)."""


Send = Callable[[AnswerJob, AnswerEvent], bool]


def stream_answer(job: AnswerJob, request: AnswerRequest, *, provider: ChatProvider,
                  clock: Callable[[], float], send: Send, quick_retry_max_s: float) -> None:
    pieces: list[str] = []
    question_id = job.question.id

    def worth_a_quick_retry(exc: BaseException) -> bool:
        return (isinstance(exc, ProviderError) and exc.code == "rate_limited"
                and exc.retry_after is not None and exc.retry_after <= quick_retry_max_s)

    retrying = Retrying(
        stop=stop_after_attempt(2),
        retry=retry_if_exception(worth_a_quick_retry),
        wait=lambda state: _retry_after(state.outcome.exception() if state.outcome else None),
        sleep=job.cancellation.sleep,
        reraise=True,
    )
    try:
        for attempt in retrying:
            with attempt:
                if job.cancellation.cancelled:
                    return
                for delta in provider.stream(request, cancel=job.cancellation):
                    pieces.append(delta)
                    if not send(job, AnswerDelta(emitted_at=clock(), question_id=question_id,
                                                 text=delta)):
                        job.cancellation.cancel()  # no longer wanted: stop paying for it
                        return
    except ProviderError as exc:
        send(job, AnswerFailed(emitted_at=clock(), question_id=question_id, code=exc.code,
                               message=exc.message))
        return
    except Exception as exc:  # a bug must not end the session silently
        message = redact(f"The answer failed unexpectedly ({type(exc).__name__}).", ())
        send(job, AnswerFailed(emitted_at=clock(), question_id=question_id, code="internal",
                               message=message))
        return
    send(job, AnswerDone(emitted_at=clock(), question_id=question_id, text="".join(pieces)))


def _retry_after(exc: BaseException | None) -> float:
    return float(exc.retry_after or 0.0) if isinstance(exc, ProviderError) else 0.0
