"""Interview history on this device: recorded as it happens, encrypted, readable only by the
user, off by default.

`open_history(data_dir, keys=..., retention_days=...)` gives the `HistoryStore` (list, load,
search, delete, retention); `store.recorder(...)` starts an `InterviewRecorder`, whose
`on_event(event)` the interview calls for every final segment, question and answer. No Qt.
"""

from __future__ import annotations

from smart_interview.app.history.errors import HistoryError, HistoryKeyError, InterviewNotFound
from smart_interview.app.history.keys import KeyringKey, KeySource
from smart_interview.app.history.recorder import InterviewRecorder, SegmentRevised
from smart_interview.app.history.records import Interview, InterviewSummary
from smart_interview.app.history.store import (
    HistoryStore,
    SearchHit,
    open_history,
    start_recording,
)

__all__ = [
    "HistoryError", "HistoryKeyError", "HistoryStore", "Interview", "InterviewNotFound",
    "InterviewRecorder", "InterviewSummary", "KeySource", "KeyringKey", "SearchHit",
    "SegmentRevised", "open_history", "start_recording",
]
