#include "ui/widgets/PlotTheme.h"

#include <qcustomplot.h>

namespace recscope::ui {

namespace {

void styleAxis(QCPAxis* axis, const QPalette& palette) {
    const QColor text = palette.color(QPalette::WindowText);
    QColor grid = text;
    grid.setAlphaF(0.15f);
    QColor subGrid = text;
    subGrid.setAlphaF(0.06f);
    axis->setBasePen(QPen(text, 1));
    axis->setTickPen(QPen(text, 1));
    axis->setSubTickPen(QPen(text, 1));
    axis->setTickLabelColor(text);
    axis->setLabelColor(text);
    axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
    axis->grid()->setSubGridPen(QPen(subGrid, 1, Qt::DotLine));
    axis->grid()->setZeroLinePen(Qt::NoPen);
}

}  // namespace

void PlotTheme::apply(QCustomPlot* plot) {
    const QPalette palette = plot->palette();
    // Render at the screen's pixel density (high-DPI), which may differ from the one at
    // construction time.
    if (plot->bufferDevicePixelRatio() != plot->devicePixelRatioF())
        plot->setBufferDevicePixelRatio(plot->devicePixelRatioF());
    plot->setBackground(palette.color(QPalette::Base));
    plot->axisRect()->setBackground(palette.color(QPalette::Base));
    for (QCPAxis* axis : plot->axisRect()->axes())
        styleAxis(axis, palette);
    for (int i = 0; i < plot->plotLayout()->elementCount(); ++i) {
        if (auto* title = qobject_cast<QCPTextElement*>(plot->plotLayout()->elementAt(i)))
            title->setTextColor(palette.color(QPalette::WindowText));
    }
    if (plot->legend) {
        plot->legend->setBrush(palette.color(QPalette::Base));
        plot->legend->setTextColor(palette.color(QPalette::WindowText));
        plot->legend->setBorderPen(QPen(palette.color(QPalette::Mid)));
    }
    plot->replot(QCustomPlot::rpQueuedReplot);
}

QColor PlotTheme::seriesColour(const QPalette& palette) {
    return palette.color(QPalette::Highlight);
}

void PlotTheme::enableZoomPan(QCustomPlot* plot) {
    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
}

void PlotTheme::setupTitledChart(QCustomPlot* plot, const QString& title) {
    plot->plotLayout()->insertRow(0);
    auto* heading = new QCPTextElement(plot, title);
    QFont font = plot->font();
    font.setBold(true);
    heading->setFont(font);
    plot->plotLayout()->addElement(0, 0, heading);
    enableZoomPan(plot);
    QObject::connect(plot, &QCustomPlot::mouseDoubleClick, plot, [plot](QMouseEvent*) {
        plot->rescaleAxes();
        plot->replot(QCustomPlot::rpQueuedReplot);
    });
}

}  // namespace recscope::ui
