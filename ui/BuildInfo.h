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
    // The device models train on by default. Placeholder until the core reports CUDA.
    static QString computeDevice();
    // All of the above as an HTML table.
    static QString html();
};

}  // namespace recscope::ui
