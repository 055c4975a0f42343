"""The icon set: every size Briefcase's installers copy, drawn from one master SVG."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomllib
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
LINUX_SIZES = (16, 32, 64, 128, 256, 512)  # Briefcase's Linux system template, hicolor


def _icon_base() -> Path:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return ROOT / config["tool"]["briefcase"]["app"]["smart_interview"]["icon"]


@pytest.mark.parametrize("size", LINUX_SIZES)
def test_linux_png_in_each_size(size: int) -> None:
    path = _icon_base().parent / f"{_icon_base().name}-{size}.png"
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == (size, size)
        rgba = image.convert("RGBA")
    # A drawn icon: transparent corners, an opaque middle, more than a couple of colours.
    assert rgba.getpixel((0, 0))[3] == 0
    assert rgba.getpixel((size // 2, size // 2))[3] == 255
    assert len(rgba.getcolors(maxcolors=size * size) or []) > (8 if size >= 32 else 4)


def test_windows_ico_and_macos_icns() -> None:
    base = _icon_base()
    with Image.open(base.with_suffix(".ico")) as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    with Image.open(base.with_suffix(".icns")) as icns:
        sizes = {size[:2] for size in icns.info["sizes"]}
        assert {(16, 16), (128, 128), (512, 512)} <= sizes


def test_master_svg_is_committed() -> None:
    svg = _icon_base().with_suffix(".svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<svg")
