"""Fading a widget in and out without moving anything around it.

A `QGraphicsOpacityEffect` changes only how the widget is painted: it keeps its place and size
in the layout while it fades, so the widgets around it stay where they are. The effect is
removed again once the widget is fully opaque (it paints through an offscreen buffer).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractAnimation, QByteArray, QEasingCurve, QObject, QPropertyAnimation
from PySide6.QtWidgets import QGraphicsOpacityEffect, QWidget

FADE_OUT_MS = 260
FADE_IN_MS = 160


class Fader(QObject):
    """Fades `widget` out (then calls back) and in again; a new fade starts from the opacity
    the widget has at that moment, so a fade interrupted half-way never jumps."""

    def __init__(self, widget: QWidget, *, out_ms: int = FADE_OUT_MS,
                 in_ms: int = FADE_IN_MS) -> None:
        super().__init__(widget)
        self.widget = widget
        self.out_ms = out_ms
        self.in_ms = in_ms
        self._effect: QGraphicsOpacityEffect | None = None
        self._animation = QPropertyAnimation(self)
        self._animation.setPropertyName(QByteArray(b"opacity"))
        self._animation.setEasingCurve(QEasingCurve.Type.InOutQuad)
        self._animation.finished.connect(self._finished)
        self._then: Callable[[], None] | None = None

    @property
    def opacity(self) -> float:
        return 1.0 if self._effect is None else float(self._effect.opacity())

    @property
    def running(self) -> bool:
        return self._animation.state() == QAbstractAnimation.State.Running

    def fade_out(self, then: Callable[[], None] | None = None) -> None:
        """Fades to transparent, then calls `then` (the widget stays transparent until
        `fade_in` or `reset`)."""
        self._run(0.0, self.out_ms, then)

    def fade_in(self) -> None:
        self._run(1.0, self.in_ms, self._drop_effect)

    def reset(self) -> None:
        """Stops any fade (its callback is not called) and shows the widget fully."""
        self._animation.stop()
        self._then = None
        self._drop_effect()

    def _run(self, target: float, duration_ms: int, then: Callable[[], None] | None) -> None:
        self._animation.stop()
        effect = self._ensure_effect()
        start = float(effect.opacity())
        self._then = then
        self._animation.setTargetObject(effect)
        self._animation.setStartValue(start)
        self._animation.setEndValue(target)
        self._animation.setDuration(max(1, round(duration_ms * abs(target - start))))
        self._animation.start()

    def _ensure_effect(self) -> QGraphicsOpacityEffect:
        if self._effect is None:
            self._effect = QGraphicsOpacityEffect(self.widget)
            self._effect.setOpacity(1.0)
            self.widget.setGraphicsEffect(self._effect)
        return self._effect

    def _drop_effect(self) -> None:
        if self._effect is not None:
            # Qt accepts no effect here (it deletes the old one); the stubs do not say so.
            self.widget.setGraphicsEffect(None)  # type: ignore[arg-type]
            self._effect = None

    def _finished(self) -> None:
        then, self._then = self._then, None
        if then is not None:
            then()
