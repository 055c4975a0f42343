#!/usr/bin/env bash
# Runs the tests most exposed to timing and shared state several times, each time in another
# random order (pytest-randomly), and reports every test that failed at least once and how
# often. Exit status 0 only when no test failed in any run.
#
#   bash scripts/flake-check.sh                 # 5 runs of tests/ui tests/audio and the live tests
#   bash scripts/flake-check.sh 3 tests/history # 3 runs of the paths given
#   FLAKE_SEEDS="11 22 33" bash scripts/flake-check.sh   # these seeds instead of random ones
#
# Needs the test environment (bash scripts/test.sh installs it); starts the services itself.
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
shift || true
paths=("$@")
if [ ${#paths[@]} -eq 0 ]; then
  paths=(tests/ui tests/audio tests/app/test_interview_session.py tests/answers/test_live_answers.py
         tests/answers/test_spoken_questions.py tests/history/test_session_history.py)
fi
# shellcheck source=../.ci/services.sh
source .ci/services.sh
export QT_QPA_PLATFORM=offscreen
out="build/flake-check"
rm -rf "$out" && mkdir -p "$out"
read -r -a seeds <<< "${FLAKE_SEEDS:-}"
for run in $(seq 1 "$runs"); do
  seed="${seeds[$((run - 1))]:-$RANDOM$RANDOM}"
  started=$(date +%s)
  .venv/bin/python -m pytest -p no:cacheprovider -q \
    --randomly-seed="$seed" --junitxml="$out/run-$run.xml" "${paths[@]}" > "$out/run-$run.log" 2>&1
  status=$?
  echo "flake-check: run $run seed $seed exit $status in $(( $(date +%s) - started )) s:" \
    "$(grep -E '^=+ .*(passed|failed|error).* =+$' "$out/run-$run.log" | tail -1 | tr -d '=')"
done
.venv/bin/python - "$out" "$runs" <<'EOF'
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

folder, runs = Path(sys.argv[1]), int(sys.argv[2])
failed: Counter[str] = Counter()
executed = 0
for report in sorted(folder.glob("run-*.xml")):
    for case in ET.parse(report).getroot().iter("testcase"):
        executed += 1
        if case.find("failure") is not None or case.find("error") is not None:
            failed[f"{case.get('classname')}::{case.get('name')}"] += 1
missing = runs - len(list(folder.glob("run-*.xml")))
print(f"flake-check: {runs} runs, {executed} test executions, "
      f"{sum(failed.values())} failures in {len(failed)} tests"
      + (f", {missing} runs wrote no report" if missing else ""))
for name, count in failed.most_common():
    print(f"  {count}/{runs}  {name}")
sys.exit(1 if failed or missing else 0)
EOF
