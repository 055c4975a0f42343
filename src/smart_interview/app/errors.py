"""Errors of the app layer: a problem the user can fix, with a message that says how.

    AppError        raised by the app's wiring and services; the message names the setting or
                    file to fix and never a command-line flag, so any front end can show it
                    (the command line prints it as one line with exit code 2, the desktop app
                    in a banner or dialog)

`CliError` is the same class under the name the command-line commands use.
"""

from __future__ import annotations


class AppError(Exception):
    """A problem the user can fix; the message says how."""


CliError = AppError
