#!/usr/bin/env bash
# Installs Smart Interview into ./.venv and opens the app.
# Works offline after installation: bundled tiny.en model, local account on SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh app
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
exec .venv/bin/smart-interview "$@"
