#pragma once
// Versions of RecScope and the libraries it was built with, and the compute device, for the
// About dialog and bug reports.

#include <QString>

namespace recscope::ui {

class BuildInfo {
public:
    static QString recscopeVersion();
    static QString qtVersion();     // the Qt loaded at run time (qVersion())
    static QString torchVersion();  // LibTorch headers built against
    static QString faissVersion();  // FAISS headers built against
    // CUDA devices LibTorch can use (0 for a CPU-only LibTorch or without a GPU).
    static int cudaDeviceCount();
    // The BLAS loaded at run time ("OpenBLAS 0.3.21, pthread"), flagged when it is the slow
    // reference one.
    static QString blas();
    // The compute device found: "CPU" or "CUDA (N devices)". Shown in About.
    static QString computeDevice();
    // All of the above as an HTML table.
    static QString html();
};

}  // namespace recscope::ui
