"""Errors the command line reports as one line and exit code 2."""

from __future__ import annotations


class CliError(Exception):
    """A problem the user can fix; the message says how."""
