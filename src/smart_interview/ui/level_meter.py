"""A horizontal audio level meter: RMS bar with a peak tick, green → amber → red."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

_FLOOR_DB = -60.0


def to_fraction(amplitude: float) -> float:
    """Maps a linear amplitude (0..1) to 0..1 on a dB scale from -60 dBFS to 0 dBFS."""
    if amplitude <= 0:
        return 0.0
    db = 20.0 * math.log10(max(amplitude, 1e-9))
    return min(1.0, max(0.0, (db - _FLOOR_DB) / -_FLOOR_DB))


class LevelMeter(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rms = 0.0
        self._peak = 0.0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(120)

    def sizeHint(self) -> QSize:
        return QSize(220, 12)

    @property
    def rms_fraction(self) -> float:
        return self._rms

    def set_level(self, rms: float, peak: float) -> None:
        self._rms = to_fraction(rms)
        self._peak = max(to_fraction(peak), self._rms)
        self.update()

    def reset(self) -> None:
        self.set_level(0.0, 0.0)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(QColor("#263049"))
        painter.setBrush(QColor("#0c111b"))
        painter.drawRoundedRect(rect, 5, 5)
        if self._rms > 0:
            filled = QRectF(rect.x() + 1, rect.y() + 1, (rect.width() - 2) * self._rms,
                            rect.height() - 2)
            gradient = QLinearGradient(rect.topLeft(), rect.topRight())
            gradient.setColorAt(0.0, QColor("#2fbf7d"))
            gradient.setColorAt(0.75, QColor("#e0b73a"))
            gradient.setColorAt(1.0, QColor("#ef4444"))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(gradient)
            painter.drawRoundedRect(filled, 4, 4)
        if self._peak > 0:
            x = rect.x() + 1 + (rect.width() - 3) * self._peak
            painter.setPen(QColor("#ffffff"))
            painter.drawLine(int(x), int(rect.top() + 2), int(x), int(rect.bottom() - 2))
        painter.end()
