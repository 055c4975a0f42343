"""What every provider offers, and the cancellation token the pipeline hands them."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Protocol

from smart_interview.answers.context import AnswerRequest


class Cancellation:
    """Set once; closes whatever was registered (the open HTTP response) so a blocked read
    returns at once instead of waiting for the provider's next byte."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._closers: list[Callable[[], None]] = []

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        with self._lock:
            self._event.set()
            closers, self._closers = self._closers, []
        for close in closers:
            with contextlib.suppress(Exception):  # closing a dying connection may complain
                close()

    def on_cancel(self, close: Callable[[], None]) -> None:
        with self._lock:
            if not self._event.is_set():
                self._closers.append(close)
                return
        close()

    def wait(self, seconds: float) -> bool:
        """Sleeps up to `seconds`; True when cancelled meanwhile."""
        return self._event.wait(seconds)

    def sleep(self, seconds: float) -> None:
        """A retry pause that ends early on cancellation."""
        self._event.wait(seconds)


class ChatProvider(Protocol):
    name: str
    """For messages: "OpenAI", "Anthropic", "the server at 127.0.0.1:11434"."""

    def stream(self, request: AnswerRequest, *, cancel: Cancellation) -> Iterator[str]:
        """Yields text deltas. Raises `ProviderError`; returns quietly when cancelled."""
        ...
