# CPack: a Debian package "recscope" (DEB generator). Included last by the top-level
# CMakeLists.txt so that every install() rule is known. Build it with packaging/make-deb.sh.

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "recscope")
set(CPACK_PACKAGE_VENDOR "The RecScope developers")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Train, evaluate and look inside recommender systems on MovieLens")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://recscope.github.io/")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/COPYING")

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # recscope_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "The RecScope developers <recscope@example.org>")
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# The extended description: every line after the first is indented by one space (Debian policy).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION_SUMMARY}
 RecScope is a desktop explorer for recommender systems. It opens any MovieLens
 release from a folder or its official zip (or downloads one), trains
 popularity, neighbourhood, matrix-factorisation, BPR, NeuMF and two-tower
 models with LibTorch on the CPU, evaluates them with standard protocols and
 metrics, and shows why each user receives each recommendation.
 .
 recscope-cli runs the same configurations from the command line.")
# Library dependencies come from dpkg-shlibdeps on the installed binaries. Qt loads its
# platform, image-format and TLS plugins at run time, which shlibdeps cannot see: the SVG
# plugins (window icon) are in libqt6svg6, TLS for the MovieLens download in libqt6network6.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# shlibdeps finds libblas3 | libblas.so.3, which the reference BLAS satisfies; an optimised
# BLAS makes training and evaluation 10-30x faster, so depend on OpenBLAS (any threading build).
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libqt6svg6, libqt6network6, libopenblas0-openmp | libopenblas0-pthread | libopenblas0-serial")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates")

include(CPack)
