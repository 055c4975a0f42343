"""Network: every request the app has made since it started, listed as it happens, with a
one-line summary of the current (or last) interview and of the whole run on top.

The app's one `NetworkDoor` publishes each request when it starts and again when it ends, on
the thread that made it; the page re-emits that as a Qt signal with a queued connection, so
the table is only touched on the GUI thread.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from smart_interview.app.network.log import NetworkEntry, NetworkLog, format_size, summary
from smart_interview.ui.context import UiContext
from smart_interview.ui.theme import card, label

COLUMNS = ("Time", "Host", "Purpose", "Method", "Path", "Sent", "Received", "Status",
           "Duration")
_NUMERIC = {5, 6, 7, 8}


class _LogBridge(QObject):
    """Carries log entries from the requesting threads to the GUI thread."""

    entry = Signal(object)


class NetworkView(QWidget):
    def __init__(self, context: UiContext) -> None:
        super().__init__()
        self.context = context
        self.log: NetworkLog = context.services.door.log
        self._interview_since: int | None = None
        self._rows: dict[int, int] = {}

        page = QVBoxLayout(self)
        page.setContentsMargins(24, 20, 24, 20)
        page.setSpacing(10)
        page.addWidget(label("Network", role="h1"))
        page.addWidget(label(
            "Every request Smart Interview makes goes through one place and is listed here as "
            "it happens. Audio, transcripts and answers never go to Smart Interview servers.",
            role="hint", wrap=True))
        box = card()
        column = QVBoxLayout(box)
        column.setContentsMargins(16, 12, 16, 12)
        self.interview_summary = label("", role="h2", wrap=True)
        self.run_summary = label("", role="muted", wrap=True)
        column.addWidget(self.interview_summary)
        column.addWidget(self.run_summary)
        page.addWidget(box)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMNS.index("Path"), QHeaderView.ResizeMode.Stretch)
        page.addWidget(self.table, 1)

        self._bridge = _LogBridge(self)
        self._bridge.entry.connect(self.show_entry, Qt.ConnectionType.QueuedConnection)
        unsubscribe = self.log.subscribe(self._bridge.entry.emit)
        self.destroyed.connect(lambda *_: unsubscribe())
        for entry in self.log.entries():
            self.show_entry(entry)
        self._refresh_summary()

    # -- what the interview page tells us ---------------------------------------------------

    def interview_started(self) -> None:
        """The summary on top counts from now on."""
        self._interview_since = self.log.last_id()
        self._refresh_summary()

    # -- rows -------------------------------------------------------------------------------

    def show_entry(self, entry: NetworkEntry) -> None:
        """GUI thread: adds the request's row, or updates it when the request has ended."""
        row = self._rows.get(entry.id)
        if row is None:
            row = self.table.rowCount()
            self.table.insertRow(row)
            self._rows[entry.id] = row
        status = "…" if entry.status is None and not entry.finished else (
            str(entry.status) if entry.status is not None else entry.outcome.value)
        if entry.error:
            status = f"{status} ({entry.error})"
        duration = "" if entry.duration_s is None else f"{entry.duration_s * 1000:.0f} ms"
        cells = (datetime.fromtimestamp(entry.started_at).strftime("%H:%M:%S"), entry.host,
                 entry.purpose.plural, entry.method, entry.path, format_size(entry.bytes_sent),
                 format_size(entry.bytes_received), status, duration)
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if column in _NUMERIC:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, column, item)
        self._refresh_summary()

    def row_texts(self, row: int) -> list[str]:
        items = (self.table.item(row, c) for c in range(self.table.columnCount()))
        return [item.text() if item is not None else "" for item in items]

    def _refresh_summary(self) -> None:
        entries = self.log.entries()
        if self._interview_since is None:
            self.interview_summary.setText("No interview yet in this session.")
        else:
            self.interview_summary.setText(summary(
                self.log.entries(since=self._interview_since), label="This interview"))
        self.run_summary.setText(summary(entries, label="Since Smart Interview started"))
