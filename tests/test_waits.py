"""A wait that times out fails the test and names what it waited for."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.waiting import wait_until


def test_qtbot_wait_until_names_the_condition_on_timeout(qtbot: Any) -> None:
    seen: list[int] = []
    with pytest.raises(AssertionError, match=r"waited 100 ms for: .*bool\(seen"):
        qtbot.waitUntil(lambda: bool(seen), timeout=100)


def test_wait_until_names_the_condition_on_timeout() -> None:
    with pytest.raises(AssertionError, match="the server to answer did not happen"):
        wait_until(lambda: False, timeout=0.05, message="the server to answer")
