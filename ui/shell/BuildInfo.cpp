#include "ui/shell/BuildInfo.h"

// These headers are tiny (macros and two function declarations): they do not pull in the
// LibTorch or FAISS headers that make a translation unit slow to compile.
#include <faiss/Index.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include "core/common/BuildInfo.h"

namespace recscope::ui {

QString BuildInfo::recscopeVersion() {
    return QStringLiteral(RECSCOPE_VERSION);
}

QString BuildInfo::qtVersion() {
    return QString::fromLatin1(qVersion());
}

QString BuildInfo::torchVersion() {
    return QStringLiteral(TORCH_VERSION);
}

QString BuildInfo::faissVersion() {
    return QStringLiteral("%1.%2.%3")
        .arg(FAISS_VERSION_MAJOR)
        .arg(FAISS_VERSION_MINOR)
        .arg(FAISS_VERSION_PATCH);
}

int BuildInfo::cudaDeviceCount() {
    // Asked once: initialising CUDA is slow, and the answer does not change while we run.
    static const int count = torch::cuda::is_available() ? int(torch::cuda::device_count()) : 0;
    return count;
}

QString BuildInfo::computeDevice() {
    const int cuda = cudaDeviceCount();
    if (cuda == 0)
        return QStringLiteral("CPU (no CUDA device found)");
    return QStringLiteral("CUDA (%1 device%2) and CPU").arg(cuda).arg(cuda == 1 ? "" : "s");
}

QString BuildInfo::blas() {
    const BlasInfo& blas = loadedBlas();
    QString text = QString::fromStdString(blas.name);
    if (!blas.threading.empty())
        text += QStringLiteral(", ") + QString::fromStdString(blas.threading);
    if (!blas.kernels.empty())
        text += QStringLiteral(", kernels ") + QString::fromStdString(blas.kernels);
    if (blas.kind == BlasKind::Reference)
        text += QStringLiteral(" \u2014 slow: install libopenblas0-openmp");
    return text;
}

QString BuildInfo::html() {
    const auto row = [](const QString& name, const QString& value) {
        return QStringLiteral("<tr><td>%1</td><td><b>%2</b></td></tr>")
            .arg(name.toHtmlEscaped(), value.toHtmlEscaped());
    };
    return QStringLiteral("<table cellspacing=\"4\">") +
           row(QStringLiteral("RecScope"), recscopeVersion()) +
           row(QStringLiteral("Qt"), qtVersion()) +
           row(QStringLiteral("LibTorch"), torchVersion()) +
           row(QStringLiteral("FAISS"), faissVersion()) + row(QStringLiteral("BLAS"), blas()) +
           row(QStringLiteral("Compute device"), computeDevice()) + QStringLiteral("</table>");
}

}  // namespace recscope::ui
