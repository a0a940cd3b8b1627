#pragma once
// Writes a QCustomPlot chart to a file for papers and slides: PNG (at 2x for crisp text), SVG
// (vector, via QSvgGenerator) or PDF (vector). GUI thread only.

#include <QString>
#include <functional>

class QCustomPlot;
class QToolButton;
class QWidget;

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

    // Asks for a file to write in the last export folder (default "<baseName>.<suffix>"; the
    // suffix added when the user types none) and remembers the folder. Empty: cancelled.
    static QString askSavePath(QWidget* parent, const QString& caption, const QString& baseName,
                               const QString& suffix, const QString& filter);

    // Writes one chart to a file chosen by the user; returns false and sets `error` on failure.
    using SaveFn = std::function<bool(const QString& path, QString* error)>;
    // The views' "Export" tool button: a PNG / SVG / PDF menu (actions named
    // `actionPrefix` + "_png" ...), each asking for a file name in the last export folder
    // (default "<baseName>.<suffix>", the suffix added when the user types none), then calling
    // `save`; a failure goes to `failed` with the error text. Owned by `parent`.
    static QToolButton* makeExportButton(QWidget* parent, const QString& actionPrefix,
                                         const QString& toolTip, const QString& baseName,
                                         SaveFn save, std::function<void(const QString&)> failed);
    // `chart` (holding `plot`) under a right-aligned Export button for `plot` (named
    // `actionPrefix`, default file "<baseName>.<suffix>"): the panel the views lay out.
    static QWidget* withExportButton(QWidget* chart, QCustomPlot* plot, const QString& actionPrefix,
                                     const QString& baseName,
                                     std::function<void(const QString&)> failed);
};

}  // namespace recscope::ui
