#!/usr/bin/env bash
# The one test command: install, build, typecheck, lint, run every test, and print
# "N passed, N failed" on a line of its own.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
npx tsc -p tsconfig.test.json || { echo "typecheck failed"; echo "0 passed, 1 failed"; exit 1; }
npx biome check packages tools test || { echo "lint failed (npx biome check --write fixes formatting)"; echo "0 passed, 1 failed"; exit 1; }
report=.vitest-report.json
rm -f "$report"
npx vitest run --reporter=default --reporter=json --outputFile.json="$report"
rc=$?
node -e '
  const fs = require("node:fs");
  let r = {};
  try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch { console.log("0 passed, 1 failed"); process.exit(0); }
  const skipped = (r.numPendingTests || 0) + (r.numTodoTests || 0);
  console.log(`${r.numPassedTests || 0} passed, ${r.numFailedTests || 0} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$report"
exit $rc
