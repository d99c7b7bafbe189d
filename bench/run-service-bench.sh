#!/usr/bin/env bash
# ServiceBench: 200 concurrent then 2,000 total GET /api/finetune/status while a tiny job trains, plus POST start →
# running latency on an idle service. Loopback only, bounded; prints the figures. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project bench/ServiceBench -- "$@"
