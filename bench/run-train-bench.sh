#!/usr/bin/env bash
# Training-step throughput, ours vs PyTorch eager, same machine, same run (GPT-2-124M shape, batch 8 x seq 256, CPU).
# Needs: dotnet, the libtorch shim (dotnet build does it), python3-torch (Debian, libtorch 1.13.1).
# Usage: bench/run-train-bench.sh [--steps N] [--warmup N] [--batch N] [--seq N] [--layers N] [--threads N]
# One step takes about a minute on 2 loaded cores, so the default here is 3 timed steps after 1 warm-up (~8 min in all).
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's python3-torch installs for the system interpreter, which a pyenv/venv python3 on PATH would hide.
py=${PYTHON:-/usr/bin/python3}
"$py" -c "import torch" 2>/dev/null || { echo "python3-torch missing for $py: sudo apt-get install python3-torch (or set PYTHON)" >&2; exit 1; }
dotnet build bench/TrainBench -c Release -v q -nologo >/dev/null
args=(--steps 3 --warmup 1 "$@")
ours=$(dotnet bench/TrainBench/bin/Release/net10.0/TrainBench.dll "${args[@]}")
theirs=$("$py" bench/train_bench_torch.py "${args[@]}")
echo "$ours"
echo "$theirs"
"$py" - "$ours" "$theirs" <<'PY'
import json, sys
o, t = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"tokens/s: ours {o['tokens_per_second']:.0f} vs pytorch {t['tokens_per_second']:.0f} -> ratio {o['tokens_per_second'] / t['tokens_per_second']:.2f}x")
print(f"MFU: ours {o['mfu']:.1%} (matmul {o['matmul_gflops']:.0f} GFLOP/s) vs pytorch {t['mfu']:.1%} (matmul {t['matmul_gflops']:.0f} GFLOP/s)")
print(f"peak RSS: ours {o['peak_rss_mb']:.0f} MB vs pytorch {t['peak_rss_mb']:.0f} MB")
PY
