#!/bin/sh
# Builds everything with AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/ and runs
# the whole test suite there. Too slow for CI's budget on two cores (every LibTorch translation
# unit is rebuilt instrumented); run it before a release:  packaging/sanitize.sh [ctest args]
set -eu
cd "$(dirname "$0")/.."
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRECSCOPE_BENCH=OFF \
  -DRECSCOPE_TEST_TIMEOUT=7200 \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined"
cmake --build build-asan
export QT_QPA_PLATFORM=offscreen
# LibTorch and Qt keep process-lifetime allocations that LeakSanitizer would list; leaks of our
# own code are still found by the tests' repeated runs under ASan's heap checks.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# Instrumented code runs several times slower: stretch Qt Test's per-function limit and the
# tests' own waits for child processes.
export QTEST_FUNCTION_TIMEOUT=3600000
export RECSCOPE_TEST_TIMEOUT_SCALE=8
ctest --test-dir build-asan --output-on-failure -j 2 --timeout 1800 "$@"
