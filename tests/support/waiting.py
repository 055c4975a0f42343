"""Waiting on a condition in tests, never for a fixed time.

Threads and processes that offer no event to wait on (a server process coming up, a
PulseAudio sink changing state, a background job in another process) are polled: the
condition is checked every `interval` seconds until it holds or `timeout` runs out, which
fails the test with `message`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(condition: Callable[[], T], *, timeout: float, interval: float = 0.05,
               message: str = "condition") -> T:
    """Returns the first truthy value of `condition()`; raises AssertionError on timeout."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{message} did not happen within {timeout} s")
        pause.wait(interval)
