#!/usr/bin/env bash
# DPO step throughput and peak memory, ours vs PyTorch eager, same machine, same run (GPT-2-124M shape, 4 pairs x seq 256, CPU).
# Needs: dotnet, the libtorch shim (dotnet build does it), python3-torch (Debian, libtorch 1.13.1).
# Usage: bench/run-dpo-bench.sh [--steps N] [--warmup N] [--pairs N] [--seq N] [--layers N] [--threads N]
# A step is a training step over 8 rows plus a reference forward over them: ~25 s quiet, minutes on loaded cores.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-/usr/bin/python3}
"$py" -c "import torch" 2>/dev/null || { echo "python3-torch missing for $py: sudo apt-get install python3-torch (or set PYTHON)" >&2; exit 1; }
dotnet build bench/DpoBench -c Release -v q -nologo >/dev/null
args=(--steps 3 --warmup 1 "$@")
ours=$(dotnet bench/DpoBench/bin/Release/net10.0/DpoBench.dll "${args[@]}")
theirs=$("$py" bench/dpo_bench_torch.py "${args[@]}")
echo "$ours"
echo "$theirs"
"$py" - "$ours" "$theirs" <<'PY'
import json, sys
o, t = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"DPO step: ours {o['step_seconds_median']:.2f} s vs pytorch {t['step_seconds_median']:.2f} s")
print(f"tokens/s: ours {o['tokens_per_second']:.0f} vs pytorch {t['tokens_per_second']:.0f} -> ratio {o['tokens_per_second'] / t['tokens_per_second']:.2f}x")
print(f"peak RSS during the steps: ours {o['peak_rss_mb']:.0f} MB vs pytorch {t['peak_rss_mb']:.0f} MB (after setup: {o['setup_peak_rss_mb']:.0f} vs {t['setup_peak_rss_mb']:.0f} MB)")
PY
