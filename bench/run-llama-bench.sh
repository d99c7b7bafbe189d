#!/usr/bin/env bash
# Llama-1B shape (TinyLlama-1.1B: vocab 32000, hidden 2048, 22 layers, 32 heads / 4 kv heads, intermediate 5632,
# untied lm_head; random weights) on the CPU, ours vs PyTorch eager, same machine, same run, same thread count:
#   train: a full fine-tuning step (forward, loss, backward, clip 1.0, AdamW over every parameter), batch 1 x seq 256;
#   infer: eval (forward + loss, no grad) tokens/s and greedy KV-cache generation tokens/s (32-token prompt, 32 new).
# Four processes, one after the other (peak RSS is per process): ours train, PyTorch train, ours infer, PyTorch infer.
# Both read the same random HF folder, written once by LlamaBench (its first run, before any timing) under
# /tmp/lft-llamabench/llama-<layers>l (4.4 GB at 22 layers, 0.9 GB at 2) and reused, so the first losses must agree.
# Needs: dotnet, the libtorch shim (dotnet build does it), python3-torch (Debian, libtorch 1.13.1).
# Usage: bench/run-llama-bench.sh [--layers N (22)] [--batch N (1)] [--seq N (256)] [--steps N (2)] [--warmup N (1)]
#        [--repeats N (3)] [--prompt N] [--new-tokens N] [--threads N (all cores)]
# Memory: full fine-tuning holds weights + grads + 2 AdamW moments, 16 bytes a parameter: ~18 GB at 22 layers
# (1.10e9 parameters), 2.1 GB for the embedding and lm_head plus 0.7 GB per layer. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-/usr/bin/python3}
"$py" -c "import torch" 2>/dev/null || { echo "python3-torch missing for $py: sudo apt-get install python3-torch (or set PYTHON)" >&2; exit 1; }
dotnet build bench/LlamaBench -c Release -v q -nologo >/dev/null
# As in run-lora-bench.sh: a fixed mmap threshold returns every freed tensor of 128 KiB or more to the system,
# on both sides, so RSS follows live tensor memory and a step's peak is not hidden by the heap's high-water mark.
export MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-131072}
args=(--threads "$(nproc)" "$@")
ours() { dotnet bench/LlamaBench/bin/Release/net10.0/LlamaBench.dll "${args[@]}" --mode "$1"; }
theirs() { "$py" bench/llama_bench_torch.py "${args[@]}" --mode "$1"; }
ot=$(ours train); echo "$ot"
tt=$(theirs train); echo "$tt"
oi=$(ours infer); echo "$oi"
ti=$(theirs infer); echo "$ti"
"$py" - "$ot" "$tt" "$oi" "$ti" <<'PY'
import json, sys
ot, tt, oi, ti = (json.loads(a) for a in sys.argv[1:])
print(f"Llama-1B shape, {ot['layers']} layers ({ot['parameters'] / 1e9:.3f}e9 parameters), {ot['threads']} threads, "
      f"batch {ot['batch']} x seq {ot['seq']}")
print(f"{'':34} {'ours':>10} {'pytorch':>10} {'ours/pt':>8}")
def line(name, o, t, key, fmt="{:.2f}"):
    print(f"{name:34} {fmt.format(o[key]):>10} {fmt.format(t[key]):>10} {o[key] / t[key]:>7.2f}x")
line("train tokens/s (median step)", ot, tt, "tokens_per_second")
line("train step, median (s)", ot, tt, "step_seconds_median")
line("train peak RSS, timed steps (MB)", ot, tt, "peak_rss_mb", "{:.0f}")
line("  fwd+bwd peak over start (MB)", ot, tt, "pass_peak_over_start_mb", "{:.0f}")
line("  clip+AdamW peak over start (MB)", ot, tt, "optimizer_peak_over_start_mb", "{:.0f}")
line("eval tokens/s (forward + loss)", oi, ti, "eval_tok_s", "{:.1f}")
line("generation tokens/s (KV cache)", oi, ti, "gen_cache_tok_s")
line("infer peak RSS (MB)", oi, ti, "peak_rss_mb", "{:.0f}")
agree = "same" if oi["generated_ids"] == ti["generated_ids"] else "DIFFERENT"
print(f"first loss ours {ot['losses'][0]:.6f} pytorch {tt['losses'][0]:.6f} (|diff| {abs(ot['losses'][0] - tt['losses'][0]):.1e}); "
      f"eval loss ours {oi['eval_loss']:.6f} pytorch {ti['eval_loss']:.6f}; greedy tokens {agree}")
PY
