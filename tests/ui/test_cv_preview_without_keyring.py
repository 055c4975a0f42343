"""The desktop app's CV upload dialog previews a CV on a machine with no keyring at all
(keyring's fail backend): reading the file stores nothing. Only confirming needs the keyring,
and then the dialog says why it cannot store, keeping the text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from smart_interview.sync.cv_text import extract_text
from tests.ui.documents import make_docx

WAIT = 30_000


def test_upload_dialog_previews_without_a_keyring(qtbot: Any, ui_home: Path,
                                                   tmp_path: Path) -> None:
    from keyring.backends import fail

    from smart_interview.app import gui
    from smart_interview.app.paths import AppPaths
    from smart_interview.ui.workers import running_jobs

    gui.make_application()
    window = gui.build_window(AppPaths.under(ui_home / "smart-interview"),
                              show_first_run=False, keyring_backend=fail.Keyring())
    qtbot.addWidget(window)
    try:
        window.show()
        window.show_page("profile")
        dialog = window.profile.open_upload()
        qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
        cv_file = make_docx(tmp_path / "dana.docx")
        dialog.read_file(str(cv_file))
        qtbot.waitUntil(lambda: dialog.stack.currentIndex() == 1, timeout=WAIT)
        assert dialog.preview_text.toPlainText() == extract_text(cv_file)
        assert "Nothing has been uploaded yet" in dialog.preview_caption.text()

        dialog.confirm_button.click()
        qtbot.waitUntil(lambda: "No secure password store" in dialog.preview_message.text(),
                        timeout=WAIT)
        assert "keyring.backends.fail.Keyring" in dialog.preview_message.text()
        assert dialog.preview_text.toPlainText() == extract_text(cv_file)
        assert not list((ui_home / "smart-interview").rglob("*.db"))
    finally:
        window.close()
        qtbot.waitUntil(lambda: running_jobs() == 0, timeout=WAIT)
        window.context.services.shutdown()
