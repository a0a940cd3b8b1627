#!/bin/sh
# On a GPU server (CUDA, CMake, a C++ compiler and a PyTorch 2.x with its LibTorch; no FAISS,
# Eigen, nlohmann-json, SQLite or libzip, no network): unpacks .gpu-deps/deps.tar.xz (made here
# by packaging/gpu/prepare.sh), configures RecScope's core + CLI without Qt against
# torch.utils.cmake_prefix_path, builds recscope-cli, cuda_checks and bench_scale, runs the CUDA
# checks and the ML-20M-size benchmark on the GPU, and writes every figure to $OUT.
#
# Usage: packaging/gpu/run.sh [--configure-only] [--no-bench]
#   OUT          where the figures go (default ./gpu-out)
#   TORCH_PREFIX LibTorch's CMake prefix (default: from python3's torch)
#   SCALE        bench_scale size: 20m (default) or 32m
#   JOBS         build jobs (default: all cores)
# --configure-only stops after CMake: with TORCH_PREFIX=/usr/lib/x86_64-linux-gnu/cmake/Torch
# it checks on a Debian machine that the configure needs nothing but the carried folder.
set -eu
cd "$(dirname "$0")/../.."
root=$PWD
configure_only=0
bench=1
for arg in "$@"; do
    case "$arg" in
    --configure-only) configure_only=1 ;;
    --no-bench) bench=0 ;;
    *) echo "usage: $0 [--configure-only] [--no-bench]" >&2; exit 2 ;;
    esac
done
OUT=${OUT:-$root/gpu-out}
mkdir -p "$OUT"
log() { echo "[gpu] $*" | tee -a "$OUT/run.log"; }

[ -f .gpu-deps/deps.tar.xz ] || { echo "missing .gpu-deps/deps.tar.xz: run packaging/gpu/prepare.sh first" >&2; exit 1; }
deps=$root/build-gpu/deps
rm -rf "$deps" && mkdir -p "$deps"
tar -C "$deps" -xJf .gpu-deps/deps.tar.xz
if [ -z "${TORCH_PREFIX:-}" ]; then
    TORCH_PREFIX=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
fi
log "LibTorch prefix: $TORCH_PREFIX"
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "devices", torch.cuda.device_count())' 2>/dev/null | tee -a "$OUT/run.log" || true
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee -a "$OUT/run.log" || true

generator=""
command -v ninja >/dev/null && generator="-G Ninja"
export PKG_CONFIG_LIBDIR="$deps/lib/pkgconfig"
export LD_LIBRARY_PATH="$deps/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# Only the carried folder and LibTorch: /usr is not searched for packages or libraries (set
# IGNORE_USR=0 where LibTorch itself needs /usr, as Debian's does for glog: the check after the
# configure still shows that every other dependency came from the carried folder).
ignore=""
[ "${IGNORE_USR:-1}" = 1 ] && ignore="-DCMAKE_IGNORE_PREFIX_PATH=/usr"
# A cache from an earlier configure (another TORCH_PREFIX or IGNORE_USR) keeps its failed
# lookups: start from a fresh one.
rm -f build-gpu/CMakeCache.txt
# shellcheck disable=SC2086
if ! cmake -S . -B build-gpu $generator -DCMAKE_BUILD_TYPE=Release \
    -DRECSCOPE_GUI=OFF -DRECSCOPE_TESTS=OFF -DRECSCOPE_BENCH=ON -DRECSCOPE_CUDA_CHECKS=ON \
    -DCMAKE_PREFIX_PATH="$TORCH_PREFIX;$deps" $ignore \
    -Dfaiss_DIR="$deps/lib/x86_64-linux-gnu/cmake/faiss" \
    -DEigen3_DIR="$deps/lib/cmake/Eigen3" -Dnlohmann_json_DIR="$deps/lib/cmake/nlohmann_json" \
    -DBLAS_LIBRARIES="$deps/lib/libblas.so" \
    -DLAPACK_LIBRARIES="$deps/lib/liblapack.so;$deps/lib/libblas.so" >"$OUT/configure.log" 2>&1; then
    tail -40 "$OUT/configure.log"
    log "configure failed (see configure.log)"
    exit 1
fi
# Every carried dependency must resolve inside the carried folder.
for var in faiss_DIR Eigen3_DIR nlohmann_json_DIR LIBZIP_INCLUDEDIR SQLITE3_INCLUDEDIR \
    BLAS_LIBRARIES LAPACK_LIBRARIES; do
    value=$(sed -n "s/^$var:[A-Z]*=//p" build-gpu/CMakeCache.txt | head -1)
    case "$value" in
    "$deps"*) log "$var = $value" ;;
    *) log "$var = '$value' is not inside the carried folder"; exit 1 ;;
    esac
done
[ "$configure_only" -eq 1 ] && { log "configured (build-gpu)"; exit 0; }

log "building"
cmake --build build-gpu -j "${JOBS:-$(nproc)}" --target recscope-cli cuda_checks bench_scale \
    >"$OUT/build.log" 2>&1 || { tail -50 "$OUT/build.log"; exit 1; }
./build-gpu/app/recscope-cli --version | tee "$OUT/version.txt"

log "CUDA checks"
set +e
./build-gpu/tests/cuda/cuda_checks | tee "$OUT/cuda_checks.txt"
checks=$?
set -e
log "cuda_checks exit code $checks"

if [ "$bench" -eq 1 ]; then
    log "ML-${SCALE:-20m}-size benchmark on cuda"
    ./build-gpu/bench/bench_scale --size "${SCALE:-20m}" --device cuda --work "$root/build-gpu/scale-data" \
        2>&1 | tee "$OUT/bench_scale_cuda.txt"
fi
log "done; figures in $OUT"
exit "$checks"
