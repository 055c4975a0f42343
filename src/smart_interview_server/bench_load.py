"""``smart-interview-server bench-load``: CV get/put latency at N concurrent clients on loopback.

Starts its own server process(es) on free 127.0.0.1 ports with a temporary SQLite database (or
the ``--database-url`` given before ``bench-load``), registers a few accounts, then runs a
bounded number of requests from ``--concurrency`` asyncio clients (each alternates PUT /cv and
GET /cv) and prints p50/p95/p99 per operation and the request rate.

``--instances N`` starts N processes on the one database (use PostgreSQL) and runs the same
load twice, against the first instance alone and spread over all N, and prints both.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_KEEP_ALIVE_SECONDS = 4.0
CV_LINE = "Senior engineer building Python services with FastAPI, PostgreSQL and Docker. "


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "bench-load", help="measure CV get/put latency at many concurrent clients"
    )
    parser.add_argument("--requests", type=int, default=4000, help="total requests (4000)")
    parser.add_argument("--concurrency", type=int, default=200, help="concurrent clients (200)")
    parser.add_argument("--accounts", type=int, default=20, help="accounts the clients share")
    parser.add_argument("--cv-chars", type=int, default=4000, help="size of the CV text put")
    parser.add_argument(
        "--instances",
        type=int,
        default=1,
        choices=range(1, 9),
        metavar="N",
        help="server processes on the one database (1-8, default 1); with more than one the "
        "load runs against one instance, then against all, and both are printed",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="open loop: start this many requests per second in total (at most --concurrency "
        "in flight; latency counted from the scheduled start). Default: closed loop, each "
        "client sends its next request as soon as the last one is answered",
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


def _line(name: str, latencies: list[float], seconds: float) -> str:
    ms = [value * 1000 for value in latencies]
    return (
        f"{name:<8} n={len(ms):>6}  p50={_percentile(ms, 0.50):7.1f} ms  "
        f"p95={_percentile(ms, 0.95):7.1f} ms  p99={_percentile(ms, 0.99):7.1f} ms  "
        f"mean={statistics.fmean(ms):7.1f} ms  {len(ms) / seconds:7.0f} req/s"
    )


class _Connection:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams.

    httpx's async client costs several milliseconds of client CPU per request here, which on a
    2-core machine would measure the client rather than the server; this one costs ~0.1 ms.
    """

    def __init__(self, host: str, port: int) -> None:
        self._host, self._port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self.last_used = time.monotonic()

    async def request(self, method: str, path: str, token: str, body: bytes | None) -> int:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self._host, self._port)
        assert self._reader is not None
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self._host}\r\nAuthorization: Bearer {token}\r\n"
        )
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self._writer.write(head.encode() + b"\r\n" + (body or b""))
        await self._writer.drain()
        raw_head = await self._reader.readuntil(b"\r\n\r\n")
        lines = raw_head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = dict(
            (name.strip().lower(), value.strip())
            for name, _, value in (line.partition(":") for line in lines[1:] if line)
        )
        await self._reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        self.last_used = time.monotonic()
        return status

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


async def _run_load(ports: list[int], args: argparse.Namespace, server_pids: list[int]) -> int:
    import httpx
    import psutil

    base = f"http://127.0.0.1:{ports[0]}"
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency
    )
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def account(index: int) -> str:
            credentials = {"email": f"bench{index}@example.com", "password": "bench-password-1"}
            (await client.post("/api/v1/auth/register", json=credentials)).raise_for_status()
            response = await client.post("/api/v1/auth/login", json=credentials)
            response.raise_for_status()
            return str(response.json()["access_token"])

        tokens = list(await asyncio.gather(*(account(index) for index in range(args.accounts))))
        text = (CV_LINE * (args.cv_chars // len(CV_LINE) + 1))[: args.cv_chars]
        for token in tokens:  # every account starts with a CV so GETs find one
            await client.put(
                "/api/v1/cv",
                json={"text": text, "file_name": "cv.pdf"},
                headers={"Authorization": f"Bearer {token}"},
            )
        body = {"text": text, "file_name": "cv.pdf"}
        results: dict[str, list[float]] = {"get": [], "put": []}
        errors = 0
        remaining = args.requests

        put_body = json.dumps(body).encode()
        idle: dict[int, list[_Connection]] = {port: [] for port in ports}

        async def send(kind: str, token: str, port: int) -> bool:
            pool = idle[port]
            connection = pool.pop() if pool else _Connection("127.0.0.1", port)
            if time.monotonic() - connection.last_used > _KEEP_ALIVE_SECONDS:
                await connection.close()  # the server closes idle connections after 5 s
            try:
                if kind == "put":
                    status = await connection.request("PUT", "/api/v1/cv", token, put_body)
                else:
                    status = await connection.request("GET", "/api/v1/cv", token, None)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                await connection.close()
                return False
            pool.append(connection)
            return status == 200

        async def one_client(number: int) -> None:
            nonlocal remaining, errors
            token = tokens[number % len(tokens)]
            step = number
            while remaining > 0:
                remaining -= 1
                step += 1
                kind = "put" if step % 2 else "get"
                started = time.perf_counter()
                ok = await send(kind, token, ports[number % len(ports)])
                results[kind].append(time.perf_counter() - started)
                errors += not ok

        async def scheduled(number: int, due: float, gate: asyncio.Semaphore) -> None:
            nonlocal errors
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            kind = "put" if number % 2 else "get"
            async with gate:
                ok = await send(kind, tokens[number % len(tokens)], ports[number % len(ports)])
            results[kind].append(time.perf_counter() - due)
            errors += not ok

        servers = [psutil.Process(pid) for pid in server_pids]

        def server_cpu_seconds() -> float:
            return sum(sum(server.cpu_times()[:2]) for server in servers)

        cpu_before = server_cpu_seconds()
        started = time.perf_counter()
        if args.rate:
            gate = asyncio.Semaphore(args.concurrency)
            await asyncio.gather(
                *(
                    scheduled(number, started + number / args.rate, gate)
                    for number in range(args.requests)
                )
            )
        else:
            await asyncio.gather(*(one_client(number) for number in range(args.concurrency)))
        seconds = time.perf_counter() - started
        server_cpu = server_cpu_seconds() - cpu_before
        for connection in (item for pool in idle.values() for item in pool):
            await connection.close()
    print(
        f"bench-load: {len(ports)} instance(s), "
        f"{args.requests} requests, {args.concurrency} concurrent clients, "
        f"{args.accounts} accounts, CV {args.cv_chars} chars, {os.cpu_count()} CPUs, "
        + (f"open loop at {args.rate:g} req/s" if args.rate else "closed loop")
    )
    print(_line("CV get", results["get"], seconds))
    print(_line("CV put", results["put"], seconds))
    print(_line("all", results["get"] + results["put"], seconds))
    print(
        f"errors   {errors}  wall {seconds:.2f} s  server CPU {server_cpu:.2f} s "
        f"= {1000 * server_cpu / args.requests:.2f} ms per request "
        f"(machine load average {os.getloadavg()[0]:.1f})"
    )
    return 0 if errors == 0 else 1


def run(args: argparse.Namespace) -> int:
    import secrets

    with tempfile.TemporaryDirectory(prefix="si-bench-") as temporary:
        database_url = args.database_url or f"sqlite:///{Path(temporary) / 'bench.db'}"
        if args.instances > 1 and database_url.startswith("sqlite"):
            print("bench-load: several instances on SQLite share one file lock; give "
                  "--database-url postgresql+psycopg://... before bench-load", file=sys.stderr)
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("SMART_INTERVIEW_SERVER_") and key != "DATABASE_URL"
        }
        # Instances behind one load balancer share the token secret.
        environment["SMART_INTERVIEW_SERVER_JWT_SECRET"] = secrets.token_urlsafe(48)
        ports = [_free_port() for _ in range(args.instances)]
        processes = [
            subprocess.Popen(_server_command(port, database_url, temporary), env=environment)
            for port in ports
        ]
        try:
            if not all(_wait_ready(port, process) for port, process in zip(ports, processes,
                                                                           strict=True)):
                print("bench-load: the server did not start", file=sys.stderr)
                return 1
            pids = [process.pid for process in processes]
            status = asyncio.run(_run_load(ports[:1], args, pids[:1]))
            if args.instances > 1:
                print()
                status |= asyncio.run(_run_load(ports, args, pids))
            return status
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()


def _server_command(port: int, database_url: str, data_dir: str) -> list[str]:
    return [
        sys.executable, "-m", "smart_interview_server",
        "--host", "127.0.0.1", "--port", str(port),
        "--database-url", database_url, "--data-dir", data_dir,
        "--access-log", "false", "--log-level", "warning", "--ai-provider", "none",
        "--registrations-per-ip", "100000",
    ]  # fmt: skip


def _wait_ready(port: int, process: subprocess.Popen[bytes]) -> bool:
    import httpx

    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    return False
