#!/bin/sh
# Configures and builds RecScope into ./build (Release with debug info, Ninja).
# Extra arguments go to the CMake configure step, e.g. -DRECSCOPE_GUI=OFF.
set -eu
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja "$@"
cmake --build build -j "$(nproc)"
