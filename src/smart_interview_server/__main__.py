"""``python -m smart_interview_server`` = ``smart-interview-server``."""

from __future__ import annotations

import sys

from smart_interview_server.cli import main

sys.exit(main())
