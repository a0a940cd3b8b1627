#!/bin/sh
# Runs the whole test suite of a build made by packaging/build.sh (GUI tests offscreen), then
# the LibTorch-free part of it again under AddressSanitizer + UndefinedBehaviorSanitizer
# (packaging/sanitize.sh --ci, its own build in build-asan-core/; a few minutes on two cores).
# RECSCOPE_SKIP_SANITIZERS=1 skips that second step. Extra arguments go to the first ctest.
set -eu
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
ctest --test-dir build --output-on-failure -j 2 "$@"
if [ "${RECSCOPE_SKIP_SANITIZERS:-0}" != 1 ]; then
  packaging/sanitize.sh --ci
fi
