"""Transport and flood hardening, sent as an attacker would, to the real server process."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.server.harness import (
    API,
    PASSWORD,
    ServerProcess,
    assert_error,
    login,
    new_user,
    register,
    unique_email,
)

CV = "Python engineer\nSQL, Docker"
JOB = {"job_title": "Engineer", "company": "Acme", "job_description": "Python and SQL"}


def _raw_connection(server: ServerProcess) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=30)


def _closed_after(sock: socket.socket) -> tuple[float, bytes]:
    """Seconds until the server closes the connection, and what it sent before."""
    started, received = time.monotonic(), b""
    while chunk := sock.recv(4096):
        received += chunk
    return time.monotonic() - started, received


def test_half_sent_headers_are_closed_within_the_read_timeout(
    sqlite_server: ServerProcess,
) -> None:
    sqlite_server.args = ["--request-read-timeout", "2"]
    server = sqlite_server.start()
    slow = [_raw_connection(server) for _ in range(20)]
    for sock in slow:
        sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    silent = _raw_connection(server)  # connects and sends nothing at all
    # Before: held open for ever (300 such connections were all still open after 6 s).
    for sock in [*slow, silent]:
        seconds, received = _closed_after(sock)
        assert seconds < 4 and received == b"", (seconds, received)
        sock.close()
    # A keep-alive client that finishes its second request slowly is closed too.
    with _raw_connection(server) as sock:
        sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET /api/v1/health HTTP/1.1\r\n")
        seconds, _ = _closed_after(sock)
        assert seconds < 8  # the keep-alive timeout (5 s) or the read deadline, whichever first
    assert httpx.get(f"{server.url}{API}/health").status_code == 200  # still serving


def test_oversized_headers_are_refused(sqlite_server: ServerProcess) -> None:
    server = sqlite_server.start()
    huge = httpx.get(f"{server.url}{API}/health", headers={"X-Big": "a" * 20_000})
    assert huge.status_code in (400, 431)
    assert httpx.get(f"{server.url}{API}/health", headers={"X-Ok": "a" * 4000}).status_code == 200


def test_private_responses_are_not_cached_nor_sniffed(client: httpx.Client) -> None:
    user = new_user(client)
    responses = [
        login(client, user.email),
        client.post(f"{API}/auth/refresh", json={"refresh_token": user.refresh_token}),
        user.put("/cv", json={"text": CV}),
        user.get("/cv"),
        user.get("/account"),
        user.get("/dossiers"),
        user.get("/nothing-here"),
    ]
    for response in responses:
        assert response.headers["cache-control"] == "no-store", response.url
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "strict-transport-security" not in response.headers  # plain HTTP on loopback


def test_hsts_only_over_https_from_a_trusted_proxy(sqlite_server: ServerProcess) -> None:
    sqlite_server.args = ["--trusted-proxies", "127.0.0.1"]
    server = sqlite_server.start()
    over_tls = httpx.get(f"{server.url}{API}/health", headers={"X-Forwarded-Proto": "https"})
    assert over_tls.headers["strict-transport-security"].startswith("max-age=31536000")
    plain = httpx.get(f"{server.url}{API}/health")
    assert "strict-transport-security" not in plain.headers


def test_untrusted_forwarded_proto_gets_no_hsts(client: httpx.Client) -> None:
    response = client.get(f"{API}/health", headers={"X-Forwarded-Proto": "https"})
    assert "strict-transport-security" not in response.headers


def test_docs_are_off_unless_enabled(client: httpx.Client, sqlite_server: ServerProcess) -> None:
    assert_error(client.get(f"{API}/docs"), 404, "not_found")  # before: 200, CDN assets
    assert client.get(f"{API}/openapi.json").status_code == 200
    sqlite_server.args = ["--docs", "true"]
    server = sqlite_server.start()
    assert httpx.get(f"{server.url}{API}/docs").status_code == 200


def test_common_passwords_are_refused(client: httpx.Client) -> None:
    email = unique_email()
    for common in ("password1", "Qwertyuiop", "iloveyou", email, email.split("@")[0]):
        if len(common) < 8:
            continue
        body = assert_error(
            client.post(f"{API}/auth/register", json={"email": email, "password": common}),
            422,
            "password_too_common",
        )
        assert common not in body["error"]["message"]
    assert register(client, email).status_code == 202


def test_registrations_per_ip_are_limited(own_server: Callable[..., ServerProcess]) -> None:
    server = own_server("--registrations-per-ip", "3", "--trusted-proxies", "127.0.0.1")
    with httpx.Client(base_url=server.url, timeout=60) as client:
        statuses = [
            register(client, unique_email()).status_code for _ in range(3)
        ]
        limited = register(client, unique_email())
        elsewhere = client.post(
            f"{API}/auth/register",
            json={"email": unique_email(), "password": PASSWORD},
            headers={"X-Forwarded-For": "203.0.113.50"},
        )
    assert statuses == [202, 202, 202]  # before: every one of 200 registrations succeeded
    assert_error(limited, 429, "quota_exceeded")
    assert 3500 <= int(limited.headers["Retry-After"]) <= 3600
    assert elsewhere.status_code == 202


def test_dossiers_per_day_are_limited(own_server: Callable[..., ServerProcess]) -> None:
    server = own_server("--dossiers-per-day", "2")
    with httpx.Client(base_url=server.url, timeout=60) as client:
        user, other = new_user(client), new_user(client, "other")
        for someone in (user, other):
            someone.put("/cv", json={"text": CV})
        created = [user.post("/dossiers", json=JOB) for _ in range(2)]
        assert [response.status_code for response in created] == [202, 202]
        refused = user.post("/dossiers", json=JOB)
        body = assert_error(refused, 429, "quota_exceeded")
        assert "2 dossiers" in body["error"]["message"]
        assert 86_000 <= int(refused.headers["Retry-After"]) <= 86_400
        # deleting one does not give the paid call back; other accounts are not affected
        assert user.delete(f"/dossiers/{created[0].json()['id']}").status_code == 204
        assert_error(user.post("/dossiers", json=JOB), 429, "quota_exceeded")
        assert other.post("/dossiers", json=JOB).status_code == 202


def test_password_hashes_are_bounded_and_the_overflow_is_told_to_retry(
    sqlite_server: ServerProcess,
) -> None:
    sqlite_server.args = ["--hash-slots", "1", "--hash-queue", "2",
                          "--registrations-per-ip", "1000"]
    server = sqlite_server.start()
    with httpx.Client(base_url=server.url, timeout=60) as client:
        user = new_user(client)

        def attempt(number: int) -> httpx.Response:
            return httpx.post(
                f"{server.url}{API}/auth/register",
                json={"email": unique_email(f"flood{number}"), "password": PASSWORD},
                timeout=60,
            )

        with ThreadPoolExecutor(32) as pool:
            flood = list(pool.map(attempt, range(32)))
            account = user.get("/account")  # requests without a hash are still served
        statuses = [response.status_code for response in flood]
        assert account.status_code == 200
        # Before: all 32 ran their hashes at once. Now 1 hashes, 2 wait, the rest are told
        # to come back.
        assert statuses.count(503) >= 1 and set(statuses) <= {202, 503}, statuses
        busy = next(response for response in flood if response.status_code == 503)
        assert_error(busy, 503, "server_busy")
        assert busy.headers["Retry-After"] == "1"
