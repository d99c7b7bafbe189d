#!/usr/bin/env bash
# Runs the whole suite N times, each on a fresh clone of this checkout's HEAD, and lists every test that failed in
# any run (with the runs it failed in). Exit 0 only when no test failed in any run.
#   scripts/test-repeat.sh 3                       # the whole suite, 3 times
#   scripts/test-repeat.sh 5 --filter 'FullyQualifiedName~Multinomial'   # extra arguments go to dotnet test
set -euo pipefail
runs=${1:?usage: scripts/test-repeat.sh N [dotnet test arguments...]}
shift
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "test-repeat: N must be a positive integer, got '$runs'" >&2; exit 2; }
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
work=$(mktemp -d -t lft-test-repeat-XXXXXX)
trap 'rm -rf "$work"' EXIT
failures="$work/failures.txt"
: > "$failures"
for run in $(seq 1 "$runs"); do
  clone="$work/clone-$run"
  echo "test-repeat: run $run/$runs on a fresh clone of $(git -C "$root" rev-parse --short HEAD) in $clone" >&2
  git clone --quiet --no-hardlinks "$root" "$clone"
  # The native shim is a build output (ignored by git); reuse this checkout's so each clone does not rerun CMake.
  [[ -d "$root/artifacts/native" ]] && mkdir -p "$clone/artifacts" && cp -r "$root/artifacts/native" "$clone/artifacts/"
  log="$work/run-$run.log"
  (cd "$clone" && dotnet test LocalFineTune.sln -c Release --nologo --logger "console;verbosity=normal" "$@") > "$log" 2>&1 || true
  grep -E '^\s*Failed [A-Za-z_]' "$log" | sed -E 's/^\s*Failed ([^ ]+).*/\1/' | sort -u | sed "s/\$/ (run $run)/" >> "$failures" || true
  # With the normal-verbosity console logger each test assembly closes with "Total tests: N / Passed: N / Failed: N".
  if grep -qE '^ *Total tests: [0-9]+' "$log"; then
    awk -v run="$run" '/^ *Total tests: [0-9]/ {t += $3; n++} /^ *Passed: [0-9]/ {p += $2} /^ *Failed: [0-9]/ {f += $2}
      END { printf "  run %d: %d assemblies, %d tests, %d passed, %d failed\n", run, n, t, p, f }' "$log" >&2
  else
    tail -30 "$log" >&2
    echo "build failed or no test ran (run $run)" >> "$failures"
  fi
  rm -rf "$clone"
done
if [[ -s "$failures" ]]; then
  echo "test-repeat: tests that failed in at least one of $runs runs:"
  sort "$failures" | awk '{ name=$1; $1=""; runs[name]=runs[name] $0 } END { for (n in runs) print "  " n ":" runs[n] }' | sort
  exit 1
fi
echo "test-repeat: no test failed in $runs runs"
