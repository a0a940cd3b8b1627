#pragma once
// What this process was built with and what it actually loaded: RecScope, LibTorch and FAISS
// versions, the BLAS and LAPACK libraries the dynamic linker picked (Debian switches them
// through its alternatives, so the build cannot know), the BLAS's own description and
// threading, and the CUDA devices LibTorch sees. For `recscope-cli --version`, the `build`
// section of `info --json`, Help > About and bug reports. Thread-safe; computed once.

#include <string>

namespace recscope {

enum class BlasKind {
    OpenBlas,   // OpenBLAS (pthread, OpenMP or serial build)
    Mkl,        // Intel MKL (PyTorch wheels)
    Blis,       // BLIS / FLAME
    Reference,  // netlib's reference BLAS: correct, 10-30x slower on matrix products
    Unknown     // no BLAS found among the loaded libraries, or one not recognised
};

struct BlasInfo {
    BlasKind kind = BlasKind::Unknown;
    std::string name;       // "OpenBLAS 0.3.21", "reference BLAS (netlib)", ...
    std::string threading;  // OpenBLAS: "pthread", "openmp" or "serial"; otherwise empty
    std::string config;     // the library's own configuration string, when it has one
    std::string kernels;    // OpenBLAS: the kernel set it runs (openblas_get_corename()) and who
                            // chose it: "Cooperlake (OpenBLAS's detection)" or
                            // "Haswell (OPENBLAS_CORETYPE=Haswell)"; otherwise empty
    std::string library;    // file the BLAS symbols come from (symlinks resolved)
    std::string lapack;     // file liblapack resolves to (empty when none is loaded)
};

struct BuildInfo {
    std::string version;  // RecScope
    std::string torchVersion;
    std::string faissVersion;
    BlasInfo blas;
    int cudaDevices = 0;  // 0 for a CPU-only LibTorch or without a GPU
};

// The loaded BLAS. Cheap after the first call.
const BlasInfo& loadedBlas();
// Everything above; the first call initialises CUDA when LibTorch has it (slow once).
const BuildInfo& buildInfo();

// One line for stderr / the window when the loaded BLAS is netlib's reference one, naming the
// package that fixes it; empty otherwise.
std::string referenceBlasWarning();

// "openblas", "mkl", "blis", "reference", "unknown".
const char* blasKindName(BlasKind kind);

}  // namespace recscope
