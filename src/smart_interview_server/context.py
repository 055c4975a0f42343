"""What a running app holds: settings, database, token signers, limits, generation worker."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from smart_interview_server.db import Database
from smart_interview_server.generation.anthropic import AnthropicProvider
from smart_interview_server.generation.openai import OpenAIProvider
from smart_interview_server.generation.providers import ChatProvider, RetryPolicy
from smart_interview_server.generation.worker import GenerationWorker
from smart_interview_server.models import utc_now
from smart_interview_server.passwords import HashGate
from smart_interview_server.rate_limit import LoginThrottle, purge_stale_throttles
from smart_interview_server.security import DeviceTokens, TokenSigner
from smart_interview_server.settings import ServerSettings, hash_slots, resolve_jwt_secret


@dataclass
class ServerContext:
    settings: ServerSettings
    database: Database
    signer: TokenSigner
    devices: DeviceTokens
    limiter: LoginThrottle
    hashes: HashGate
    worker: GenerationWorker
    provider_client: httpx.Client | None
    clock: Callable[[], datetime] = field(default=utc_now)

    def close(self) -> None:
        self.worker.stop()
        if self.provider_client is not None:
            self.provider_client.close()
        self.database.dispose()


def build_provider(settings: ServerSettings) -> tuple[ChatProvider | None, httpx.Client | None]:
    if not settings.ai_enabled or settings.ai_provider is None:
        return None, None
    client = httpx.Client(timeout=settings.ai_timeout_seconds, follow_redirects=False)
    kind = OpenAIProvider if settings.ai_provider == "openai" else AnthropicProvider
    provider = kind(
        api_key=settings.ai_api_key or "",
        model=settings.provider_model or "",
        base_url=settings.provider_base_url or "",
        client=client,
        retry=RetryPolicy(
            max_attempts=settings.ai_max_attempts, backoff_seconds=settings.ai_backoff_seconds
        ),
    )
    return provider, client


def build_context(settings: ServerSettings) -> ServerContext:
    database = Database(settings.database_url, pool_size=settings.db_pool_size)
    provider, client = build_provider(settings)
    secret = resolve_jwt_secret(settings)
    return ServerContext(
        settings=settings,
        database=database,
        signer=TokenSigner(secret, ttl_seconds=settings.access_token_ttl_seconds),
        devices=DeviceTokens(secret),
        limiter=LoginThrottle(
            free_failures=settings.login_max_failures_per_account,
            free_failures_per_ip=settings.login_max_failures_per_ip,
            backoff_seconds=settings.login_backoff_seconds,
            max_backoff_seconds=settings.login_max_backoff_seconds,
            window_seconds=settings.login_window_seconds,
        ),
        hashes=HashGate(slots=hash_slots(settings), max_waiting=settings.hash_queue),
        worker=GenerationWorker(
            database=database,
            provider=provider,
            workers=settings.generation_workers,
            lease_seconds=settings.job_lease_seconds,
            housekeeping=functools.partial(purge_stale_throttles, database),
        ),
        provider_client=client,
    )
