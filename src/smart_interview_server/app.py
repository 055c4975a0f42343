"""The FastAPI application. `create_app` does nothing but build it; start-up (migrations,
worker) happens in its lifespan, so importing or creating it has no side effects."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import APIRouter, FastAPI
from starlette.concurrency import run_in_threadpool

from smart_interview_server import __version__
from smart_interview_server.body_limit import BodyLimitMiddleware
from smart_interview_server.context import build_context
from smart_interview_server.db import run_migrations
from smart_interview_server.errors import ErrorBodyModel, install_error_handlers
from smart_interview_server.headers import SecurityHeadersMiddleware
from smart_interview_server.routers import account, auth, cv, dossiers, health
from smart_interview_server.settings import MAX_BODY_BYTES, ServerSettings

API_PREFIX = "/api/v1"
logger = logging.getLogger("smart_interview_server")

_ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorBodyModel, "description": description}
    for status, description in {
        401: "Not authenticated, or the token is invalid/expired",
        404: "Not found (never says whether another account's item exists)",
        409: "Conflict",
        403: "Re-authentication failed (wrong password)",
        413: "Body larger than 1 MB",
        422: "Validation error",
        429: "Rate limited or over a quota (see Retry-After)",
        503: "Busy (see Retry-After)",
    }.items()
}


def create_app(settings: ServerSettings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        context = await run_in_threadpool(_start, settings)
        app.state.context = context
        try:
            yield
        finally:
            context.close()

    app = FastAPI(
        title="Smart Interview API",
        version=__version__,
        description="Accounts, one CV per account, and Interview Dossiers.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs" if settings.docs else None,
        redoc_url=None,
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(SecurityHeadersMiddleware)
    api = APIRouter(prefix=API_PREFIX, responses=_ERROR_RESPONSES)
    for module in (health, auth, account, cv, dossiers):
        api.include_router(module.router)
    app.include_router(api)
    return app


def _start(settings: ServerSettings):  # type: ignore[no-untyped-def]
    context = build_context(settings)
    run_migrations(context.database)
    context.worker.start()
    mode = (
        f"AI provider {settings.ai_provider} ({settings.provider_model})"
        if settings.ai_enabled
        else "no AI provider: extractive summaries and keyword-match dossiers"
    )
    if settings.ai_provider and not settings.ai_enabled:
        logger.warning(
            "AI provider %s has no API key; using the non-AI methods", settings.ai_provider
        )
    logger.info("server ready (%s database; %s)", context.database.engine.dialect.name, mode)
    return context
