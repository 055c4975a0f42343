"""The app's look: Fusion style, a dark palette and the stylesheet in style.qss.

Widgets ask for a look through dynamic properties (``role`` on labels, ``kind`` on buttons,
``card`` on frames) rather than colours, so the palette lives in one place.
"""

from __future__ import annotations

from importlib import resources

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

ACCENT = "#5b7cfa"
INTERVIEWER_COLOUR = "#ffd479"
CANDIDATE_COLOUR = "#7fd1ff"
MUTED = "#8a93a8"


def stylesheet() -> str:
    return resources.files("smart_interview.ui").joinpath("style.qss").read_text("utf-8")


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#0f1420",
        QPalette.ColorRole.WindowText: "#e6e9f2",
        QPalette.ColorRole.Base: "#0c111b",
        QPalette.ColorRole.AlternateBase: "#161c2b",
        QPalette.ColorRole.Text: "#e6e9f2",
        QPalette.ColorRole.Button: "#222b40",
        QPalette.ColorRole.ButtonText: "#e6e9f2",
        QPalette.ColorRole.Highlight: "#3b54b8",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: "#5b647a",
        QPalette.ColorRole.ToolTipBase: "#161c2b",
        QPalette.ColorRole.ToolTipText: "#e6e9f2",
        QPalette.ColorRole.Link: "#8fa6ff",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    app.setPalette(palette)
    app.setStyleSheet(stylesheet())


def label(text: str = "", *, role: str | None = None, wrap: bool = False) -> QLabel:
    widget = QLabel(text)
    if role:
        widget.setProperty("role", role)
    widget.setWordWrap(wrap)
    return widget


def set_role(widget: QWidget, role: str) -> None:
    """Changes a styled role at run time (Qt re-reads the stylesheet only when asked)."""
    widget.setProperty("role", role)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def button(text: str, *, kind: str | None = None) -> QPushButton:
    widget = QPushButton(text)
    if kind:
        widget.setProperty("kind", kind)
    return widget


def set_kind(widget: QPushButton, kind: str) -> None:
    widget.setProperty("kind", kind)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def card() -> QFrame:
    frame = QFrame()
    frame.setProperty("card", True)
    return frame


def scrolling_page(owner: QWidget) -> QVBoxLayout:
    """Fills `owner` with a scroll area and returns the padded column its screen goes in."""
    outer = QVBoxLayout(owner)
    outer.setContentsMargins(0, 0, 0, 0)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    outer.addWidget(scroll)
    body = QWidget()
    scroll.setWidget(body)
    page = QVBoxLayout(body)
    page.setContentsMargins(24, 20, 24, 20)
    page.setSpacing(14)
    return page
