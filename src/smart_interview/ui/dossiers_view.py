"""Dossiers: the list (newest first, usable offline from the device's copy), the selected
dossier in detail, create, delete, and "use for the next interview"."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from smart_interview.ui.coalescing_reload import CoalescingReload
from smart_interview.ui.context import UiContext
from smart_interview.ui.dossier_create_dialog import DossierCreateDialog
from smart_interview.ui.dossier_detail import DossierDetail
from smart_interview.ui.theme import button, card, label, set_role
from smart_interview.ui.workers import Job, JobControl, start_job

_STATUS = {"ready": "✓", "failed": "✗", "pending": "…"}


class DossiersView(QWidget):
    use_for_interview = Signal(str, str)

    def __init__(self, context: UiContext) -> None:
        super().__init__()
        self.context = context
        self.items: list[Any] = []
        self.from_cache = False
        self._list_loader = CoalescingReload(self._list_dossiers, name="list dossiers",
                                             on_success=self._listed, on_error=self._failed)
        self.detail_job: Job | None = None
        self.create_dialog: DossierCreateDialog | None = None
        self.confirm_box: QMessageBox | None = None
        page = QVBoxLayout(self)
        page.setContentsMargins(24, 20, 24, 20)
        page.setSpacing(12)
        header = QHBoxLayout()
        header.addWidget(label("Dossiers", role="h1"))
        header.addStretch(1)
        self.new_button = button("New dossier", kind="primary")
        self.new_button.clicked.connect(self.open_create)
        header.addWidget(self.new_button)
        page.addLayout(header)
        self.message = label("", role="hint", wrap=True)
        page.addWidget(self.message)
        body = QHBoxLayout()
        self.list = QListWidget()
        self.list.setFixedWidth(300)
        self.list.currentItemChanged.connect(self._selected)
        body.addWidget(self.list)
        detail_card = card()
        detail_column = QVBoxLayout(detail_card)
        detail_column.setContentsMargins(16, 14, 16, 14)
        self.detail = DossierDetail()
        self.detail.use_requested.connect(self._use)
        self.detail.delete_requested.connect(self.confirm_delete)
        detail_column.addWidget(self.detail)
        body.addWidget(detail_card, 1)
        page.addLayout(body, 1)
        self._poll = QTimer(self)
        self._poll.setInterval(3000)
        self._poll.setSingleShot(True)
        self._poll.timeout.connect(self._refresh_selected)
        context.dossiers_changed.connect(self.reload)
        context.server_changed.connect(self.reload)

    def activated(self) -> None:
        self.reload()

    # -- list ------------------------------------------------------------------------------

    @property
    def list_job(self) -> Job | None:
        return self._list_loader.job

    def reload(self) -> Job:
        return self._list_loader()

    def _list_dossiers(self, _control: JobControl) -> Any:
        account = self.context.services.account()
        if not account.client.signed_in:
            return None
        return account.dossiers()

    def _listed(self, listing: Any) -> None:
        if listing is None:
            self.items = []
            self.message.setText("Sign in (or use a local account) under Profile & CV to keep "
                                 "dossiers.")
            set_role(self.message, "warn")
            self.message.setVisible(True)
            self.new_button.setEnabled(False)
            self._fill(None)
            return
        self.new_button.setEnabled(True)
        self.items = list(listing.items)
        self.from_cache = listing.from_cache
        if listing.from_cache:
            self.message.setText("Offline: showing the dossiers saved on this device.")
            set_role(self.message, "warn")
        elif not self.items:
            self.message.setText("No dossiers yet. Create one for each job you interview for: "
                                 "paste the job description and get a Candidate Match and a "
                                 "cover letter.")
            set_role(self.message, "hint")
        else:
            self.message.setText("")
        self.message.setVisible(bool(self.message.text()))
        current = self.detail.dossier.id if self.detail.dossier else None
        self._fill(current)

    def _fill(self, select_id: str | None) -> None:
        selected = self.context.settings.ui.selected_dossier_id
        self.list.blockSignals(True)
        self.list.clear()
        chosen_row = 0
        for row, item in enumerate(self.items):
            mark = _STATUS.get(item.status, "")
            use = "  ★ next interview" if item.id == selected else ""
            entry = QListWidgetItem(f"{item.job_title}\n{item.company} {mark}{use}")
            entry.setData(Qt.ItemDataRole.UserRole, item.id)
            self.list.addItem(entry)
            if item.id == select_id:
                chosen_row = row
        self.list.blockSignals(False)
        if self.items:
            self.list.setCurrentRow(chosen_row)
            self._selected()
        else:
            self.detail.show_dossier(None)

    def _failed(self, message: str) -> None:
        self.message.setText(message)
        self.message.setVisible(True)
        set_role(self.message, "error")

    # -- detail ----------------------------------------------------------------------------

    def selected_id(self) -> str | None:
        entry = self.list.currentItem()
        return None if entry is None else str(entry.data(Qt.ItemDataRole.UserRole))

    def _selected(self, *_args: object) -> Job | None:
        dossier_id = self.selected_id()
        if dossier_id is None:
            return None
        return self._load_detail(dossier_id)

    def _refresh_selected(self) -> None:
        dossier_id = self.selected_id()
        if dossier_id is not None and self.isVisible():
            self._load_detail(dossier_id)

    def _load_detail(self, dossier_id: str) -> Job:
        services = self.context.services
        self.detail_job = start_job(lambda _c: services.account().dossier(dossier_id),
                                    name="dossier", on_success=self._show_detail,
                                    on_error=self._failed)
        return self.detail_job

    def _show_detail(self, dossier: Any) -> None:
        self.detail_job = None
        if dossier.id != self.selected_id():
            return
        self.detail.show_dossier(
            dossier, in_use=dossier.id == self.context.settings.ui.selected_dossier_id)
        if dossier.status == "pending":
            self._poll.start()
        else:
            for row, item in enumerate(self.items):
                if item.id == dossier.id and item.status != dossier.status:
                    self.items[row] = dossier.summary()
                    mark = _STATUS.get(dossier.status, "")
                    entry = self.list.item(row)
                    if entry is not None:
                        entry.setText(entry.text().replace(" …", f" {mark}", 1))

    # -- actions ---------------------------------------------------------------------------

    def open_create(self) -> DossierCreateDialog:
        self.create_dialog = DossierCreateDialog(self.context, parent=self)
        self.create_dialog.created.connect(self._created)
        self.create_dialog.open()
        return self.create_dialog

    def _created(self, dossier: Any) -> None:
        self.items.insert(0, dossier.summary())
        self._fill(dossier.id)

    def _use(self, dossier_id: str, title: str) -> None:
        self.use_for_interview.emit(dossier_id, title)
        self._fill(dossier_id)

    def confirm_delete(self, dossier_id: str) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Warning, "Delete dossier?",
                          "Delete this dossier, its Candidate Match, cover letter and CV "
                          "snapshot? This cannot be undone.",
                          QMessageBox.StandardButton.Cancel, self)
        delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        box.buttonClicked.connect(
            lambda clicked: self.delete(dossier_id) if clicked is delete else None)
        self.confirm_box = box
        box.open()
        return box

    def delete(self, dossier_id: str) -> Job:
        services = self.context.services

        def work(_control: JobControl) -> str:
            services.account().delete_dossier(dossier_id)
            return dossier_id

        return start_job(work, name="delete dossier", on_success=self._deleted,
                         on_error=self._failed)

    def _deleted(self, dossier_id: str) -> None:
        if self.context.settings.ui.selected_dossier_id == dossier_id:
            self.context.settings.ui.selected_dossier_id = None
            self.context.save_settings()
            self.use_for_interview.emit("", "")
        self.items = [item for item in self.items if item.id != dossier_id]
        self.detail.show_dossier(None)
        self._fill(None)
        self.message.setText("Dossier deleted.")
        self.message.setVisible(True)
        set_role(self.message, "ok")
