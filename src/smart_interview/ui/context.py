"""What every screen is handed: the paths, the one settings object and a way to save it.

The app (`app/gui.py`) builds one `UiContext`; screens read `settings`, change it and call
`save_settings()`, which also tells every other screen through `settings_changed`. Engine
access goes through `services` (`app.services.AppServices`), so tests can build a context on a temp
home with the real engines behind it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from smart_interview.app.paths import AppPaths
from smart_interview.app.settings import Settings

if TYPE_CHECKING:
    from smart_interview.app.services import AppServices


class UiContext(QObject):
    settings_changed = Signal()
    account_changed = Signal()
    """Signed in or out, or the CV changed: screens that show account data reload."""
    dossiers_changed = Signal()
    server_changed = Signal()
    """The account server URL changed: the account is looked up again."""

    def __init__(self, *, paths: AppPaths, settings: Settings, services: AppServices) -> None:
        super().__init__()
        self.paths = paths
        self.settings = settings
        self.services = services

    def save_settings(self) -> None:
        self.settings.save(self.paths.settings_file)
        self.settings_changed.emit()
