"""Guards every PySide6 upgrade against a reference-count leak on singletons.

PySide6-Essentials 6.12.0 under CPython 3.11 drops one reference to `None` on every call of
a wrapped C++ method that returns `void` (`QWidget.update()`, `QLabel.setText()`, the
`QPainter` calls). `None`, `True` and `False` are not immortal before Python 3.12, so the
level meters repainting during an interview run `None` out of references within minutes and
the process aborts with "none_dealloc". pyproject.toml caps PySide6 below 6.12.

The first tests count references around a few thousand void calls; the last ones render each
widget that repaints during an interview tens of thousands of times, which aborts the whole
test process on a leaking build (None's count here is a few tens of thousands).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

CALLS = 3_000
TOLERANCE = 150
"""Other objects take and drop references to None meanwhile; a leak costs one per call."""
RENDERS = 20_000


def singleton_counts() -> tuple[int, int, int]:
    gc.collect()
    return sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)


def drift(call: Callable[[], object], times: int = CALLS) -> tuple[int, int, int]:
    """How far the reference counts of None, True and False moved over `times` calls."""
    call()  # first-call caches (method lookup, signatures) are not a leak
    before = singleton_counts()
    for _ in range(times):
        call()
    after = singleton_counts()
    return tuple(a - b for a, b in zip(after, before, strict=True))  # type: ignore[return-value]


def assert_no_drift(name: str, call: Callable[[], object]) -> None:
    moved = drift(call)
    assert all(abs(delta) < TOLERANCE for delta in moved), (
        f"{name} moved the reference counts of (None, True, False) by {moved} over {CALLS} "
        f"calls: this PySide6 build leaks references to singletons (see pyproject.toml)")


@pytest.fixture
def app(qapp: Any) -> Any:
    return qapp


def test_void_widget_calls_keep_singleton_refcounts(app: Any, qtbot: Any) -> None:
    from PySide6.QtWidgets import QLabel, QWidget

    widget = QWidget()
    label = QLabel("x")
    qtbot.addWidget(widget)
    qtbot.addWidget(label)
    assert_no_drift("QWidget.update()", widget.update)
    assert_no_drift("QLabel.setText()", lambda: label.setText("y"))
    assert_no_drift("QWidget.setVisible(False)", lambda: widget.setVisible(False))
    assert_no_drift("QWidget.isVisible()", widget.isVisible)


def test_void_painter_calls_keep_singleton_refcounts(app: Any) -> None:
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    image = QImage(64, 16, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        color = QColor("#263049")
        rect = QRectF(1, 1, 60, 12)
        assert_no_drift("QPainter.setPen()", lambda: painter.setPen(color))
        assert_no_drift("QPainter.setBrush()", lambda: painter.setBrush(color))
        assert_no_drift("QPainter.drawRoundedRect()",
                        lambda: painter.drawRoundedRect(rect, 5, 5))
        assert_no_drift("QPainter.drawLine()", lambda: painter.drawLine(1, 2, 30, 2))
        assert_no_drift("QPainter.setRenderHint()",
                        lambda: painter.setRenderHint(QPainter.RenderHint.Antialiasing))
    finally:
        painter.end()


def test_level_meter_paint_keeps_singleton_refcounts(app: Any, qtbot: Any) -> None:
    from PySide6.QtGui import QImage

    from smart_interview.ui.level_meter import LevelMeter

    meter = LevelMeter()
    qtbot.addWidget(meter)
    meter.resize(220, 12)
    meter.set_level(0.3, 0.6)
    image = QImage(meter.size(), QImage.Format.Format_ARGB32)
    assert_no_drift("LevelMeter.render()", lambda: meter.render(image))


def render_many(widget: Any, change: Callable[[int], object], times: int = RENDERS) -> None:
    """Changes the widget and paints it `times` times, as an interview repaints it."""
    from PySide6.QtGui import QImage

    image = QImage(widget.size(), QImage.Format.Format_ARGB32)
    for n in range(times):
        change(n)
        widget.render(image)
    assert not image.isNull()


@pytest.mark.slow
def test_level_meters_survive_tens_of_thousands_of_paints(app: Any, qtbot: Any) -> None:
    from smart_interview.ui.level_meter import LevelMeter

    meter = LevelMeter()
    qtbot.addWidget(meter)
    meter.resize(220, 12)
    render_many(meter, lambda n: meter.set_level((n % 97) / 100, (n % 89) / 90))
    assert 0.0 < meter.rms_fraction <= 1.0


@pytest.mark.slow
def test_transcript_and_answer_panel_survive_tens_of_thousands_of_paints(
        app: Any, qtbot: Any) -> None:
    from smart_interview.models.answers import AnswerDelta, QuestionDetected
    from smart_interview.models.transcript import Segment, Speaker, TranscriptUpdate
    from smart_interview.ui.answer_panel import AnswerPanel
    from smart_interview.ui.transcript_view import TranscriptView

    transcript = TranscriptView()
    panel = AnswerPanel()
    for widget in (transcript, panel):
        qtbot.addWidget(widget)
        widget.resize(480, 320)
    for n in range(40):
        speaker = Speaker.INTERVIEWER if n % 2 == 0 else Speaker.CANDIDATE
        segment = Segment(speaker, f"Line {n} of the call.", float(n), n + 0.9, final=True)
        transcript.add_event(TranscriptUpdate(segment, emitted_at=n + 1.0, utterance=n))
    panel.handle_event(QuestionDetected(emitted_at=1.0, id="q1", text="Why Rust?", kind="wh"))

    def grow(n: int) -> None:
        if n % 500 == 0:
            panel.handle_event(AnswerDelta(emitted_at=2.0, question_id="q1", text=" more"))

    render_many(transcript, lambda n: None, RENDERS // 4)
    render_many(panel, grow, RENDERS // 4)
    assert len(transcript.final_texts()) == 40
    assert panel.current is not None


@pytest.mark.slow
def test_overlay_survives_tens_of_thousands_of_paints(app: Any, qtbot: Any,
                                                      tmp_path: Path) -> None:
    from smart_interview.app.paths import AppPaths
    from smart_interview.app.settings import Settings
    from smart_interview.ui.context import UiContext
    from smart_interview.ui.overlay_window import OverlayWindow

    context = UiContext(paths=AppPaths.under(tmp_path / "smart-interview"),
                        settings=Settings(), services=None)  # type: ignore[arg-type]
    overlay = OverlayWindow(context)
    qtbot.addWidget(overlay)
    overlay.resize(420, 220)
    render_many(overlay, lambda n: overlay.show_question(f"Question {n % 7}?"), RENDERS // 2)
    assert overlay.question.text().startswith("Question ")
