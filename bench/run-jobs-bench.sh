#!/usr/bin/env bash
# JobsBench: Hangfire dispatch on the sqlite and postgres profiles — start → running on an idle worker, status p50/p99
# under 200 concurrent clients while a job trains, and a plain Kestrel endpoint as the floor. Not part of the tests.
#   bench/run-jobs-bench.sh [--profiles sqlite,postgres] [--concurrency 200] [--total 2000] [--idle-runs 10]
# postgres uses LFT_TEST_POSTGRES, or the database scripts/postgres-test-db.sh creates (started here when installed).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${LFT_TEST_POSTGRES:-}" ]] && command -v pg_ctlcluster >/dev/null; then
  LFT_TEST_POSTGRES=$(scripts/postgres-test-db.sh | tail -1)
  export LFT_TEST_POSTGRES
fi
dotnet run -c Release --project bench/JobsBench -- "$@"
