#!/usr/bin/env bash
# Gradient checkpointing, ours vs PyTorch eager + torch.utils.checkpoint, same machine, same run: GPT-2-124M shape,
# batch 4 x seq 256, CPU, a full fine-tune step (forward, backward, clip, AdamW). Four processes, because peak RSS is
# per process: ours plain, PyTorch plain, ours checkpointed, PyTorch checkpointed.
# Needs: dotnet, the libtorch shim (dotnet build does it), python3-torch (Debian, libtorch 1.13.1).
# Usage: bench/run-checkpoint-bench.sh [--steps N] [--warmup N] [--batch N] [--seq N] [--layers N] [--threads N]
# About 10 s a step on 2 quiet cores, 100 s on 2 cores at load 12; the default is 1 warm-up + 3 timed steps per process.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-/usr/bin/python3}
"$py" -c "import torch" 2>/dev/null || { echo "python3-torch missing for $py: sudo apt-get install python3-torch (or set PYTHON)" >&2; exit 1; }
dotnet build bench/CheckpointBench -c Release -v q -nologo >/dev/null
# glibc keeps freed blocks below its (self-raising) mmap threshold in the heap, so RSS would not fall back after a
# step and a pass's peak over its start would read low. A fixed threshold gives every tensor of 128 KiB or more its own
# mapping, returned when freed, on both sides: RSS then follows live tensor memory.
export MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-131072}
args=(--steps 3 --warmup 1 "$@")
ours() { dotnet bench/CheckpointBench/bin/Release/net10.0/CheckpointBench.dll "${args[@]}" --checkpoint "$1"; }
theirs() { "$py" bench/checkpoint_bench_torch.py "${args[@]}" --checkpoint "$1"; }
o0=$(ours 0); echo "$o0"
t0=$(theirs 0); echo "$t0"
o1=$(ours 1); echo "$o1"
t1=$(theirs 1); echo "$t1"
"$py" - "$o0" "$o1" "$t0" "$t1" <<'PY'
import json, sys
o0, o1, t0, t1 = (json.loads(a) for a in sys.argv[1:])
def line(name, key, fmt):
    print(f"{name:36} {fmt.format(o0[key]):>10} {fmt.format(o1[key]):>10} {fmt.format(t0[key]):>10} {fmt.format(t1[key]):>10}")
print(f"{'':36} {'ours':>10} {'ours ckpt':>10} {'pytorch':>10} {'pt ckpt':>10}")
line("step, median (s)", "step_seconds_median", "{:.2f}")
line("peak RSS over timed steps (MB)", "peak_rss_mb", "{:.0f}")
line("fwd+bwd peak over step start (MB)", "pass_peak_over_start_mb", "{:.0f}")
line("RSS after setup (MB)", "setup_rss_mb", "{:.0f}")
for who, plain, ck in (("ours", o0, o1), ("pytorch", t0, t1)):
    print(f"{who}: checkpointing costs {ck['step_seconds_median'] / plain['step_seconds_median']:.2f}x step time and saves "
          f"{plain['pass_peak_over_start_mb'] - ck['pass_peak_over_start_mb']:.0f} MB of forward+backward peak, "
          f"{plain['peak_rss_mb'] - ck['peak_rss_mb']:.0f} MB of peak RSS")
print(f"ours/pytorch with checkpointing: step time {o1['step_seconds_median'] / t1['step_seconds_median']:.2f}x, "
      f"peak RSS {o1['peak_rss_mb'] / t1['peak_rss_mb']:.2f}x")
PY
