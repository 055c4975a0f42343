"""Errors of the interview history.

    HistoryError            anything that stops a history operation (message is for the user)
    ├── HistoryKeyError     the key is missing from the keyring or does not open the files
    └── InterviewNotFound   no saved interview has that id
"""

from __future__ import annotations


class HistoryError(Exception):
    """A history operation failed; the message says what to do."""


class HistoryKeyError(HistoryError):
    pass


class InterviewNotFound(HistoryError):
    pass
