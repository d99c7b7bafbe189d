#!/usr/bin/env bash
# Ours vs native HF tokenizers, same corpus, same run. Needs node + `npm ci` in scripts/tokenizers.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -d scripts/tokenizers/node_modules ] || (cd scripts/tokenizers && npm ci)
dotnet run -c Release --project bench/TokenizerBench -- "$@"
