#!/usr/bin/env bash
# ServingBench: first-request and warm-request latency of /v1/completions and /api/generate, with the model cache off
# (LocalFineTune:ModelCacheBytes=0: every request reads its model, as before the cache) and on (the default), on a
# GPT-2-124M-shaped random base and two adapter-only LoRA fine-tunes of it. Loopback only. Not part of the test suite.
# Options: --shape 124m|tiny (default 124m), --warm N (default 10), --cold N (default 5: requests per endpoint with the cache off).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project bench/ServingBench -- "$@"
