"""Picking the microphone and the system-audio source, with live level meters and a
"play a test sound" check that proves the interviewer's side is really captured.

While the picker is shown (`start_monitoring`) both sources capture for real and a 20 Hz
timer reads their levels; nothing is recorded or kept.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from smart_interview.ui.context import UiContext
from smart_interview.ui.level_meter import LevelMeter
from smart_interview.ui.theme import button, label, set_role
from smart_interview.ui.workers import Job, JobControl, start_job, user_message

_DEFAULT = "__default__"
TEST_SOUND_THRESHOLD = 0.02
"""Peak amplitude on the system-audio source that counts as "the test sound arrived"."""


class DevicePicker(QWidget):
    changed = Signal()
    test_finished = Signal(bool)

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._sources: dict[str, Any] = {}
        self._test_job: Job | None = None
        self._test_peak = 0.0
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)

        grid.addWidget(label("Your microphone", role="h2"), 0, 0, 1, 2)
        self.mic_combo = QComboBox()
        self.mic_meter = LevelMeter()
        grid.addWidget(self.mic_combo, 1, 0)
        grid.addWidget(self.mic_meter, 1, 1)
        self.mic_status = label("Speak: the bar should move.", role="hint", wrap=True)
        grid.addWidget(self.mic_status, 2, 0, 1, 2)

        grid.addWidget(label("The interviewer (system audio)", role="h2"), 3, 0, 1, 2)
        self.loop_combo = QComboBox()
        self.loop_meter = LevelMeter()
        grid.addWidget(self.loop_combo, 4, 0)
        grid.addWidget(self.loop_meter, 4, 1)
        test_row = QHBoxLayout()
        self.test_button = button("Play a test sound")
        self.test_button.clicked.connect(self.play_test_sound)
        test_row.addWidget(self.test_button)
        test_row.addSpacing(10)
        self.test_status = label(
            "Pick the output your call app plays through, then play a test sound.",
            role="hint", wrap=True)
        test_row.addWidget(self.test_status, 1)
        holder = QVBoxLayout()
        holder.addLayout(test_row)
        grid.addLayout(holder, 5, 0, 1, 2)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)

        self._timer = QTimer(self)
        self._timer.setInterval(50)
        self._timer.timeout.connect(self._poll_levels)
        self.reload_devices()
        self.mic_combo.currentIndexChanged.connect(self._mic_changed)
        self.loop_combo.currentIndexChanged.connect(self._loop_changed)

    # -- devices ---------------------------------------------------------------------------

    def reload_devices(self) -> None:
        audio = self.context.settings.audio
        services = self.context.services
        self._fill(self.mic_combo, services.list_microphones, audio.mic_device,
                   "System default microphone", self.mic_status)
        self._fill(self.loop_combo, services.list_system_outputs, audio.loopback_device,
                   "System default output", self.test_status)

    def _fill(self, combo: QComboBox, lister: Any, current: str | None, default_text: str,
              status: Any) -> None:
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(default_text, _DEFAULT)
        try:
            for device_id, text in lister():
                combo.addItem(text, device_id)
        except Exception as exc:
            status.setText(user_message(exc))
            set_role(status, "error")
        index = combo.findData(current) if current else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def _selected(self, combo: QComboBox) -> str | None:
        data = combo.currentData()
        return None if data in (None, _DEFAULT) else str(data)

    def _mic_changed(self) -> None:
        self.context.settings.audio.mic_device = self._selected(self.mic_combo)
        self.context.save_settings()
        self._restart("mic")
        self.changed.emit()

    def _loop_changed(self) -> None:
        self.context.settings.audio.loopback_device = self._selected(self.loop_combo)
        self.context.save_settings()
        self._restart("loopback")
        self.changed.emit()

    # -- monitoring ------------------------------------------------------------------------

    @property
    def monitoring(self) -> bool:
        return self._timer.isActive()

    def start_monitoring(self) -> None:
        for kind in ("mic", "loopback"):
            self._open(kind)
        self._timer.start()

    def stop_monitoring(self) -> None:
        self._timer.stop()
        for kind in list(self._sources):
            self._close(kind)
        self.mic_meter.reset()
        self.loop_meter.reset()

    def _restart(self, kind: str) -> None:
        if not self.monitoring:
            return
        self._close(kind)
        self._open(kind)

    def _open(self, kind: str) -> None:
        services = self.context.services
        status = self.mic_status if kind == "mic" else self.test_status
        try:
            if kind == "mic":
                source = services.open_microphone(self._selected(self.mic_combo))
            else:
                source = services.open_system_audio(self._selected(self.loop_combo))
            source.start()
        except Exception as exc:
            status.setText(user_message(exc))
            set_role(status, "error")
            return
        self._sources[kind] = source
        if kind == "mic":
            status.setText(f"Listening to {source.name or 'the microphone'}: speak and the bar "
                           "should move.")
            set_role(status, "hint")

    def _close(self, kind: str) -> None:
        source = self._sources.pop(kind, None)
        if source is not None:
            # Stopping waits for the capture tail (≤ 0.5 s); off the GUI thread.
            def stop(_control: JobControl) -> None:
                source.stop()

            start_job(stop, name=f"stop {kind}")

    def level_of(self, kind: str) -> Any:
        source = self._sources.get(kind)
        return None if source is None else source.level

    def _poll_levels(self) -> None:
        for kind, meter in (("mic", self.mic_meter), ("loopback", self.loop_meter)):
            level = self.level_of(kind)
            if level is None:
                meter.reset()
                continue
            meter.set_level(level.rms, level.peak)
            if kind == "loopback" and self._test_job is not None:
                self._test_peak = max(self._test_peak, float(level.peak))

    # -- test sound ------------------------------------------------------------------------

    def play_test_sound(self) -> Job | None:
        if self._test_job is not None:
            return None
        if not self.monitoring:
            self.start_monitoring()
        if "loopback" not in self._sources:
            return None
        self._test_peak = 0.0
        self.test_button.setEnabled(False)
        self.test_status.setText("Playing a short tone…")
        set_role(self.test_status, "hint")
        services = self.context.services
        device = self._selected(self.loop_combo)

        def work(_control: JobControl) -> None:
            services.play_test_sound(device)

        self._test_job = start_job(work, name="test sound", on_success=self._test_played,
                                   on_error=self._test_failed)
        return self._test_job

    def _test_played(self, _result: object) -> None:
        # The capture thread lags the player by a few blocks: give the level a moment.
        QTimer.singleShot(400, self._judge_test)

    def _judge_test(self) -> None:
        self._poll_levels()
        self._test_job = None
        self.test_button.setEnabled(True)
        heard = self._test_peak >= TEST_SOUND_THRESHOLD
        if heard:
            self.test_status.setText("✓ The test sound played on this output was captured. "
                                     "If your call app has its own speaker setting, set it to "
                                     "the same output.")
            set_role(self.test_status, "ok")
        else:
            self.test_status.setText(
                "✗ Nothing arrived. Pick the output your call app plays through (headphones or "
                "speakers), check it is not muted, and try again.")
            set_role(self.test_status, "error")
        self.test_finished.emit(heard)

    def _test_failed(self, message: str) -> None:
        self._test_job = None
        self.test_button.setEnabled(True)
        self.test_status.setText(message)
        set_role(self.test_status, "error")
        self.test_finished.emit(False)
