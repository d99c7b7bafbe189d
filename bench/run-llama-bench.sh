#!/usr/bin/env bash
# Llama-1B shape (TinyLlama-1.1B: vocab 32000, hidden 2048, 22 layers, 32 heads / 4 kv heads, intermediate 5632,
# untied lm_head; random weights) on the CPU, ours vs PyTorch eager, same machine, same run, same thread count:
#   train: a full fine-tuning step (forward, loss, backward, clip 1.0, AdamW over every parameter), batch 1 x seq 256;
#   infer: eval (forward + loss, no grad) tokens/s and greedy KV-cache generation tokens/s (32-token prompt, 32 new).
# Four processes, one after the other (peak RSS is per process): ours train, PyTorch train, ours infer, PyTorch infer.
# Both read the same random HF folder, written once by LlamaBench (its first run, before any timing) under
# /tmp/lft-llamabench/llama-<layers>l (4.4 GB at 22 layers, 0.9 GB at 2) and reused, so the first losses must agree.
# Needs: dotnet, the libtorch shim (dotnet build does it), python3-torch (Debian, libtorch 1.13.1).
# Usage: [ROUNDS=N] bench/run-llama-bench.sh [--layers N (22)] [--batch N (1)] [--seq N (256)] [--steps N (2)] [--warmup N (1)]
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
# ROUNDS=N repeats the four processes N times, alternating ours and PyTorch, and the table keeps each side's best:
# on a machine shared with other work, load only ever slows a process down.
results=()
for ((round = 1; round <= ${ROUNDS:-1}; round++)); do
  for mode in train infer; do
    r=$(ours "$mode"); echo "$r"; results+=("$r")
    r=$(theirs "$mode"); echo "$r"; results+=("$r")
  done
done
"$py" - "${results[@]}" <<'PY'
import json, sys
runs = [json.loads(a) for a in sys.argv[1:]]
def pick(mode, ours):
    return [r for r in runs if r["mode"] == mode and r["impl"].startswith("lft") == ours]
def best(rs, key, low=False):
    return (min if low else max)(r[key] for r in rs)
ot, tt, oi, ti = pick("train", True), pick("train", False), pick("infer", True), pick("infer", False)
o0 = ot[0]
print(f"Llama-1B shape, {o0['layers']} layers ({o0['parameters'] / 1e9:.3f}e9 parameters), {o0['threads']} threads, "
      f"batch {o0['batch']} x seq {o0['seq']}, {len(ot)} round(s): best of each side")
print(f"{'':38} {'ours':>10} {'pytorch':>10} {'ours/pt':>8}")
def line(name, o, t, key, fmt="{:.2f}", low=False):
    if any(r.get(key) is None for r in o + t):
        return  # not measured (no per-step peak reset on this kernel, say)
    a, b = best(o, key, low), best(t, key, low)
    print(f"{name:38} {fmt.format(a):>10} {fmt.format(b):>10} {a / b:>7.2f}x")
line("train tokens/s (median step)", ot, tt, "tokens_per_second")
line("train tokens/s (best step)", ot, tt, "tokens_per_second_best")
line("train CPU s per step, all threads", ot, tt, "cpu_seconds_per_step", low=True)
line("train peak RSS, timed steps (MB)", ot, tt, "peak_rss_mb", "{:.0f}", low=True)
line("  fwd+bwd peak over step start (MB)", ot, tt, "pass_peak_over_start_mb", "{:.0f}", low=True)
line("  clip+AdamW peak over step start (MB)", ot, tt, "optimizer_peak_over_start_mb", "{:.0f}", low=True)
line("eval tokens/s, forward + loss (median)", oi, ti, "eval_tok_s", "{:.1f}")
line("eval tokens/s (best)", oi, ti, "eval_tok_s_best", "{:.1f}")
line("eval CPU s per pass, all threads", oi, ti, "eval_cpu_seconds", low=True)
line("generation tokens/s, KV cache (median)", oi, ti, "gen_cache_tok_s")
line("generation tokens/s (best)", oi, ti, "gen_cache_tok_s_best")
line("generation CPU s per run, all threads", oi, ti, "gen_cpu_seconds", low=True)
line("infer peak RSS (MB)", oi, ti, "peak_rss_mb", "{:.0f}", low=True)
lo, lt = ot[0]["losses"][0], tt[0]["losses"][0]
agree = "same" if all(r["generated_ids"] == oi[0]["generated_ids"] for r in oi + ti) else "DIFFERENT"
print(f"first loss ours {lo:.6f} pytorch {lt:.6f} (|diff| {abs(lo - lt):.1e}); "
      f"eval loss ours {oi[0]['eval_loss']:.6f} pytorch {ti[0]['eval_loss']:.6f}; greedy tokens {agree}")
PY
