#!/usr/bin/env bash
# Eval and generation tokens/s of a GPT-2-124M-shaped model (random weights) on the CPU:
# LocalFineTune (bench/ModelBench) vs PyTorch eager (bench/model_bench_torch.py, Debian's python3-torch 1.13.1),
# same shapes, same thread count, medians of several runs; prints both and the ratios (ours / torch).
# Usage: bench/run-model-bench.sh [extra args for both, e.g. --threads 2 --repeats 3]
set -euo pipefail
cd "$(dirname "$0")/.."
args=(--threads "${THREADS:-$(nproc)}" "$@")
# Debian's python3-torch installs for the system interpreter, which a pyenv/venv python3 on PATH would hide.
py=${PYTHON:-/usr/bin/python3}
"$py" -c 'import torch' 2>/dev/null || { echo "python3-torch is missing for $py: sudo apt-get install python3-torch (or set PYTHON)" >&2; exit 1; }
dotnet build -c Release bench/ModelBench -v quiet -nologo >/dev/null
ours=$(dotnet bench/ModelBench/bin/Release/net10.0/ModelBench.dll "${args[@]}")
theirs=$("$py" bench/model_bench_torch.py "${args[@]}")
echo "lft:   $ours"
echo "torch: $theirs"
"$py" - "$ours" "$theirs" <<'PY'
import json, sys
ours, theirs = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"{'metric':<20}{'lft tok/s':>12}{'torch tok/s':>13}{'lft/torch':>11}")
for key in ("eval_tok_s", "gen_cache_tok_s", "gen_nocache_tok_s"):
    print(f"{key:<20}{ours[key]:>12.1f}{theirs[key]:>13.1f}{ours[key] / theirs[key]:>11.2f}")
PY
