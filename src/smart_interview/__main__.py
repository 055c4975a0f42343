"""`python -m smart_interview`: what the installed app's launcher runs.

With no arguments it opens the desktop app; otherwise it takes the same subcommands as
`smart-interview` (for example `smart_interview --version` or `smart_interview transcribe F`).
"""

from __future__ import annotations

import sys

from smart_interview.app.cli import main

if __name__ == "__main__":
    sys.exit(main())
