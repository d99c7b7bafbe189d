#!/usr/bin/env bash
# LoRA fine-tuning step, ours vs PyTorch eager, same machine, same run: a phi-2-shaped model (hidden 2560, 32 heads,
# intermediate 10240, vocab 51200, partial rotary 0.4; random weights), LoRA r 16 / alpha 32 / dropout 0 on every
# linear layer, batch 4 x seq 256, CPU, the trainer's step (forward, loss, backward, clip, AdamW over the adapters).
# Four processes, one after the other (peak RSS is per process, and the machine cannot hold two at once):
# ours plain, PyTorch plain, ours checkpointed, PyTorch checkpointed. Both read the same random HF folder, written
# once by LoraBench (its first run, before any timing) under /tmp/lft-lorabench/phi-<layers>l (2.3 GB at 4 layers, 11 GB at 32) and reused.
# Needs: dotnet, the libtorch shim (dotnet build does it), python3-torch (Debian, libtorch 1.13.1).
# Usage: bench/run-lora-bench.sh [--layers N (32)] [--steps N (2)] [--warmup N (1)] [--batch N] [--seq N] [--r N] [--threads N]
# A step is ~1.1e13 FLOP at 32 layers (ours and theirs alike): minutes on 2 cores; see bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-/usr/bin/python3}
"$py" -c "import torch" 2>/dev/null || { echo "python3-torch missing for $py: sudo apt-get install python3-torch (or set PYTHON)" >&2; exit 1; }
dotnet build bench/LoraBench -c Release -v q -nologo >/dev/null
# As in run-checkpoint-bench.sh: a fixed mmap threshold returns every freed tensor of 128 KiB or more to the system,
# on both sides, so RSS follows live tensor memory and a step's peak is not hidden by the heap's high-water mark.
export MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-131072}
args=("$@")
ours() { dotnet bench/LoraBench/bin/Release/net10.0/LoraBench.dll "${args[@]}" --checkpoint "$1"; }
theirs() { "$py" bench/lora_bench_torch.py "${args[@]}" --checkpoint "$1"; }
o0=$(ours 0); echo "$o0"
t0=$(theirs 0); echo "$t0"
o1=$(ours 1); echo "$o1"
t1=$(theirs 1); echo "$t1"
"$py" - "$o0" "$t0" "$o1" "$t1" <<'PY'
import json, sys
o0, t0, o1, t1 = (json.loads(a) for a in sys.argv[1:])
def line(name, key, fmt):
    print(f"{name:36}" + "".join(f" {fmt.format(r[key]):>10}" for r in (o0, t0, o1, t1)))
print(f"{'':36} {'ours':>10} {'pytorch':>10} {'ours ckpt':>10} {'pt ckpt':>10}")
line("tokens/s (median step)", "tokens_per_second", "{:.2f}")
line("step, median (s)", "step_seconds_median", "{:.1f}")
line("peak RSS over timed steps (MB)", "peak_rss_mb", "{:.0f}")
line("fwd+bwd peak over step start (MB)", "pass_peak_over_start_mb", "{:.0f}")
line("RSS after setup (MB)", "setup_rss_mb", "{:.0f}")
for mode, o, t in (("plain", o0, t0), ("checkpointed", o1, t1)):
    print(f"{mode}: ours/pytorch tokens/s {o['tokens_per_second'] / t['tokens_per_second']:.2f}x, "
          f"peak RSS {o['peak_rss_mb'] / t['peak_rss_mb']:.2f}x, first loss ours {o['losses'][0]:.6f} pytorch {t['losses'][0]:.6f}")
PY
