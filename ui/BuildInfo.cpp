#include "ui/BuildInfo.h"

// Both headers are macro-only: they do not pull in LibTorch or FAISS code.
#include <faiss/Index.h>
#include <torch/version.h>

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

QString BuildInfo::computeDevice() {
    return QStringLiteral("CPU");
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
           row(QStringLiteral("FAISS"), faissVersion()) +
           row(QStringLiteral("Compute device"), computeDevice()) + QStringLiteral("</table>");
}

}  // namespace recscope::ui
