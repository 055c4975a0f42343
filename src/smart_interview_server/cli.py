"""``smart-interview-server``: run the API server (migrations applied at start), or
``smart-interview-server bench-load`` to measure CV get/put latency on loopback.

This module and `settings.settings_from_sources` are the only places that read the environment.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from smart_interview_server import __version__
from smart_interview_server.errors import ConfigurationError
from smart_interview_server.settings import (
    ENV_PREFIX,
    ServerSettings,
    add_setting_arguments,
    settings_from_sources,
)

_EPILOG = f"""\
Every setting can also be given as an environment variable {ENV_PREFIX}<NAME> (shown with
each option); a flag wins over the variable. DATABASE_URL is accepted without the prefix.
The AI provider receives the CV text only to write the CV summary and dossiers; without a
provider key the non-AI methods are used and labelled so (method "extractive" /
"keyword-match").
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smart-interview-server",
        description="Smart Interview backend: accounts, one CV per account, Interview "
        "Dossiers. Serves the HTTP API under /api/v1 (OpenAPI at /api/v1/openapi.json).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_setting_arguments(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("serve", help="run the server (the default)")
    from smart_interview_server import bench_load

    bench_load.register(commands)
    return parser


class DropQueryStrings(logging.Filter):
    """uvicorn's access log line without the query string (it may carry personal data)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, version, status = record.args
            record.args = (client, method, str(path).split("?", 1)[0], version, status)
        return True


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("uvicorn.access").addFilter(DropQueryStrings())


def serve(settings: ServerSettings) -> None:
    import uvicorn

    from smart_interview_server.app import create_app
    from smart_interview_server.http_protocol import guarded_protocol

    configure_logging(settings.log_level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        log_level=settings.log_level,
        access_log=settings.access_log,
        server_header=False,
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
        backlog=2048,
        http=guarded_protocol(
            read_timeout=settings.request_read_timeout_seconds,
            max_head_bytes=settings.max_header_bytes,
        ),
        timeout_keep_alive=int(max(1, settings.keep_alive_timeout_seconds)),
        h11_max_incomplete_event_size=settings.max_header_bytes,
        limit_concurrency=settings.max_connections,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "bench-load":
        from smart_interview_server import bench_load

        return bench_load.run(args)
    try:
        settings = settings_from_sources(vars(args), os.environ)
    except ConfigurationError as error:
        print(f"smart-interview-server: error: {error}", file=sys.stderr)
        return 2
    serve(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
