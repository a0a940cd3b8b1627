#include "ui/widgets/ChartExport.h"

#include <qcustomplot.h>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QMenu>
#include <QSettings>
#include <QSvgGenerator>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/widgets/FileDialog.h"

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

QString ChartExport::askSavePath(QWidget* parent, const QString& caption, const QString& baseName,
                                 const QString& suffix, const QString& filter) {
    QSettings settings;
    const QString dir = settings.value(QStringLiteral("lastExportDir")).toString();
    QString path = FileDialog::instance().getSaveFileName(
        parent, caption, QDir(dir).filePath(baseName + QLatin1Char('.') + suffix), filter);
    if (path.isEmpty())
        return {};
    if (QFileInfo(path).suffix().isEmpty())
        path += QLatin1Char('.') + suffix;
    settings.setValue(QStringLiteral("lastExportDir"), QFileInfo(path).absolutePath());
    return path;
}

QToolButton* ChartExport::makeExportButton(QWidget* parent, const QString& actionPrefix,
                                           const QString& toolTip, const QString& baseName,
                                           SaveFn save,
                                           std::function<void(const QString&)> failed) {
    auto* button = new QToolButton(parent);
    button->setObjectName(actionPrefix);
    button->setText(QObject::tr("Export"));
    button->setToolTip(toolTip);
    button->setPopupMode(QToolButton::InstantPopup);
    button->setAutoRaise(true);
    auto* menu = new QMenu(button);
    const struct {
        const char* suffix;
        QString label;
        QString filter;
    } formats[] = {
        {"png", QObject::tr("PNG image…"), QObject::tr("PNG images (*.png)")},
        {"svg", QObject::tr("SVG vector image…"), QObject::tr("SVG images (*.svg)")},
        {"pdf", QObject::tr("PDF document…"), QObject::tr("PDF documents (*.pdf)")},
    };
    for (const auto& f : formats) {
        QAction* action = menu->addAction(f.label);
        const QString suffix = QString::fromLatin1(f.suffix);
        action->setObjectName(actionPrefix + QLatin1Char('_') + suffix);
        const QString filter = f.filter;
        QObject::connect(
            action, &QAction::triggered, button, [parent, suffix, filter, baseName, save, failed] {
                const QString path =
                    askSavePath(parent, QObject::tr("Export Chart"), baseName, suffix, filter);
                if (path.isEmpty())
                    return;
                QString error;
                if (!save(path, &error))
                    failed(error);
            });
    }
    button->setMenu(menu);
    return button;
}

QWidget* ChartExport::withExportButton(QWidget* chart, QCustomPlot* plot,
                                       const QString& actionPrefix, const QString& baseName,
                                       std::function<void(const QString&)> failed) {
    auto* panel = new QWidget;
    auto* layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    auto* tools = new QHBoxLayout;
    tools->addStretch(1);
    tools->addWidget(makeExportButton(
        panel, actionPrefix, QObject::tr("Save the chart as PNG, SVG or PDF"), baseName,
        [plot](const QString& path, QString* error) { return save(plot, path, error); },
        std::move(failed)));
    layout->addLayout(tools);
    layout->addWidget(chart, 1);
    return panel;
}

}  // namespace recscope::ui
