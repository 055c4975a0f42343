"""Liveness: answers without touching the database."""

from __future__ import annotations

from fastapi import APIRouter

from smart_interview_server import __version__
from smart_interview_server.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
async def health() -> Health:
    return Health(status="ok", version=__version__)
