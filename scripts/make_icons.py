"""Draws the app icon and writes every size the installers ask for.

    .venv/bin/python scripts/make_icons.py        # rewrites icons/ (commit the result)

The master drawing is `icons/smart_interview.svg`: a speech bubble on the app's accent
colour with a microphone in it, and a smaller amber bubble behind it for the interviewer's
side (the same two colours the transcript uses for the two speakers). Qt renders the SVG to
PNG at each size; Pillow packs the Windows .ico and the macOS .icns from those renders.

Sizes: Linux hicolor 16–512 px (`icons/smart_interview-<size>.png`, what Briefcase's Linux
templates copy), Windows .ico 16–256 px, macOS .icns 16–1024 px.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

ICON_DIR = Path(__file__).resolve().parent.parent / "icons"
NAME = "smart_interview"
LINUX_SIZES = (16, 32, 64, 128, 256, 512)
WINDOWS_SIZES = (16, 24, 32, 48, 64, 128, 256)
MAC_SIZES = (16, 32, 64, 128, 256, 512, 1024)

ACCENT_LIGHT = "#7b96ff"
ACCENT = "#5b7cfa"
ACCENT_DARK = "#3b54b8"
INTERVIEWER = "#ffd479"
BUBBLE = "#ffffff"

SVG = f"""<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024"
     viewBox="0 0 1024 1024">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="{ACCENT_LIGHT}"/>
      <stop offset="1" stop-color="{ACCENT_DARK}"/>
    </linearGradient>
  </defs>
  <rect x="48" y="48" width="928" height="928" rx="208" fill="url(#bg)"/>
  <!-- the interviewer's bubble, behind, tail to the right -->
  <path d="M560 170 h230 a90 90 0 0 1 90 90 v120 a90 90 0 0 1 -90 90 h-10 l40 80 l-130 -80
           h-130 a90 90 0 0 1 -90 -90 v-120 a90 90 0 0 1 90 -90 z" fill="{INTERVIEWER}"/>
  <!-- the candidate's bubble, in front, tail to the left -->
  <path d="M270 300 h380 a120 120 0 0 1 120 120 v250 a120 120 0 0 1 -120 120 h-230
           l-170 110 l40 -110 h-20 a120 120 0 0 1 -120 -120 v-250 a120 120 0 0 1 120 -120 z"
        fill="{BUBBLE}"/>
  <!-- microphone: capsule, holder, stem and base -->
  <rect x="405" y="360" width="110" height="220" rx="55" fill="{ACCENT}"/>
  <path d="M360 500 v20 a100 100 0 0 0 200 0 v-20" fill="none" stroke="{ACCENT_DARK}"
        stroke-width="34" stroke-linecap="round"/>
  <path d="M460 620 v70 M405 700 h110" fill="none" stroke="{ACCENT_DARK}"
        stroke-width="34" stroke-linecap="round"/>
</svg>
"""


def render_png(svg: bytes, size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg))
    if not renderer.isValid():
        raise ValueError("the icon SVG does not parse")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data().data())


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication([])
    ICON_DIR.mkdir(exist_ok=True)
    svg = SVG.encode()
    (ICON_DIR / f"{NAME}.svg").write_bytes(svg)
    renders = {
        size: render_png(svg, size)
        for size in sorted({*LINUX_SIZES, *WINDOWS_SIZES, *MAC_SIZES})
    }
    for size in LINUX_SIZES:
        (ICON_DIR / f"{NAME}-{size}.png").write_bytes(renders[size])
    images = {size: Image.open(io.BytesIO(png)).convert("RGBA") for size, png in renders.items()}
    largest_ico = max(WINDOWS_SIZES)
    images[largest_ico].save(
        ICON_DIR / f"{NAME}.ico",
        format="ICO",
        sizes=[(s, s) for s in WINDOWS_SIZES],
        append_images=[images[s] for s in WINDOWS_SIZES if s != largest_ico],
    )
    largest_icns = max(MAC_SIZES)
    images[largest_icns].save(
        ICON_DIR / f"{NAME}.icns",
        format="ICNS",
        append_images=[images[s] for s in MAC_SIZES if s != largest_icns],
    )
    for path in sorted(ICON_DIR.iterdir()):
        print(f"{path.relative_to(ICON_DIR.parent)}  {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
