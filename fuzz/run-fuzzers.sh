#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for SECONDS (default 600).
# Usage: fuzz/run-fuzzers.sh [SECONDS] [TARGET...]
# Working corpora live in build-fuzz/corpus/<target>, seeded from fuzz/seeds/<target>, from the
# built-in lessons (lesson) and from real files the targets write themselves at start-up
# (modelfile: a checkpoint of every model kind; workspace: a real workspace's stored values).
# Crashes go to build-fuzz/findings/<target>/ — copy each into tests/data/fuzz-regressions/ and
# fix it. The model-file target needs larger inputs (a LibTorch archive is a zip of several KB).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${RECSCOPE_FUZZ_BUILD:-$here/build-fuzz}"
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(ratings reader zip params runfolder modelfile lesson workspace)

CC=clang CXX=clang++ cmake -S "$here" -B "$build" -G Ninja -DRECSCOPE_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" >/dev/null

for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  findings="$build/findings/$t"
  mkdir -p "$corpus" "$findings"
  cp -n "$here/fuzz/seeds/$t"/* "$corpus/" 2>/dev/null || true
  max_len=8192
  case "$t" in
    lesson) cp -n "$here/resources/lessons"/*.json "$corpus/" ;;
    modelfile|workspace)
      RECSCOPE_FUZZ_SEEDS="$corpus" OMP_NUM_THREADS=1 "$build/fuzz/fuzz_$t" -runs=0 >/dev/null 2>&1
      [ "$t" = modelfile ] && max_len=262144 ;;
  esac
  log="$build/fuzz_$t.log"
  echo "== fuzz_$t for ${seconds}s (log: $log)"
  set +e
  OMP_NUM_THREADS=1 "$build/fuzz/fuzz_$t" "$corpus" -max_total_time="$seconds" -max_len="$max_len" -timeout=20 \
    -rss_limit_mb=4096 -artifact_prefix="$findings/" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  grep -E "^stat::number_of_executed_units|^stat::average_exec_per_sec|^stat::peak_rss_mb" "$log" || true
  grep -E "^#[0-9]+ +DONE" "$log" | tail -1 || true
  echo "exit $rc; findings: $(ls "$findings" | wc -l)"
done
