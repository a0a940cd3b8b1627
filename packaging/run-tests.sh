#!/bin/sh
# Runs the whole test suite of a build made by packaging/build.sh. GUI tests run offscreen.
set -eu
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
ctest --test-dir build --output-on-failure -j 2 "$@"
