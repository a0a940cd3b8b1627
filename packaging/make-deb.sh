#!/bin/sh
# Builds RecScope in Release mode into ./build-deb and packs it as
# build-deb/recscope_<version>_<arch>.deb (CPack, dependencies from dpkg-shlibdeps).
# Extra arguments go to the CMake configure step. Install the result with
#   apt-get install ./build-deb/recscope_*.deb
set -eu
cd "$(dirname "$0")/.."
cmake -S . -B build-deb -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
    -DRECSCOPE_GUI=ON -DRECSCOPE_TESTS=OFF -DRECSCOPE_BENCH=OFF "$@"
cmake --build build-deb -j "$(nproc)"
# The metadata must validate before it is shipped.
if command -v appstreamcli >/dev/null 2>&1; then
    appstreamcli validate --no-net packaging/io.github.recscope.RecScope.metainfo.xml
fi
if command -v desktop-file-validate >/dev/null 2>&1; then
    desktop-file-validate packaging/io.github.recscope.RecScope.desktop
fi
(cd build-deb && cpack -G DEB)
for deb in build-deb/recscope_*.deb; do
    ls -l "$deb"
    dpkg-deb --field "$deb" Package Version Architecture Installed-Size Depends Recommends
done
