#!/bin/sh
# Sanitizer runs of the test suite.
#   packaging/sanitize.sh [ctest args]           AddressSanitizer + UndefinedBehaviorSanitizer,
#       everything (build-asan/). Every LibTorch translation unit is rebuilt instrumented: about
#       an hour on two cores. Run it before a release.
#   packaging/sanitize.sh --ci [ctest args]      the same sanitizers on recscope_core and its
#       LibTorch-free tests (data, splits, evaluation, classic models, index, export, workspace,
#       sweeps; build-asan-core/). Minutes: packaging/run-tests.sh runs it after the suite.
#   packaging/sanitize.sh --thread [ctest args]  ThreadSanitizer on the tests whose code runs in
#       worker threads (build-tsan/): the parallel readers and cache, the evaluator, and, when
#       LibTorch is built, the GUI's loading, training, sweep, download and background jobs.
#       OpenMP runs one thread there (libgomp's barriers are invisible to TSan). The GUI tests
#       report races under Debian's Qt, which is not built with TSan: the arguments of a queued
#       call cross QtCore's event queue, whose lock TSan cannot see. RECSCOPE_TSAN_TORCH=OFF
#       runs the LibTorch-free tests only, which are clean.
set -eu
cd "$(dirname "$0")/.."
mode=full
case "${1:-}" in
  --ci) mode=ci; shift ;;
  --thread) mode=thread; shift ;;
esac
export QT_QPA_PLATFORM=offscreen
# Instrumented code runs several times slower: stretch Qt Test's per-function limit and the
# tests' own waits for child processes.
export QTEST_FUNCTION_TIMEOUT=3600000
export RECSCOPE_TEST_TIMEOUT_SCALE=8

if [ "$mode" = thread ]; then
  flags="-fsanitize=thread -fno-omit-frame-pointer"
  cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRECSCOPE_BENCH=OFF \
    -DRECSCOPE_TORCH="${RECSCOPE_TSAN_TORCH:-ON}" -DRECSCOPE_TEST_TIMEOUT=3600 \
    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread"
  tests="core_archiveextract core_datasetbuilder core_datasetcache core_evaluator
         core_movielensreaders core_syntheticgenerator ui_datasetsession ui_trainingview
         ui_sweepview ui_download ui_explorerviews ui_inspector ui_leaderboard"
  built=""
  for t in $tests; do
    if cmake --build build-tsan --target help | grep -q "^$t:"; then built="$built $t"; fi
  done
  # shellcheck disable=SC2086
  cmake --build build-tsan --target $built
  export OMP_NUM_THREADS=1
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/packaging/tsan.supp"
  regex="^($(echo $built | tr ' ' '|'))\$"
  ctest --test-dir build-tsan --output-on-failure -j 2 --timeout 3600 -R "$regex" "$@"
  exit
fi

flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
# LibTorch and Qt keep process-lifetime allocations that LeakSanitizer would list; leaks of our
# own code are still found by the tests' repeated runs under ASan's heap checks.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
if [ "$mode" = ci ]; then
  cmake -S . -B build-asan-core -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRECSCOPE_TORCH=OFF \
    -DRECSCOPE_TEST_TIMEOUT=1800 \
    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined"
  cmake --build build-asan-core -j "$(nproc)"
  ctest --test-dir build-asan-core --output-on-failure -j 2 --timeout 1800 "$@"
  exit
fi
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRECSCOPE_BENCH=OFF \
  -DRECSCOPE_TEST_TIMEOUT=7200 \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined"
cmake --build build-asan
ctest --test-dir build-asan --output-on-failure -j 2 --timeout 1800 "$@"
