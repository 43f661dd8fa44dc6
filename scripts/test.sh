#!/usr/bin/env bash
# The one test command (README: `npm test`). On a fresh machine it installs what the tests need
# — Node 24 from the npm registry, the project's dependencies, a pinned n8n, the servers and the
# browser the e2e tier drives — then runs lint, type-check, build and the three test tiers.
#
#   npm test                  everything (what CI runs)
#   HITL_SKIP_E2E=1 npm test  unit + workflow tiers only (fast loop while developing)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
source "$here/toolchain.sh"
hitl_ensure_node
hitl_ensure_deps "$root"
cd "$root"

hitl_log "node $(node --version); lint, type-check, build"
npx --no-install eslint .
npx --no-install tsc -p tsconfig.json --noEmit
npm run --silent build >/dev/null

# Servers and tools the tiers need beyond npm packages; each script installs what is missing.
for setup in "$here"/setup-test-*.sh; do
  [ -e "$setup" ] || continue
  hitl_log "setup: $(basename "$setup")"
  bash "$setup"
done

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
status=0
npx --no-install jest --selectProjects unit workflow --json --outputFile="$results/fast.json" || status=1
if [ "${HITL_SKIP_E2E:-}" != "1" ]; then
  bash "$here/ensure-n8n.sh" >/dev/null
  # One n8n at a time: each e2e file starts its own server, and the machine has 2 cores.
  npx --no-install jest --selectProjects e2e --runInBand --json --outputFile="$results/e2e.json" || status=1
fi

# One closing line that any CI reads: "N passed, N failed".
node -e '
  const fs = require("fs"); let passed = 0, failed = 0, skipped = 0;
  for (const f of fs.readdirSync(process.argv[1])) {
    const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests + r.numRuntimeErrorTestSuites; skipped += r.numPendingTests;
  }
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  if (passed === 0) process.exitCode = 1;
' "$results" || status=1
exit $status
