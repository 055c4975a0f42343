"""Deleting the CV, with a confirmation that says exactly what goes and what stays.

The privacy policy's rule: deleting the CV removes the stored CV and its summary; dossiers
made before keep the CV snapshot they were built from. The dialog says so, lists those
dossiers, offers to delete them too, and gives the support address.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QWidget

from smart_interview.models.account import CvDeletion
from smart_interview.ui.action_dialog import ActionDialog
from smart_interview.ui.context import UiContext
from smart_interview.ui.theme import label
from smart_interview.ui.workers import Job, JobControl

SUPPORT_EMAIL = "support@trysmartinterview.com"


def confirmation_text(*, file_name: str | None, characters: int, dossier_count: int) -> str:
    what = f"“{file_name}”" if file_name else "your pasted CV"
    text = (f"This permanently deletes your CV ({what}, {characters:,} characters) and its "
            "summary from your account and from this device.")
    if dossier_count:
        noun = "dossier" if dossier_count == 1 else "dossiers"
        text += (f" Your {dossier_count} existing {noun} keep the copy of the CV they were "
                 "built from (their CV snapshot) unless you delete them too.")
    else:
        text += " You have no dossiers, so no copy of the CV remains."
    return text


class DeleteCvDialog(ActionDialog):
    deleted = Signal(CvDeletion, int)
    """The deletion and the number of dossiers deleted too."""

    def __init__(self, context: UiContext, *, cv: Any, dossiers: list[Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(context, title="Delete your CV?", action="Delete CV",
                         action_kind="danger", cancel="Keep my CV", parent=parent)
        self.dossiers = list(dossiers)
        self.setMinimumWidth(560)
        column = self.column
        self.text = label(confirmation_text(file_name=cv.file_name, characters=cv.characters,
                                            dossier_count=len(self.dossiers)), wrap=True)
        column.addWidget(self.text)
        if self.dossiers:
            names = "\n".join(f"• {d.job_title} — {d.company}" for d in self.dossiers[:8])
            more = f"\n…and {len(self.dossiers) - 8} more" if len(self.dossiers) > 8 else ""
            column.addWidget(label(names + more, role="muted", wrap=True))
        self.delete_dossiers = QCheckBox(
            f"Also delete my {len(self.dossiers)} dossier(s) and the CV snapshots in them")
        self.delete_dossiers.setVisible(bool(self.dossiers))
        column.addWidget(self.delete_dossiers)
        self.support = label(
            f"Questions about your data? Write to <a href='mailto:{SUPPORT_EMAIL}'>"
            f"{SUPPORT_EMAIL}</a>.", role="hint", wrap=True)
        self.support.setOpenExternalLinks(True)
        column.addWidget(self.support)
        self.delete_button = self.action_button
        self.add_message_and_buttons(self.confirm)
        self.delete_dossiers.toggled.connect(self._update_button)

    def full_text(self) -> str:
        return "\n".join([self.text.text(), self.support.text()])

    def _update_button(self, also: bool) -> None:
        self.delete_button.setText("Delete CV and dossiers" if also else "Delete CV")

    def confirm(self) -> Job:
        services = self.context.services
        also = self.delete_dossiers.isChecked()
        ids = [d.id for d in self.dossiers] if also else []

        def work(control: JobControl) -> tuple[CvDeletion, int]:
            account = services.account()
            result = account.delete_cv()
            removed = 0
            for number, dossier_id in enumerate(ids, start=1):
                try:
                    account.delete_dossier(dossier_id)
                except Exception as exc:  # report how far it got; the rest can be retried
                    if type(exc).__name__ != "NotFoundError":
                        raise
                removed += 1
                control.progress(number, len(ids))
            return result, removed

        return self.run(work, name="delete cv", busy="Deleting…", on_success=self._done)

    def _done(self, result: tuple[CvDeletion, int]) -> None:
        deletion, removed = result
        self.deleted.emit(deletion, removed)
        self.context.account_changed.emit()
        if removed:
            self.context.dossiers_changed.emit()
        self.accept()
