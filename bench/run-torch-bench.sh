#!/usr/bin/env bash
# Binding benchmark: LocalFineTune.Torch (bench/TorchBench) against the same ATen calls made directly in
# C++ (bench/cpp/block_bench), run alternately so both see the same machine load. Prints a table and
# writes it as JSON.
#
#   bench/run-torch-bench.sh [OUT.json]          (or TORCH_BENCH_JSON=OUT.json)
#
# Three comparisons, all at the same shapes and thread count:
#  1. separate processes, alternated: matmul 1024²/2048² GFLOP/s and the GPT-2-small block step;
#  2. paired, one process: TorchBench loads bench/cpp's libblock_bench_peer.so and alternates one binding
#     step with one C++ step (the headline overhead: per-pair ratios barely move with the machine's load);
#     once more with the C# forward inside an inner DisposeScope (intermediates freed as forward returns);
#  3. probe: a tiny block (compute negligible), 1 thread, many steps: the binding's absolute cost per step.
#
# Knobs (environment): ROUNDS (2) separate-process rounds, STEPS (4) timed block steps per run, WARMUP (1),
# MATMUL_REPS (5), THREADS (cores), PAIRS (12) and INNER_PAIRS (8) paired steps, PROBE_ROUNDS (3) and
# PROBE_STEPS (2000). About 6 minutes on 2 busy cores, much less on a quiet machine.
# Needs what the shim needs (scripts/setup-debian.sh): libtorch-dev, libopenblas0-pthread, cmake, g++.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT_JSON="${1:-${TORCH_BENCH_JSON:-$ROOT/artifacts/torch-bench/result.json}}"
ROUNDS="${ROUNDS:-2}" STEPS="${STEPS:-4}" WARMUP="${WARMUP:-1}" MATMUL_REPS="${MATMUL_REPS:-5}"
PAIRS="${PAIRS:-12}" INNER_PAIRS="${INNER_PAIRS:-8}"
THREADS="${THREADS:-$(nproc)}" PROBE_ROUNDS="${PROBE_ROUNDS:-3}" PROBE_STEPS="${PROBE_STEPS:-2000}"
CPP_BUILD="$ROOT/artifacts/bench-cpp"
WORK="$ROOT/artifacts/torch-bench"
mkdir -p "$WORK" "$(dirname "$OUT_JSON")"

echo "== building (Release)" >&2
dotnet build "$ROOT/bench/TorchBench" -c Release -nologo -v quiet >&2
cmake -S "$ROOT/bench/cpp" -B "$CPP_BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$CPP_BUILD" -j "$(nproc)" >&2
BINDING=(dotnet "$ROOT/bench/TorchBench/bin/Release/net10.0/TorchBench.dll")
CPP=("$CPP_BUILD/block_bench")

RESULTS="$WORK/runs.jsonl"
: >"$RESULTS"
# run KIND ROUND IMPL ARGS...: appends the program's JSON line, tagged with kind and round.
run() {
  local kind=$1 round=$2 impl=$3
  shift 3
  local cmd
  if [[ $impl == binding ]]; then cmd=("${BINDING[@]}"); else cmd=("${CPP[@]}"); fi
  "${cmd[@]}" "$@" 2>/dev/null | tail -n 1 | jq -c --arg k "$kind" --argjson r "$round" '. + {kind: $k, round: $r}' >>"$RESULTS"
  echo "   $kind round $round $impl: $(tail -n 1 "$RESULTS" | jq -r 'if .paired_ratio_median then "median binding/C++ per pair \(.paired_ratio_median | . * 1000 | round / 1000)" else "step median \(.block_step_ms_median | . * 100 | round / 100) ms" + (if .matmul_2048_gflops then ", matmul 2048² \(.matmul_2048_gflops | . * 10 | round / 10) GFLOP/s" else "" end) end')" >&2
}

# Each round runs both sides back to back, swapping which goes first, so a load change mid-round
# does not always fall on the same side.
FULL=(--threads "$THREADS" --steps "$STEPS" --warmup "$WARMUP" --matmul-reps "$MATMUL_REPS")
echo "== full size: GPT-2-small block (B=4, T=256, d=768, 12 heads) + matmul, $ROUNDS rounds" >&2
for ((r = 1; r <= ROUNDS; r++)); do
  if ((r % 2)); then order=(binding cpp); else order=(cpp binding); fi
  for impl in "${order[@]}"; do run full "$r" "$impl" "${FULL[@]}"; done
done

echo "== paired: binding and C++ steps alternated in one process, $PAIRS pairs (+ $INNER_PAIRS with an inner forward scope)" >&2
run paired 1 binding --paired "$CPP_BUILD/libblock_bench_peer.so" --threads "$THREADS" --steps "$PAIRS" --warmup "$WARMUP"
run paired-inner-scope 1 binding --paired "$CPP_BUILD/libblock_bench_peer.so" --inner-scope true --threads "$THREADS" \
  --steps "$INNER_PAIRS" --warmup "$WARMUP"

# The probe: the same block so small that compute is negligible, one thread, many steps. Binding minus
# C++ there is the absolute cost the binding adds to each step (P/Invoke, handles, scope bookkeeping).
PROBE=(--only block --threads 1 --steps "$PROBE_STEPS" --warmup 100 --dim 64 --heads 4 --seq 16 --batch 1)
echo "== probe: tiny block, 1 thread, $PROBE_ROUNDS rounds" >&2
for ((r = 1; r <= PROBE_ROUNDS; r++)); do
  if ((r % 2)); then order=(binding cpp); else order=(cpp binding); fi
  for impl in "${order[@]}"; do run probe "$r" "$impl" "${PROBE[@]}"; done
done

echo >&2
"${BINDING[@]}" summarize "$RESULTS" "$OUT_JSON"
echo "JSON: $OUT_JSON (raw runs: $RESULTS)"
