#!/bin/sh
# Installs every Debian 12 package RecScope needs to build, test and run. Idempotent.
# Run as root, or as a user with sudo.
# libopenblas0-openmp: LibTorch, FAISS and the classic models call libblas.so.3 / liblapack.so.3,
# which Debian points at the reference (netlib) BLAS unless an optimised one is installed; the
# OpenBLAS package registers itself with the alternatives at a higher priority, so installing it
# is all it takes (10-30x faster matrix products; `recscope-cli --version` names the BLAS in use).
# The OpenMP build, not the pthread one: LibTorch and FAISS already run libgomp's thread pool,
# and OpenBLAS-openmp shares it instead of spinning a second pool of its own (measured: equal or
# faster for the NCF and ranker layers on 2 cores; see bench_peer).
set -eu
if [ "$(id -u)" -ne 0 ]; then
    exec sudo -E "$0" "$@"
fi
export DEBIAN_FRONTEND=noninteractive
PACKAGES="build-essential cmake ninja-build pkg-config ccache
  qt6-base-dev qt6-svg-dev libqcustomplot-dev libxkbcommon-dev libgl-dev
  libtorch-dev libgloo-dev libfaiss-dev libeigen3-dev nlohmann-json3-dev libzip-dev libsqlite3-dev
  libopenblas0-openmp
  xvfb xauth
  appstream desktop-file-utils"
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    apt-get update -q
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing
fi
