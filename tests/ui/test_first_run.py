"""First run, through the wizard's widgets: real PulseAudio devices with level meters and a
test sound that must arrive on the interviewer's side, the model, answers, the local
account; and preparing the base model with progress and cancel."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWizard

from smart_interview.app.settings import Settings
from tests.support.services import pulse_available, require

WAIT = 30_000


def test_first_run_from_devices_to_local_account(make_window: Any, qtbot: Any) -> None:
    require(pulse_available(), "PulseAudio with the test sinks is needed (.ci/services.sh)")
    window = make_window(show_first_run=True)
    window.show()
    qtbot.waitUntil(lambda: window.wizard is not None and window.wizard.isVisible(),
                    timeout=WAIT)
    wizard = window.wizard
    assert wizard.currentPage() is wizard.welcome_page
    wizard.next()
    assert wizard.currentPage() is wizard.audio_page
    picker = wizard.device_picker
    assert picker.monitoring
    outputs = [picker.loop_combo.itemData(i) for i in range(picker.loop_combo.count())]
    assert "interviewer" in outputs and "candidate_mic" in outputs
    picker.loop_combo.setCurrentIndex(outputs.index("interviewer"))
    assert window.context.settings.audio.loopback_device == "interviewer"
    qtbot.waitUntil(lambda: picker.level_of("loopback") is not None, timeout=WAIT)
    with qtbot.waitSignal(picker.test_finished, timeout=WAIT) as heard:
        picker.test_button.click()
    assert heard.args == [True], picker.test_status.text()
    assert "captured" in picker.test_status.text()
    assert picker.loop_meter.rms_fraction >= 0.0

    wizard.next()
    assert wizard.currentPage() is wizard.model_page
    assert wizard.model_picker.selected_name == "tiny.en"
    assert "Ready on this device" in wizard.model_picker.status.text()
    assert not picker.monitoring, "leaving the audio page stops the capture"
    wizard.next()
    assert wizard.currentPage() is wizard.answers_page
    assert wizard.provider_picker.provider_name == "none"
    assert wizard.provider_picker.share.choice == "question"
    wizard.next()
    assert wizard.currentPage() is wizard.history_page
    assert not wizard.keep_history.isChecked()
    wizard.next()
    assert wizard.currentPage() is wizard.account_page
    panel = wizard.account_panel
    qtbot.waitUntil(lambda: panel.job is None, timeout=WAIT)
    if "Local account" not in panel.state.text():
        panel.local_button.click()
    qtbot.waitUntil(lambda: "Local account on this device" in panel.state.text(), timeout=WAIT)
    assert panel.delete_button.isHidden() and panel.local_button.isHidden()
    wizard.next()
    assert wizard.currentPage() is wizard.cv_page
    wizard.next()  # skipped
    assert wizard.currentPage() is wizard.done_page
    with qtbot.waitSignal(wizard.finished, timeout=WAIT):
        wizard.button(QWizard.WizardButton.FinishButton).click()
    saved = Settings.load(window.context.paths.settings_file)
    assert saved.ui.first_run_done and saved.audio.loopback_device == "interviewer"
    assert not saved.ui.history_enabled
    assert window.account_label.text() == "Local account"


def test_wizard_account_page_offers_no_delete_and_the_cv_step_uploads_or_skips(
        make_window: Any, qtbot: Any) -> None:
    from smart_interview.ui.first_run_wizard import FirstRunWizard

    window = make_window()
    wizard = FirstRunWizard(window.context, parent=window)
    qtbot.addWidget(wizard)
    wizard.show()
    while wizard.currentPage() is not wizard.account_page:
        wizard.next()
    panel = wizard.account_panel
    qtbot.waitUntil(lambda: panel.job is None, timeout=WAIT)
    if "Local account" not in panel.state.text():
        panel.local_button.click()
    qtbot.waitUntil(lambda: "Local account on this device" in panel.state.text(), timeout=WAIT)
    window.context.save_settings()  # a settings change used to bring the local button back
    assert panel.delete_button.isHidden() and panel.local_button.isHidden()
    assert not window.profile.account_panel.delete_button.isHidden()
    wizard.next()
    assert wizard.currentPage() is wizard.cv_page
    assert "press Next to skip" in wizard.cv_page.findChildren(type(panel.state))[1].text()
    dialog = wizard.cv_page.open_upload()
    assert dialog.isVisible()
    dialog.reject()
    wizard.next()
    assert wizard.currentPage() is wizard.done_page
    wizard.close()


def test_silent_test_sound_says_what_to_do(make_window: Any, qtbot: Any) -> None:
    """The verdict when nothing reached the captured output (judged on the measured peak;
    the shared sound server cannot promise silence on a real sink)."""
    window = make_window()
    picker = window.settings_view.device_picker
    results: list[bool] = []
    picker.test_finished.connect(results.append)
    picker._test_peak = 0.001
    picker._judge_test()
    assert results == [False]
    assert "Nothing arrived" in picker.test_status.text()
    assert "Pick the output your call app plays through" in picker.test_status.text()
    assert picker.test_status.property("role") == "error" and picker.test_button.isEnabled()


def test_prepare_base_with_progress_and_cancel(make_window: Any, qtbot: Any) -> None:
    window = make_window()
    picker = window.settings_view.model_picker
    index = picker.combo.findData("base")
    assert index >= 0
    info = window.context.services.model_registry().info("base")
    if "packages installed" not in info.source:
        require(False, f"the base model packages are not installed: {info.how_to_get}")
    picker.combo.setCurrentIndex(index)
    assert picker.prepare_button.isVisibleTo(picker) and "Prepare base" in \
        picker.prepare_button.text()

    picker.prepare_button.click()
    job = picker.job
    assert job is not None and picker.cancel_button.isVisibleTo(picker)
    with qtbot.waitSignal(job.signals.progress, timeout=WAIT):
        pass
    with qtbot.waitSignal(job.signals.cancelled, timeout=WAIT):
        picker.cancel_button.click()
    assert "Cancelled" in picker.status.text()
    assert not window.context.services.model_registry().info("base").ready
    assert window.context.settings.transcription.model == "tiny.en"

    picker.prepare_button.click()
    progress: list[int] = []
    picker.job.signals.progress.connect(lambda done, total: progress.append(done))
    qtbot.waitUntil(lambda: "Ready on this device" in picker.status.text(), timeout=120_000)
    assert picker.job is None
    assert progress and progress == sorted(progress)
    assert window.context.settings.transcription.model == "base"
    assert window.context.services.model_registry().info("base").ready
