"""The overlay: a compact frameless, always-on-top, translucent window with the latest
question and its answer, for glancing at during a call.

A question heard before the interviewer finished is shown lighter with an "early" mark; one
that is withdrawn fades out, and the question shown before it fades back in.

Drag it by its body. Opacity and click-through (mouse clicks pass to the window below) are
saved in the settings; with click-through on, use the main window or the hotkey to turn it off.
It is kept out of screen sharing where the OS allows (see `capture_exclusion.py`). Windows
refuses that for a translucent (layered) window: the overlay then becomes opaque on a new,
non-layered native window, and its opacity stays at 100% while it is hidden.

On macOS a `Qt.Tool` window becomes an NSPanel, whose `hidesOnDeactivate` is YES by default
(AppKit): the overlay would vanish as soon as the user clicks into the call app.
`WA_MacAlwaysShowToolWindow` keeps it on screen while the app is inactive.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QCloseEvent, QMouseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from smart_interview.ui.answer_panel import EARLY_TIP
from smart_interview.ui.capture_exclusion import CaptureExclusionFilter, NativeApis
from smart_interview.ui.context import UiContext
from smart_interview.ui.fade import Fader
from smart_interview.ui.theme import button, label

EARLY_STYLE = "color: #b8a26e; font-style: italic;"


class OverlayWindow(QWidget):
    closed = Signal()
    previous_requested = Signal()
    next_requested = Signal()

    def __init__(self, context: UiContext, *, native_apis: NativeApis | None = None,
                 platform: str = sys.platform) -> None:
        super().__init__(None)
        self.context = context
        self.setObjectName("Overlay")
        self.setWindowTitle("Smart Interview overlay")
        self.setWindowFlags(
            Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.Tool
        )
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setAttribute(Qt.WidgetAttribute.WA_MacAlwaysShowToolWindow)
        self.resize(440, 260)
        self._drag_from: QPoint | None = None

        panel = QFrame()
        panel.setObjectName("OverlayPanel")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(panel)
        column = QVBoxLayout(panel)
        column.setContentsMargins(14, 10, 14, 10)
        column.setSpacing(6)

        header = QHBoxLayout()
        self.status = label("● Not listening", role="hint")
        header.addWidget(self.status)
        header.addStretch(1)
        self.early_mark = label("", role="hint")
        self.early_mark.setToolTip(EARLY_TIP)
        header.addWidget(self.early_mark)
        self.previous_button = button("‹", kind="flat")
        self.previous_button.setToolTip("Previous answer")
        self.previous_button.clicked.connect(self.previous_requested)
        self.next_button = button("›", kind="flat")
        self.next_button.setToolTip("Next answer")
        self.next_button.clicked.connect(self.next_requested)
        self.close_button = button("✕", kind="flat")
        self.close_button.setToolTip("Hide overlay")
        self.close_button.clicked.connect(self.close)
        for widget in (self.previous_button, self.next_button, self.close_button):
            header.addWidget(widget)
        column.addLayout(header)

        content = QWidget()  # the question and its answer, faded as one
        content_column = QVBoxLayout(content)
        content_column.setContentsMargins(0, 0, 0, 0)
        content_column.setSpacing(6)
        column.addWidget(content, 1)
        self.content_fader = Fader(content)
        self.question = QLabel("Questions from the interviewer appear here.")
        self.question.setObjectName("OverlayQuestion")
        self.question.setWordWrap(True)
        content_column.addWidget(self.question)
        self.answer = QLabel("")
        self.answer.setObjectName("OverlayAnswer")
        self.answer.setWordWrap(True)
        self.answer.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.answer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.answer)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.viewport().setAutoFillBackground(False)
        self.answer.setAutoFillBackground(False)
        content_column.addWidget(scroll, 1)

        footer = QHBoxLayout()
        footer.addWidget(label("Opacity", role="hint"))
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal)
        self.opacity_slider.setRange(30, 100)
        self.opacity_slider.setFixedWidth(110)
        self.opacity_slider.valueChanged.connect(self._opacity_moved)
        footer.addWidget(self.opacity_slider)
        footer.addStretch(1)
        self.click_through = QCheckBox("Click-through")
        self.click_through.setToolTip("Let clicks pass to the window below the overlay")
        self.click_through.toggled.connect(self.set_click_through)
        footer.addWidget(self.click_through)
        column.addLayout(footer)
        self.capture_notice = label("", role="hint", wrap=True)
        column.addWidget(self.capture_notice)

        ui = context.settings.ui
        self.opaque = False
        """True once Windows refused to hide the translucent overlay and it went opaque."""
        self.exclusion = CaptureExclusionFilter(self, enabled=ui.hide_from_capture,
                                                platform=platform, apis=native_apis,
                                                fallback=self._make_opaque)
        self.exclusion.notice_changed.connect(self.capture_notice.setText)
        self.capture_notice.setText(self.exclusion.notice)
        self.opacity_slider.setValue(round(ui.overlay_opacity * 100))
        self.setWindowOpacity(ui.overlay_opacity)
        self.click_through.setChecked(ui.overlay_click_through)
        context.settings_changed.connect(self._settings_changed)

    # -- content ---------------------------------------------------------------------------

    def show_question(self, text: str) -> None:
        self.question.setText(text or "Questions from the interviewer appear here.")

    def show_answer(self, text: str) -> None:
        self.answer.setText(text)

    def show_question_state(self, state: str) -> None:
        """"early" (lighter, marked), "final", "" (none) or "withdrawing" (fades out until the
        next state brings the question shown before it back)."""
        if state == "withdrawing":
            self.content_fader.fade_out()
            return
        if self.content_fader.opacity < 1.0 or self.content_fader.running:
            self.content_fader.fade_in()
        early = state == "early"
        self.early_mark.setText("early" if early else "")
        style = EARLY_STYLE if early else ""
        if self.question.styleSheet() != style:
            self.question.setStyleSheet(style)

    def set_listening(self, listening: bool) -> None:
        self.status.setText("● Listening" if listening else "● Not listening")
        self.status.setProperty("role", "ok" if listening else "hint")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    # -- window behaviour ------------------------------------------------------------------

    def show_overlay(self) -> None:
        self.show()
        self.raise_()
        self.capture_notice.setText(self.exclusion.apply())

    def _make_opaque(self) -> None:
        """Windows will not hide a layered window from capture, and Qt keeps WS_EX_LAYERED on
        the native window it made: drop translucency and opacity, then make a new one."""
        visible = self.isVisible()
        self.opaque = True
        self.hide()
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground, False)
        self.setWindowOpacity(1.0)
        self.opacity_slider.setEnabled(False)
        self.opacity_slider.setToolTip("Windows hides the overlay from screen sharing only "
                                       "while it is opaque")
        self.destroy(True, True)
        if visible:
            self.show()
        self.winId()  # the new native window, which the exclusion is applied to next

    def _opacity_moved(self, value: int) -> None:
        opacity = value / 100.0
        self.setWindowOpacity(1.0 if self.opaque else opacity)
        if abs(self.context.settings.ui.overlay_opacity - opacity) > 1e-6:
            self.context.settings.ui.overlay_opacity = opacity
            self.context.save_settings()

    def set_click_through(self, enabled: bool) -> None:
        was_visible = self.isVisible()
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, enabled)
        self.setWindowFlag(Qt.WindowType.WindowTransparentForInput, enabled)
        if self.click_through.isChecked() != enabled:
            self.click_through.setChecked(enabled)
        if self.context.settings.ui.overlay_click_through != enabled:
            self.context.settings.ui.overlay_click_through = enabled
            self.context.save_settings()
        if was_visible:
            self.show()  # changing window flags hides a window

    def _settings_changed(self) -> None:
        ui = self.context.settings.ui
        if self.opacity_slider.value() != round(ui.overlay_opacity * 100):
            self.opacity_slider.setValue(round(ui.overlay_opacity * 100))
        if self.click_through.isChecked() != ui.overlay_click_through:
            self.set_click_through(ui.overlay_click_through)
        if self.exclusion.enabled != ui.hide_from_capture:
            self.capture_notice.setText(self.exclusion.set_enabled(ui.hide_from_capture))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = event.globalPosition().toPoint() - self.frameGeometry().topLeft()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self.move(event.globalPosition().toPoint() - self._drag_from)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag_from = None
        super().mouseReleaseEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        self.closed.emit()
