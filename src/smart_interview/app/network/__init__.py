"""The desktop app's one network door and the log of what went through it.

`NetworkDoor` (in `door`) builds every outbound HTTP client; `NetworkLog` (in `log`) keeps one
entry per request: time, host, purpose, method, path without query, bytes each way, status and
duration. `summary()` and `render_table()` turn entries into text for the CLI and the app.
Importing this package imports httpx only when `door` is used.
"""

from __future__ import annotations

from smart_interview.app.network.log import (
    NetworkEntry,
    NetworkLog,
    Outcome,
    Purpose,
    render_report,
    render_table,
    summary,
)

__all__ = ["NetworkEntry", "NetworkLog", "Outcome", "Purpose", "render_report",
           "render_table", "summary"]
