"""The server's Retry-After parser and the desktop app's (two packages that must not import
each other) read the same table of headers the same way."""

from __future__ import annotations

import email.utils
import os
import subprocess
import sys

import httpx
import pytest

from smart_interview.answers.providers.sse import parse_retry_after as desktop_parse
from smart_interview_server.generation.providers import parse_retry_after as server_parse

NOW = 1_790_000_000.0


def _table(now: float) -> list[str]:
    return [
        "0", "5", "120", " 7 ", "1.5", "+5", "-5", "-0", "1e3", "1_000",  # delta-seconds
        "99999999999999999999", "1e400", "inf", "nan",  # huge and odd numbers
        "", "soon", "0x10", "5 seconds", "Wed, 99 Foo 2015 07:28:00 GMT",  # garbage
        "Wed, 21 Oct 2015 07:28:00 GMT",  # a date long past
        email.utils.formatdate(now + 30, usegmt=True),  # IMF-fixdate 30 s ahead
        email.utils.formatdate(now + 30, localtime=False).replace("-0000", "+0000"),
        email.utils.formatdate(now + 90000, usegmt=True),  # a day ahead
    ]  # fmt: skip


@pytest.mark.parametrize("value", _table(NOW))
def test_both_parsers_agree(value: str) -> None:
    desktop = desktop_parse(httpx.Headers({"retry-after": value}), now=NOW)
    server = server_parse(value, now=NOW)
    if server is None:
        assert desktop is None
    else:
        assert desktop == pytest.approx(server)


def test_known_answers() -> None:
    assert server_parse("120", now=NOW) == 120.0
    assert server_parse("-5", now=NOW) == 0.0
    assert server_parse("soon", now=NOW) is None and server_parse(None, now=NOW) is None
    assert server_parse(email.utils.formatdate(NOW + 30, usegmt=True), now=NOW) == 30.0
    assert server_parse("Wed, 21 Oct 2015 07:28:00 GMT", now=NOW) == 0.0


_ZONELESS_DATES = """
import email.utils, httpx, sys, time
from smart_interview.answers.providers.sse import parse_retry_after as desktop
from smart_interview_server.generation.providers import parse_retry_after as server
now = time.time()
fixdate = email.utils.formatdate(now + 30, usegmt=True)
for value in (fixdate.replace("GMT", "-0000"),
              time.strftime("%a %b %d %H:%M:%S %Y", time.gmtime(now + 30))):
    print(server(value, now=now), desktop(httpx.Headers({"retry-after": value}), now=now))
"""


def _zoneless(timezone: str) -> list[tuple[float, float]]:
    result = subprocess.run(
        [sys.executable, "-c", _ZONELESS_DATES],
        env={**os.environ, "TZ": timezone},
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return [tuple(map(float, line.split())) for line in result.stdout.splitlines()]  # type: ignore[misc]


def test_zoneless_http_dates_are_gmt_for_the_server_in_any_time_zone() -> None:
    for server, _desktop in _zoneless("Asia/Kolkata"):
        assert server == pytest.approx(30, abs=1)


def test_zoneless_http_dates_agree_outside_utc() -> None:
    for server, desktop in _zoneless("Asia/Kolkata"):
        assert desktop == pytest.approx(server, abs=1)

