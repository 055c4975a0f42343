"""Builds the engines from settings and paths. The only place that knows how parts fit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smart_interview.app.errors import CliError
from smart_interview.app.paths import AppPaths
from smart_interview.app.settings import Settings

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

    from smart_interview.transcription.registry import ModelInfo, ModelRegistry


def app_paths() -> AppPaths:
    return AppPaths.default().ensure()


def load_settings(paths: AppPaths) -> Settings:
    return Settings.load(paths.settings_file)


def model_registry(paths: AppPaths, *, allow_download: bool = False) -> ModelRegistry:
    from smart_interview.transcription.registry import ModelRegistry

    return ModelRegistry(cache_dir=paths.models_dir, allow_download=allow_download)


def load_live_model(registry: ModelRegistry, name: str, cpu_threads: int) -> WhisperModel:
    """The model for a live session: with two threads or more, two workers of half as many
    threads each, so a final can decode while a partial runs (`DecodeScheduler` lanes)."""
    workers = 2 if cpu_threads >= 2 else 1
    return registry.load(name, cpu_threads=max(1, cpu_threads // workers), workers=workers)


def usable_model(registry: ModelRegistry, name: str, language: str | None) -> ModelInfo:
    """The model's info, or a CliError when it can never be loaded or cannot speak
    `language`. A model that is only not prepared yet passes: loading it prepares it."""
    info = registry.info(name)
    if not info.ready and info.source in ("unknown", "local directory"):
        raise CliError(info.how_to_get)
    if info.languages == "en" and language not in (None, "en"):
        raise CliError(f"model {name!r} is English-only; set the language to en or pick "
                       f"'base' for {language!r}")
    return info
