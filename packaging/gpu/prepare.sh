#!/bin/sh
# Prepares, on this Debian 12 machine, what a GPU server lacks to build RecScope's core and CLI
# against its own CUDA LibTorch: FAISS (static), Eigen, nlohmann-json, SQLite and libzip
# headers and libraries, and a BLAS/LAPACK (OpenBLAS, serial build: FAISS and the classic
# models parallelise with OpenMP themselves), with their CMake and pkg-config files made
# relocatable. Everything goes into one archive in the ignored folder .gpu-deps/ (about 20 MB),
# which the device tool carries beside the working tree; packaging/gpu/run.sh unpacks and uses
# it there. Needs the packages of packaging/install-deps.sh (plus libopenblas0-serial, which it
# installs when missing). Usage: packaging/gpu/prepare.sh
set -eu
cd "$(dirname "$0")/../.."
arch=x86_64-linux-gnu
lib=/usr/lib/$arch
if ! dpkg-query -W -f='${Status}' libopenblas0-serial 2>/dev/null | grep -q "install ok installed"; then
    [ "$(id -u)" -eq 0 ] && apt-get install -y -q --no-install-recommends libopenblas0-serial ||
        sudo apt-get install -y -q --no-install-recommends libopenblas0-serial
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
p=$work/prefix
mkdir -p "$p/include" "$p/lib/cmake" "$p/lib/pkgconfig"

# Headers.
cp -a /usr/include/faiss /usr/include/eigen3 /usr/include/nlohmann "$p/include/"
cp -a /usr/include/sqlite3.h /usr/include/sqlite3ext.h /usr/include/zip.h /usr/include/zipconf.h \
    "$p/include/"

# Libraries: the real files under their sonames, plus the linker names.
copy_so() {  # copy_so FILE SONAME [LINKNAME]
    cp -L "$1" "$p/lib/$2"
    [ -n "${3:-}" ] && ln -sf "$2" "$p/lib/$3"
    return 0
}
copy_so $lib/libsqlite3.so.0 libsqlite3.so.0 libsqlite3.so
copy_so $lib/libzip.so.4 libzip.so.4 libzip.so
copy_so $lib/libcrypto.so.3 libcrypto.so.3
copy_so $lib/libbz2.so.1.0 libbz2.so.1.0
copy_so $lib/openblas-serial/libblas.so.3 libblas.so.3 libblas.so
copy_so $lib/openblas-serial/liblapack.so.3 liblapack.so.3 liblapack.so
copy_so $lib/openblas-serial/libopenblas.so.0 libopenblas.so.0
copy_so $lib/libgfortran.so.5 libgfortran.so.5
copy_so $lib/libquadmath.so.0 libquadmath.so.0
mkdir -p "$p/lib/$arch/cmake/faiss"
cp $lib/libfaiss.a "$p/lib/$arch/"

# CMake packages, with Debian's absolute paths made relative to the prefix.
# FAISS keeps Debian's layout (its config finds the prefix four levels up).
mkdir -p "$p/lib/cmake/Eigen3" "$p/lib/cmake/nlohmann_json"
cp $lib/cmake/faiss/*.cmake "$p/lib/$arch/cmake/faiss/"
sed -i "s|$lib/libblas.so|\${_IMPORT_PREFIX}/lib/libblas.so|g; \
        s|$lib/liblapack.so|\${_IMPORT_PREFIX}/lib/liblapack.so|g" "$p/lib/$arch/cmake/faiss/"*.cmake
cp /usr/share/eigen3/cmake/*.cmake "$p/lib/cmake/Eigen3/"
cp /usr/share/cmake/nlohmann_json/*.cmake "$p/lib/cmake/nlohmann_json/"
# The config files compute their prefix from their own location: three levels up from
# share/<pkg>/cmake or share/cmake/<pkg> on Debian, lib/cmake/<pkg> here: same depth.
for pc in libzip sqlite3; do
    sed -e 's|^prefix=.*|prefix=${pcfiledir}/../..|' -e 's|^libdir=.*|libdir=${prefix}/lib|' \
        -e 's|^includedir=.*|includedir=${prefix}/include|' $lib/pkgconfig/$pc.pc \
        >"$p/lib/pkgconfig/$pc.pc"
done

mkdir -p .gpu-deps
tar -C "$p" -cJf .gpu-deps/deps.tar.xz .
ls -l .gpu-deps/deps.tar.xz
echo "Carry .gpu-deps to the GPU machine and run packaging/gpu/run.sh there."
