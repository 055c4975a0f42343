"""Answering the cloud consent dialog the way a user does: wait for it, press a button."""

from __future__ import annotations

from typing import Any

WAIT = 30_000


def consent_dialog(qtbot: Any, picker: Any) -> Any:
    qtbot.waitUntil(lambda: picker.consent_dialog is not None
                    and picker.consent_dialog.isVisible(), timeout=WAIT)
    return picker.consent_dialog


def accept_consent(qtbot: Any, picker: Any) -> Any:
    dialog = consent_dialog(qtbot, picker)
    dialog.allow_button.click()
    qtbot.waitUntil(lambda: picker.consent_dialog is None, timeout=WAIT)
    return dialog


def decline_consent(qtbot: Any, picker: Any) -> Any:
    dialog = consent_dialog(qtbot, picker)
    dialog.decline_button.click()
    qtbot.waitUntil(lambda: picker.consent_dialog is None, timeout=WAIT)
    return dialog
