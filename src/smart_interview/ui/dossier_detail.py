"""One dossier: the Candidate Match (score, matched and missing skills with evidence), the
cover letter, the job description and the CV snapshot it was built from."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPlainTextEdit,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from smart_interview.ui.theme import button, label, set_role

_METHODS = {"ai:openai": "by OpenAI", "ai:anthropic": "by Anthropic",
            "keyword-match": "by keyword matching (no AI)"}


def match_html(match: Any) -> str:
    if match is None:
        return "<p style='color:#8a93a8'>No match yet.</p>"
    colour = "#3ecf8e" if match.score >= 70 else ("#f5a524" if match.score >= 40 else "#ff6b6b")
    parts = [f"<p><span style='font-size:26pt;font-weight:700;color:{colour}'>{match.score}"
             f"</span><span style='color:#8a93a8'> / 100 match</span></p>"]
    if match.summary:
        parts.append(f"<p>{html.escape(match.summary)}</p>")
    for title, items, mark, mark_colour in (("Matched", match.matched, "✓", "#3ecf8e"),
                                            ("Missing", match.missing, "✗", "#ff6b6b")):
        if not items:
            continue
        parts.append(f"<h3 style='margin-top:14px'>{title} ({len(items)})</h3><ul>")
        for item in items:
            evidence = (f"<br><span style='color:#8a93a8'>{html.escape(item.evidence)}</span>"
                        if item.evidence else "")
            parts.append(f"<li style='margin-bottom:6px'><span style='color:{mark_colour}'>"
                         f"{mark}</span> <b>{html.escape(item.skill)}</b>{evidence}</li>")
        parts.append("</ul>")
    return "".join(parts)


def snapshot_caption(dossier: Any) -> str:
    return (f"CV snapshot, as used for this dossier ({dossier.created_at[:10]}): the CV text "
            "it was built from. It stays here even if you delete or replace your CV.")


class DossierDetail(QWidget):
    use_requested = Signal(str, str)
    delete_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dossier: Any = None
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        title_row = QHBoxLayout()
        self.title = label("", role="h1", wrap=True)
        title_row.addWidget(self.title, 1)
        self.status = label("", role="badge")
        title_row.addWidget(self.status, 0, Qt.AlignmentFlag.AlignVCenter)
        column.addLayout(title_row)
        actions = QHBoxLayout()
        self.subtitle = label("", role="muted", wrap=True)
        actions.addWidget(self.subtitle, 1)
        self.use_button = button("Use for next interview", kind="primary")
        self.use_button.clicked.connect(self._use)
        self.delete_button = button("Delete", kind="danger")
        self.delete_button.clicked.connect(self._delete)
        actions.addWidget(self.use_button)
        actions.addWidget(self.delete_button)
        column.addLayout(actions)
        self.error = label("", role="error", wrap=True)
        self.error.hide()
        column.addWidget(self.error)
        self.tabs = QTabWidget()
        self.match_view = QTextBrowser()
        self.letter_view = QPlainTextEdit()
        self.letter_view.setReadOnly(True)
        letter = QWidget()
        letter_column = QVBoxLayout(letter)
        letter_column.addWidget(self.letter_view)
        self.copy_letter_button = button("Copy cover letter", kind="flat")
        self.copy_letter_button.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.letter_view.toPlainText()))
        letter_column.addWidget(self.copy_letter_button)
        self.jd_view = QPlainTextEdit()
        self.jd_view.setReadOnly(True)
        snapshot = QWidget()
        snapshot_column = QVBoxLayout(snapshot)
        self.snapshot_caption = label("", role="hint", wrap=True)
        snapshot_column.addWidget(self.snapshot_caption)
        self.snapshot_view = QPlainTextEdit()
        self.snapshot_view.setReadOnly(True)
        snapshot_column.addWidget(self.snapshot_view)
        self.tabs.addTab(self.match_view, "Candidate Match")
        self.tabs.addTab(letter, "Cover letter")
        self.tabs.addTab(self.jd_view, "Job description")
        self.tabs.addTab(snapshot, "CV snapshot")
        column.addWidget(self.tabs, 1)
        self.show_dossier(None)

    def show_dossier(self, dossier: Any, *, in_use: bool = False) -> None:
        self.dossier = dossier
        has = dossier is not None
        for widget in (self.use_button, self.delete_button, self.tabs, self.status):
            widget.setVisible(has)
        if not has:
            self.title.setText("No dossier selected")
            self.subtitle.setText("Create one for each job you interview for.")
            self.error.hide()
            return
        self.title.setText(dossier.job_title)
        method = _METHODS.get(dossier.method or "", "")
        self.subtitle.setText(f"{dossier.company} · created {dossier.created_at[:10]}"
                              + (f" · written {method}" if method and dossier.status == "ready"
                                 else ""))
        badge = {"ready": "badge-ok", "failed": "badge-error"}.get(dossier.status, "badge-warn")
        self.status.setText({"ready": "ready", "failed": "failed"}.get(dossier.status,
                                                                        "being written…"))
        set_role(self.status, badge)
        self.use_button.setText("✓ In use for next interview" if in_use else
                                "Use for next interview")
        self.use_button.setEnabled(not in_use)
        self.error.setText(f"This dossier could not be written: {dossier.error}. Delete it and "
                           "create it again." if dossier.error else "")
        self.error.setVisible(bool(dossier.error))
        if dossier.status == "pending":
            self.match_view.setHtml("<p style='color:#8a93a8'>Matching your CV to the job… "
                                    "this page updates by itself.</p>")
        else:
            self.match_view.setHtml(match_html(dossier.match))
        self.letter_view.setPlainText(dossier.cover_letter or (
            "The cover letter is being written…" if dossier.status == "pending" else
            "No cover letter."))
        self.jd_view.setPlainText(dossier.job_description)
        self.snapshot_caption.setText(snapshot_caption(dossier))
        self.snapshot_view.setPlainText(dossier.cv_snapshot or "(This dossier keeps no CV text.)")

    def _use(self) -> None:
        if self.dossier is not None:
            self.use_requested.emit(self.dossier.id,
                                    f"{self.dossier.job_title} at {self.dossier.company}")

    def _delete(self) -> None:
        if self.dossier is not None:
            self.delete_requested.emit(self.dossier.id)
