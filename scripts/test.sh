#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs the native prerequisites, builds (the native shim
# included) and runs every test project. CI runs exactly this (.ci/run).
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$root"
scripts/setup-debian.sh
# The PostgreSQL tests (postgres profile, two workers) need a local server; without one they skip and say why.
if pg=$(scripts/postgres-test-db.sh --install); then
  export LFT_TEST_POSTGRES="$pg"
else
  echo "test.sh: no PostgreSQL server; the PostgreSQL tests will skip." >&2
fi
# The README test runs the OpenAI Node SDK snippet with the pinned package (npm, network once); without it that snippet skips.
node_sdk=tests/LocalFineTune.Server.Tests/Docs/node
if command -v npm >/dev/null && [[ ! -d $node_sdk/node_modules/openai ]]; then
  npm ci --prefix "$node_sdk" --no-audit --no-fund >/dev/null 2>&1 || echo "test.sh: could not install the OpenAI Node SDK; its README snippet will skip." >&2
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test LocalFineTune.sln -c Release --nologo 2>&1 | tee "$log" || status=$?

# One closing line for the whole suite, summed over the test assemblies.
awk '/(Passed|Failed)! +- +Failed:/ {
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit $status
