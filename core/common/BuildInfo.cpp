#include "core/common/BuildInfo.h"

#include <dlfcn.h>
#include <link.h>

#include <ATen/Version.h>
#include <faiss/Index.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <climits>
#include <cstdlib>
#include <cstring>

namespace recscope {
namespace {

std::string realPath(const char* path) {
    if (!path || !*path)
        return {};
    char buffer[PATH_MAX];
    return ::realpath(path, buffer) ? std::string(buffer) : std::string(path);
}

// The file that defines `symbol` as the dynamic linker resolves it for this process: the one
// every call in the process (LibTorch's, FAISS's, ours) binds to.
std::string providerOf(const char* symbol) {
    void* address = dlsym(RTLD_DEFAULT, symbol);
    Dl_info info{};
    if (!address || !dladdr(address, &info))
        return {};
    return realPath(info.dli_fname);
}

// A symbol looked up in one library and the libraries it depends on (not the whole process:
// OpenBLAS's LAPACK may sit beside netlib's BLAS).
void* symbolIn(const std::string& library, const char* symbol) {
    if (library.empty())
        return nullptr;
    void* handle = dlopen(library.c_str(), RTLD_LAZY | RTLD_NOLOAD);
    if (!handle)
        return nullptr;
    void* address = dlsym(handle, symbol);
    dlclose(handle);
    return address;
}

// LibTorch's own account of its BLAS ("BLAS_INFO=mkl"), for builds that link it statically.
std::string torchBlasInfo() {
    const std::string config = at::show_config();
    const auto at = config.find("BLAS_INFO=");
    if (at == std::string::npos)
        return {};
    const auto begin = at + std::strlen("BLAS_INFO=");
    const auto end = config.find_first_of(", \n", begin);
    return config.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

BlasInfo detectBlas() {
    BlasInfo info;
    info.library = providerOf("sgemm_");
    info.lapack = providerOf("spotrf_");
    if (info.library.empty()) {
        const std::string builtIn = torchBlasInfo();
        if (builtIn.empty()) {
            info.name = "no BLAS found";
            return info;
        }
        info.kind = builtIn.find("mkl") != std::string::npos ? BlasKind::Mkl : BlasKind::Unknown;
        info.name = builtIn + " (linked into LibTorch)";
        return info;
    }
    using ConfigFn = char* (*)();
    using ParallelFn = int (*)();
    if (auto config = reinterpret_cast<ConfigFn>(symbolIn(info.library, "openblas_get_config"))) {
        info.kind = BlasKind::OpenBlas;
        info.config = config() ? config() : "";
        // The configuration string starts "OpenBLAS 0.3.21 ...".
        const auto space = info.config.find(' ', std::strlen("OpenBLAS "));
        info.name = info.config.rfind("OpenBLAS ", 0) == 0 ? info.config.substr(0, space)
                                                           : std::string("OpenBLAS");
        if (auto parallel =
                reinterpret_cast<ParallelFn>(symbolIn(info.library, "openblas_get_parallel"))) {
            const int p = parallel();
            info.threading = p == 0 ? "serial" : p == 2 ? "openmp" : "pthread";
        }
        // OpenBLAS picks its kernels for the CPU when it is loaded, unless OPENBLAS_CORETYPE
        // names a set: the same library can run 1.5-2x apart on one machine (a 6000 x 6000
        // sgemm on a 2-core Zen VM: 310 GFLOPS with the AVX-512 kernels OpenBLAS detected, 169
        // with OPENBLAS_CORETYPE=Haswell), so a figure is only comparable with its kernels.
        using CoreNameFn = char* (*)();
        const auto coreName =
            reinterpret_cast<CoreNameFn>(symbolIn(info.library, "openblas_get_corename"));
        if (const char* core = coreName ? coreName() : nullptr) {
            const char* forced = std::getenv("OPENBLAS_CORETYPE");
            info.kernels = std::string(core) +
                           (forced && *forced ? " (OPENBLAS_CORETYPE=" + std::string(forced) + ")"
                                              : std::string(" (OpenBLAS's detection)"));
        }
        return info;
    }
    if (symbolIn(info.library, "MKL_Get_Version_String")) {
        info.kind = BlasKind::Mkl;
        info.name = "Intel MKL";
        return info;
    }
    if (symbolIn(info.library, "bli_info_get_version_str")) {
        info.kind = BlasKind::Blis;
        info.name = "BLIS";
        return info;
    }
    // Debian's netlib package installs into .../blas/; elsewhere we only know the file name.
    if (info.library.find("/blas/") != std::string::npos ||
        info.library.find("libblas.so.3.") != std::string::npos) {
        info.kind = BlasKind::Reference;
        info.name = "reference BLAS (netlib)";
        return info;
    }
    info.name = "unrecognised BLAS";
    return info;
}

}  // namespace

const char* blasKindName(BlasKind kind) {
    switch (kind) {
        case BlasKind::OpenBlas:
            return "openblas";
        case BlasKind::Mkl:
            return "mkl";
        case BlasKind::Blis:
            return "blis";
        case BlasKind::Reference:
            return "reference";
        case BlasKind::Unknown:
            break;
    }
    return "unknown";
}

const BlasInfo& loadedBlas() {
    static const BlasInfo info = detectBlas();
    return info;
}

const BuildInfo& buildInfo() {
    static const BuildInfo info = [] {
        BuildInfo b;
        b.version = RECSCOPE_VERSION;
        b.torchVersion = TORCH_VERSION;
        b.faissVersion = std::to_string(FAISS_VERSION_MAJOR) + "." +
                         std::to_string(FAISS_VERSION_MINOR) + "." +
                         std::to_string(FAISS_VERSION_PATCH);
        b.blas = loadedBlas();
        b.cudaDevices = torch::cuda::is_available() ? int(torch::cuda::device_count()) : 0;
        return b;
    }();
    return info;
}

std::string referenceBlasWarning() {
    const BlasInfo& blas = loadedBlas();
    if (blas.kind != BlasKind::Reference)
        return {};
    return "warning: the reference BLAS (" + blas.library +
           ") is in use; training and evaluation run 10-30x slower than with OpenBLAS. "
           "Install libopenblas0-openmp (Debian switches libblas.so.3 to it).";
}

}  // namespace recscope
