"""The server's settings: one typed object, built from CLI flags and environment variables.

`ServerSettings` is plain data. Only `settings_from_sources` (called by cli.py) reads the
environment; the embedded server gets its settings from its caller and reads nothing else.
Every setting is listed once in `SETTING_SPECS`, which also writes ``--help``.
"""

from __future__ import annotations

import argparse
import dataclasses
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from smart_interview_server.errors import ConfigurationError

ENV_PREFIX = "SMART_INTERVIEW_SERVER_"
APP_DIR_NAME = "SmartInterviewServer"
MAX_BODY_BYTES = 1_000_000
JWT_SECRET_FILE = "jwt-secret"

Provider = Literal["openai", "anthropic"]
PROVIDERS: tuple[str, ...] = ("openai", "anthropic")
DEFAULT_MODELS = {"openai": "gpt-4o-mini", "anthropic": "claude-3-5-haiku-20241022"}
DEFAULT_BASE_URLS = {"openai": "https://api.openai.com", "anthropic": "https://api.anthropic.com"}


def default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))


def sqlite_url_for(path: Path) -> str:
    return f"sqlite:///{path}"


@dataclass(frozen=True, kw_only=True)
class ServerSettings:
    """Everything the server needs; see `SETTING_SPECS` for what each field means."""

    database_url: str
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    jwt_secret: str | None = None
    access_token_ttl_seconds: int = 15 * 60
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    ai_provider: Provider | None = None
    ai_api_key: str | None = None
    ai_model: str | None = None
    ai_base_url: str | None = None
    ai_timeout_seconds: float = 60.0
    ai_max_attempts: int = 3
    ai_backoff_seconds: float = 1.0
    login_max_failures_per_account: int = 5
    login_max_failures_per_ip: int = 50
    login_window_seconds: int = 15 * 60
    login_backoff_seconds: float = 30.0
    login_max_backoff_seconds: float = 3600.0
    registrations_per_ip: int = 20
    dossiers_per_day: int = 50
    hash_slots: int = 0  # 0 = one per CPU core
    hash_queue: int = 32
    docs: bool = False
    request_read_timeout_seconds: float = 10.0
    keep_alive_timeout_seconds: float = 5.0
    max_header_bytes: int = 16_384
    max_connections: int = 1000
    generation_workers: int = 4
    job_lease_seconds: int = 600
    db_pool_size: int = 20
    request_threads: int = 8
    trusted_proxies: str = ""
    access_log: bool = True
    log_level: str = "info"

    @property
    def provider_model(self) -> str | None:
        if self.ai_provider is None:
            return None
        return self.ai_model or DEFAULT_MODELS[self.ai_provider]

    @property
    def provider_base_url(self) -> str | None:
        if self.ai_provider is None:
            return None
        return (self.ai_base_url or DEFAULT_BASE_URLS[self.ai_provider]).rstrip("/")

    @property
    def ai_enabled(self) -> bool:
        return self.ai_provider is not None and bool(self.ai_api_key)

    def with_overrides(self, **changes: Any) -> ServerSettings:
        return dataclasses.replace(self, **changes)


def resolve_jwt_secret(settings: ServerSettings) -> str:
    """The configured secret, or one generated once and kept in the data dir (mode 0600)."""
    if settings.jwt_secret:
        if len(settings.jwt_secret) < 32:
            raise ConfigurationError("The JWT secret must be at least 32 characters long.")
        return settings.jwt_secret
    path = settings.data_dir / JWT_SECRET_FILE
    if path.exists():
        value = path.read_text(encoding="utf-8").strip()
        if len(value) >= 32:
            return value
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(value, encoding="utf-8")
    temporary.chmod(0o600)
    temporary.replace(path)
    return value


@dataclass(frozen=True)
class SettingSpec:
    field: str
    flag: str
    help: str
    parse: Callable[[str], Any] = str
    secret: bool = False


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError("must be a positive integer")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _provider(text: str) -> str | None:
    value = text.strip().lower()
    if value in ("", "none", "off"):
        return None
    if value not in PROVIDERS:
        raise ValueError("must be openai, anthropic or none")
    return value


def _boolean(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be true or false")


SETTING_SPECS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "database_url",
        "--database-url",
        "SQLAlchemy URL of the database (also read from plain DATABASE_URL). Default: "
        "SQLite file server.db in the data dir. PostgreSQL: "
        "postgresql+psycopg://user:password@host:5432/dbname",
    ),
    SettingSpec(
        "data_dir",
        "--data-dir",
        "Directory for the default SQLite file and the generated JWT secret. "
        "Default: the platform's user data dir of SmartInterviewServer",
        Path,
    ),
    SettingSpec("host", "--host", "Interface to listen on (default 127.0.0.1)"),
    SettingSpec("port", "--port", "TCP port to listen on (default 8000)", int),
    SettingSpec(
        "jwt_secret",
        "--jwt-secret-file",
        "File holding the HS256 secret for access tokens (>= 32 chars); or the variable "
        "below (never the command line, where ps shows it). If unset, one is generated and "
        "kept in the data dir. Set it explicitly (the same on every instance) when "
        "several instances share one database",
        secret=True,
    ),
    SettingSpec(
        "access_token_ttl_seconds",
        "--access-token-ttl",
        "Access token lifetime in seconds (default 900)",
        _positive_int,
    ),
    SettingSpec(
        "refresh_token_ttl_seconds",
        "--refresh-token-ttl",
        "Refresh token lifetime in seconds (default 2592000 = 30 days)",
        _positive_int,
    ),
    SettingSpec(
        "ai_provider",
        "--ai-provider",
        "AI provider for CV summaries and dossiers: openai, anthropic or none. Without "
        "a provider and key the non-AI methods (extractive, keyword-match) are used",
        _provider,
    ),
    SettingSpec(
        "ai_api_key",
        "--ai-api-key-file",
        "File holding the API key of the AI provider; or the variable below (never the "
        "command line, where ps shows it)",
        secret=True,
    ),
    SettingSpec(
        "ai_model",
        "--ai-model",
        "Model name (default gpt-4o-mini for openai, claude-3-5-haiku-20241022 for anthropic)",
    ),
    SettingSpec(
        "ai_base_url",
        "--ai-base-url",
        "Base URL of the provider API (default https://api.openai.com or "
        "https://api.anthropic.com)",
    ),
    SettingSpec(
        "ai_timeout_seconds",
        "--ai-timeout",
        "Timeout of one provider call in seconds (default 60)",
        _positive_float,
    ),
    SettingSpec(
        "ai_max_attempts",
        "--ai-max-attempts",
        "Attempts per provider call on 429/5xx/timeouts before the job is marked "
        "failed (default 3)",
        _positive_int,
    ),
    SettingSpec(
        "ai_backoff_seconds",
        "--ai-backoff",
        "First retry delay in seconds, doubled each attempt; a Retry-After header wins (default 1)",
        _positive_float,
    ),
    SettingSpec(
        "login_max_failures_per_account",
        "--login-max-failures-per-account",
        "Failed logins of one account from one client (an IP without a device token, or one "
        "device token) before each further failure waits, doubling (default 5)",
        _positive_int,
    ),
    SettingSpec(
        "login_max_failures_per_ip",
        "--login-max-failures-per-ip",
        "Failed logins from one IP, over all accounts, before clients there without a device "
        "token wait (default 50). Devices that logged in before are not affected",
        _positive_int,
    ),
    SettingSpec(
        "login_window_seconds",
        "--login-window",
        "Failures are forgotten after this many quiet seconds (default 900)",
        _positive_int,
    ),
    SettingSpec(
        "login_backoff_seconds",
        "--login-backoff",
        "First wait after the allowed failures, doubled by each further failure (default 30)",
        _positive_float,
    ),
    SettingSpec(
        "login_max_backoff_seconds",
        "--login-max-backoff",
        "Longest login wait in seconds (default 3600)",
        _positive_float,
    ),
    SettingSpec(
        "registrations_per_ip",
        "--registrations-per-ip",
        "Registrations allowed per client IP per hour (default 20)",
        _positive_int,
    ),
    SettingSpec(
        "dossiers_per_day",
        "--dossiers-per-day",
        "Dossiers each account may create per 24 hours (each may be a paid AI call; "
        "default 50)",
        _positive_int,
    ),
    SettingSpec(
        "hash_slots",
        "--hash-slots",
        "Password hashes run at once per instance (default: one per CPU core)",
        _positive_int,
    ),
    SettingSpec(
        "hash_queue",
        "--hash-queue",
        "Password checks allowed to wait for a slot; beyond them 503 + Retry-After (default 32)",
        _positive_int,
    ),
    SettingSpec(
        "generation_workers",
        "--generation-workers",
        "Background generation threads per instance (default 4)",
        _positive_int,
    ),
    SettingSpec(
        "job_lease_seconds",
        "--job-lease",
        "Seconds a generation job stays claimed by one instance; a pending job whose "
        "lease ran out (crashed instance) is picked up again (default 600)",
        _positive_int,
    ),
    SettingSpec(
        "db_pool_size",
        "--db-pool-size",
        "Database connections per instance (default 20)",
        _positive_int,
    ),
    SettingSpec(
        "request_threads",
        "--request-threads",
        "Threads serving database work of requests (default 8). More threads only fight "
        "over the interpreter lock; requests beyond them wait their turn in the event loop",
        _positive_int,
    ),
    SettingSpec(
        "trusted_proxies",
        "--trusted-proxies",
        "Comma-separated IPs of load balancers whose X-Forwarded-For is believed (the login "
        "rate limit then sees the real client IP). Default: none, the socket peer is the client",
    ),
    SettingSpec(
        "docs",
        "--docs",
        "Serve the browsable API documentation at /api/v1/docs (default false)",
        _boolean,
    ),
    SettingSpec(
        "request_read_timeout_seconds",
        "--request-read-timeout",
        "Seconds a client has to send a whole request (headers and body) once connected "
        "or after the previous response; slower connections are closed (default 10)",
        _positive_float,
    ),
    SettingSpec(
        "keep_alive_timeout_seconds",
        "--keep-alive-timeout",
        "Seconds an idle keep-alive connection stays open (default 5)",
        _positive_float,
    ),
    SettingSpec(
        "max_header_bytes",
        "--max-header-bytes",
        "Largest request head (request line + headers) accepted (default 16384)",
        _positive_int,
    ),
    SettingSpec(
        "max_connections",
        "--max-connections",
        "Open connections per instance before new requests get 503 (default 1000)",
        _positive_int,
    ),
    SettingSpec(
        "access_log",
        "--access-log",
        "Log one line per request (method, path without the query string, status; never "
        "bodies) (default true)",
        _boolean,
    ),
    SettingSpec("log_level", "--log-level", "debug, info, warning or error (default info)"),
)


_METAVARS: dict[Callable[[str], Any], str] = {
    _positive_int: "N",
    int: "N",
    _positive_float: "SECONDS",
    _boolean: "true|false",
    _provider: "openai|anthropic|none",
    Path: "DIR",
}


def env_name(spec: SettingSpec) -> str:
    return ENV_PREFIX + spec.field.upper().removesuffix("_SECONDS")


def hash_slots(settings: ServerSettings) -> int:
    import os

    if settings.hash_slots:
        return settings.hash_slots
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def add_setting_arguments(parser: argparse.ArgumentParser) -> None:
    for spec in SETTING_SPECS:
        parser.add_argument(
            spec.flag,
            dest=spec.field,
            default=None,
            metavar="PATH" if spec.secret else _METAVARS.get(spec.parse, "TEXT"),
            help=f"{spec.help}. Env: {env_name(spec)}",
        )
    add_refused_arguments(parser)


def settings_from_sources(
    cli_values: Mapping[str, Any], environ: Mapping[str, str]
) -> ServerSettings:
    """CLI flag > SMART_INTERVIEW_SERVER_* variable > (DATABASE_URL) > default."""
    values: dict[str, Any] = {}
    for flag in REFUSED_FLAGS:
        if cli_values.get(REFUSED_FLAGS[flag]) is not None:
            raise ConfigurationError(_refused_message(flag))
    for spec in SETTING_SPECS:
        raw = cli_values.get(spec.field)
        source = spec.flag
        if raw is not None and spec.secret:
            raw = _read_secret_file(spec.flag, str(raw))
        if raw is None:
            raw = environ.get(env_name(spec))
            source = env_name(spec)
        if raw is None and spec.field == "database_url":
            raw = environ.get("DATABASE_URL")
            source = "DATABASE_URL"
        if raw is None:
            continue
        try:
            values[spec.field] = spec.parse(str(raw))
        except ValueError as error:
            raise ConfigurationError(f"{source}: {error}") from None
    data_dir = values.pop("data_dir", None) or default_data_dir()
    database_url = values.pop("database_url", None) or sqlite_url_for(data_dir / "server.db")
    settings = ServerSettings(database_url=database_url, data_dir=Path(data_dir), **values)
    validate(settings)
    return settings


# Secret flags that would put the secret in argv (visible to every user through ps).
REFUSED_FLAGS = {"--jwt-secret": "refused_jwt_secret", "--ai-api-key": "refused_ai_api_key"}


def _refused_message(flag: str) -> str:
    spec = next(spec for spec in SETTING_SPECS if spec.flag == f"{flag}-file")
    return (
        f"{flag} is not accepted on the command line, where every user can read it with ps; "
        f"put the value in a file and pass {spec.flag} PATH, or set {env_name(spec)}"
    )


def _read_secret_file(flag: str, path: str) -> str:
    try:
        value = Path(path).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ConfigurationError(f"{flag}: cannot read {path} ({error.strerror})") from None
    if not value:
        raise ConfigurationError(f"{flag}: {path} is empty")
    return value


def add_refused_arguments(parser: argparse.ArgumentParser) -> None:
    for flag, dest in REFUSED_FLAGS.items():
        parser.add_argument(flag, dest=dest, default=None, help=argparse.SUPPRESS)


def validate(settings: ServerSettings) -> None:
    if settings.log_level.lower() not in ("debug", "info", "warning", "error"):
        raise ConfigurationError("log level must be debug, info, warning or error")
