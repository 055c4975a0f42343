"""The main window: a sidebar (Interview, Dossiers, Profile & CV, History, Network, Settings)
beside the pages, plus the overlay and the first-run wizard it opens."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from smart_interview.ui.context import UiContext
from smart_interview.ui.crash_notice import show_crash_notice
from smart_interview.ui.dossiers_view import DossiersView
from smart_interview.ui.first_run_wizard import FirstRunWizard
from smart_interview.ui.history_view import HistoryView
from smart_interview.ui.hotkeys import HotkeyManager
from smart_interview.ui.interview_view import InterviewView
from smart_interview.ui.network_view import NetworkView
from smart_interview.ui.overlay_window import OverlayWindow
from smart_interview.ui.profile_view import ProfileView
from smart_interview.ui.settings_view import SettingsView
from smart_interview.ui.theme import button, label

PAGES = ("interview", "dossiers", "profile", "history", "network", "settings")
_TITLES = {
    "interview": "Interview",
    "dossiers": "Dossiers",
    "profile": "Profile && CV",
    "history": "History",
    "network": "Network",
    "settings": "Settings",
}


class MainWindow(QMainWindow):
    closing = Signal()

    def __init__(self, context: UiContext, *, show_first_run: bool | None = None) -> None:
        super().__init__()
        self.context = context
        self.setWindowTitle("Smart Interview")
        self.resize(1240, 800)
        self.setMinimumSize(980, 640)

        self.interview = InterviewView(context)
        self.dossiers = DossiersView(context)
        self.profile = ProfileView(context)
        self.history = HistoryView(context)
        self.network = NetworkView(context)
        self.settings_view = SettingsView(context)
        self.overlay = OverlayWindow(context)
        self.hotkeys = HotkeyManager(self)

        self.stack = QStackedWidget()
        self.nav_buttons: dict[str, QPushButton] = {}
        pages = {
            "interview": self.interview,
            "dossiers": self.dossiers,
            "profile": self.profile,
            "history": self.history,
            "network": self.network,
            "settings": self.settings_view,
        }
        for name in PAGES:
            self.stack.addWidget(pages[name])

        root = QWidget()
        layout = QHBoxLayout(root)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._sidebar())
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(root)

        self._wire()
        self.show_page("interview")
        self.wizard: FirstRunWizard | None = None
        if show_first_run is None:
            show_first_run = not context.settings.ui.first_run_done
        self._first_run_pending = show_first_run
        self._crash_checked = False
        self.crash_notice: QMessageBox | None = None

    # -- layout ----------------------------------------------------------------------------

    def _sidebar(self) -> QFrame:
        bar = QFrame()
        bar.setObjectName("Sidebar")
        bar.setFixedWidth(224)
        column = QVBoxLayout(bar)
        column.setContentsMargins(12, 16, 12, 14)
        column.setSpacing(4)
        brand = label("◉ Smart Interview")
        brand.setObjectName("Brand")
        column.addWidget(brand)
        column.addSpacing(14)
        group = QButtonGroup(self)
        group.setExclusive(True)
        for name in PAGES:
            nav = QPushButton(_TITLES[name])
            nav.setProperty("nav", True)
            nav.setCheckable(True)
            nav.setCursor(Qt.CursorShape.PointingHandCursor)
            nav.clicked.connect(lambda _=False, page=name: self.show_page(page))
            group.addButton(nav)
            column.addWidget(nav)
            self.nav_buttons[name] = nav
        column.addStretch(1)
        self.overlay_button = button("Show overlay")
        self.overlay_button.setCheckable(True)
        self.overlay_button.toggled.connect(self.set_overlay_visible)
        column.addWidget(self.overlay_button)
        column.addSpacing(8)
        self.account_label = label("", role="hint", wrap=True)
        column.addWidget(self.account_label)
        self.privacy_label = label(
            "Audio, transcripts and answers stay on this device.", role="hint", wrap=True)
        column.addWidget(self.privacy_label)
        return bar

    def _wire(self) -> None:
        iv = self.interview
        iv.question_changed.connect(self.overlay.show_question)
        iv.answer_changed.connect(self.overlay.show_answer)
        iv.question_state_changed.connect(self.overlay.show_question_state)
        iv.listening_changed.connect(self.overlay.set_listening)
        iv.session_started.connect(self.network.interview_started)
        iv.session_stopped.connect(self.history.reload)
        self.overlay.closed.connect(lambda: self.overlay_button.setChecked(False))
        self.overlay.previous_requested.connect(iv.answer_panel.show_previous)
        self.overlay.next_requested.connect(iv.answer_panel.show_next)
        self.dossiers.use_for_interview.connect(self._use_dossier)
        self.context.account_changed.connect(self._refresh_account)
        self.context.settings_changed.connect(self._apply_hotkeys)
        self.settings_view.rerun_setup.connect(self.open_first_run)
        self.hotkeys.triggered.connect(self._on_hotkey)
        self._apply_hotkeys()
        self._refresh_account()
        for number, page in enumerate(PAGES, 1):
            QShortcut(QKeySequence(f"Ctrl+{number}"), self,
                      lambda page=page: self.show_page(page))

    # -- behaviour -------------------------------------------------------------------------

    def show_page(self, name: str) -> None:
        self.stack.setCurrentIndex(PAGES.index(name))
        self.nav_buttons[name].setChecked(True)
        page = self.stack.currentWidget()
        activated = getattr(page, "activated", None)
        if callable(activated):
            activated()

    def current_page(self) -> str:
        return PAGES[self.stack.currentIndex()]

    def showEvent(self, event):  # type: ignore[no-untyped-def]
        super().showEvent(event)
        if self._first_run_pending:
            self._first_run_pending = False
            self.open_first_run()
        elif not self._crash_checked:
            self._crash_checked = True
            self.tell_previous_crash()

    def start_interview_when_ready(self) -> None:
        """Starts listening now, or once the first-run setup is finished."""
        if self.wizard is not None and self.wizard.isVisible():
            self.wizard.finished.connect(lambda _result: self.interview.start())
        else:
            self.interview.start()

    def tell_previous_crash(self) -> QMessageBox | None:
        """When the app died during the last interview: says so and offers the saved one."""
        services = self.context.services
        crash = services.previous_crash()
        if crash is None:
            return None

        def open_interview(interview_id: str) -> None:
            self.show_page("history")
            self.history.select(interview_id)

        self.crash_notice = show_crash_notice(
            self, crash, history_on=bool(self.context.settings.ui.history_enabled),
            open_interview=open_interview, dismissed=lambda: services.dismiss_crash(crash))
        return self.crash_notice

    def open_first_run(self) -> FirstRunWizard:
        if self.wizard is None:
            self.wizard = FirstRunWizard(self.context, parent=self)
            self.wizard.finished.connect(self._first_run_finished)
        self.wizard.restart()
        self.wizard.open()
        return self.wizard

    def _first_run_finished(self, _result: int) -> None:
        self.interview.reload_settings()
        self._refresh_account()

    def set_overlay_visible(self, visible: bool) -> None:
        if visible:
            self.overlay.show_overlay()
        else:
            self.overlay.hide()
        if self.overlay_button.isChecked() != visible:
            self.overlay_button.setChecked(visible)
        self.overlay_button.setText("Hide overlay" if visible else "Show overlay")

    def _use_dossier(self, dossier_id: str, title: str) -> None:
        self.context.settings.ui.selected_dossier_id = dossier_id or None
        self.context.save_settings()
        self.interview.set_dossier(dossier_id or None, title)
        if dossier_id:
            self.show_page("interview")

    def _refresh_account(self) -> None:
        self.account_label.setText(self.context.services.account_caption())

    def _apply_hotkeys(self) -> None:
        notice = self.hotkeys.apply(self.context.settings.ui.hotkeys)
        self.settings_view.set_hotkey_notice(notice)

    def _on_hotkey(self, action: str) -> None:
        if action == "toggle_overlay":
            self.set_overlay_visible(not self.overlay.isVisible())
        elif action == "next_answer":
            self.interview.answer_panel.show_next()
        elif action == "previous_answer":
            self.interview.answer_panel.show_previous()
        elif action == "pause_listening":
            self.interview.toggle_pause()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closing.emit()
        self.interview.shutdown()
        self.overlay.close()
        self.hotkeys.clear()
        super().closeEvent(event)
