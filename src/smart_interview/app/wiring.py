"""Builds the engines from settings and paths. The only place that knows how parts fit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smart_interview.app.paths import AppPaths
from smart_interview.app.settings import Settings

if TYPE_CHECKING:
    from smart_interview.transcription.registry import ModelRegistry


def app_paths() -> AppPaths:
    return AppPaths.default().ensure()


def load_settings(paths: AppPaths) -> Settings:
    return Settings.load(paths.settings_file)


def model_registry(paths: AppPaths, *, allow_download: bool = False) -> ModelRegistry:
    from smart_interview.transcription.registry import ModelRegistry

    return ModelRegistry(cache_dir=paths.models_dir, allow_download=allow_download)
