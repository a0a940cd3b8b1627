#include "ui/ChartExport.h"

#include <qcustomplot.h>
#include <QFileInfo>
#include <QSvgGenerator>

namespace recscope::ui {

namespace {

bool saveSvg(QCustomPlot* plot, const QString& path) {
    const int width = plot->width();
    const int height = plot->height();
    QSvgGenerator generator;
    generator.setFileName(path);
    generator.setSize(QSize(width, height));
    generator.setViewBox(QRect(0, 0, width, height));
    generator.setTitle(plot->objectName());
    generator.setDescription(QStringLiteral("RecScope chart"));
    QCPPainter painter;
    if (!painter.begin(&generator))
        return false;
    plot->toPainter(&painter, width, height);
    return painter.end();
}

}  // namespace

bool ChartExport::formatFromPath(const QString& path, Format* format) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png"))
        *format = Format::Png;
    else if (suffix == QLatin1String("svg"))
        *format = Format::Svg;
    else if (suffix == QLatin1String("pdf"))
        *format = Format::Pdf;
    else
        return false;
    return true;
}

bool ChartExport::save(QCustomPlot* plot, const QString& path, QString* error) {
    Format format;
    if (!formatFromPath(path, &format)) {
        if (error)
            *error = QObject::tr("%1: choose a .png, .svg or .pdf file name").arg(path);
        return false;
    }
    return save(plot, path, format, error);
}

bool ChartExport::save(QCustomPlot* plot, const QString& path, Format format, QString* error) {
    bool ok = false;
    switch (format) {
        case Format::Png:
            // Twice the on-screen size: sharp on high-DPI screens and in print.
            ok = plot->savePng(path, plot->width(), plot->height(), 2.0);
            break;
        case Format::Svg:
            ok = saveSvg(plot, path);
            break;
        case Format::Pdf:
            ok = plot->savePdf(path, plot->width(), plot->height(), QCP::epNoCosmetic,
                               QStringLiteral("RecScope"), plot->objectName());
            break;
    }
    // The writers report failure inconsistently (QSvgGenerator not at all); check the file.
    if (ok && QFileInfo(path).size() <= 0)
        ok = false;
    if (!ok && error)
        *error = QObject::tr("Could not write the chart to %1").arg(path);
    return ok;
}

}  // namespace recscope::ui
