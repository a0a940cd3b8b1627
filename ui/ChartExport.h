#pragma once
// Writes a QCustomPlot chart to a file for papers and slides: PNG (at 2x for crisp text), SVG
// (vector, via QSvgGenerator) or PDF (vector). GUI thread only.

#include <QString>

class QCustomPlot;

namespace recscope::ui {

class ChartExport {
public:
    enum class Format { Png, Svg, Pdf };

    // The format named by the file suffix (case-insensitive); false for any other suffix.
    static bool formatFromPath(const QString& path, Format* format);

    // Renders `plot` at its current on-screen size. On failure returns false and sets `error`.
    static bool save(QCustomPlot* plot, const QString& path, Format format,
                     QString* error = nullptr);
    // As above with the format taken from the suffix.
    static bool save(QCustomPlot* plot, const QString& path, QString* error = nullptr);
};

}  // namespace recscope::ui
