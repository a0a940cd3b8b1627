#include "ui/sweep/SweepScatterPlot.h"

#include <qcustomplot.h>
#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <cmath>

#include "ui/widgets/PlotTheme.h"
#include "ui/sweep/SweepAxis.h"

namespace recscope::ui {

SweepScatterPlot::SweepScatterPlot(QWidget* parent)
    : QWidget(parent), m_param(new QComboBox), m_plot(new QCustomPlot) {
    m_param->setObjectName(QStringLiteral("sweepScatterParam"));
    m_param->setToolTip(tr("The parameter on the horizontal axis"));
    m_plot->setObjectName(QStringLiteral("sweepScatterPlot"));
    m_plot->setMinimumSize(280, 160);
    PlotTheme::enableZoomPan(m_plot);
    m_plot->setInteraction(QCP::iSelectPlottables, true);
    connect(m_param, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { rebuild(); });
    connect(m_plot, &QCustomPlot::plottableClick, this,
            [this](QCPAbstractPlottable* p, int dataIndex, QMouseEvent*) {
                if (p == m_plot->graph(0) && dataIndex >= 0 && dataIndex < int(m_rows.size()))
                    emit rowClicked(m_rows[size_t(dataIndex)]);
            });
    connect(m_plot, &QCustomPlot::mouseDoubleClick, m_plot, [this](QMouseEvent*) { rebuild(); });
    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Parameter:")));
    bar->addWidget(m_param);
    bar->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_plot, 1);
}

void SweepScatterPlot::setResults(const SweepResults& results) {
    m_results = results;
    m_results.testRun = nullptr;
    const QString current = m_param->currentText();
    {
        const QSignalBlocker blocker(m_param);
        m_param->clear();
        for (const std::string& p : m_results.paramNames)
            m_param->addItem(QString::fromStdString(p));
        const int keep = m_param->findText(current);
        m_param->setCurrentIndex(keep >= 0 ? keep : 0);
    }
    rebuild();
}

void SweepScatterPlot::setSelectedRow(int row) {
    m_selected = row;
    rebuild();
}

bool SweepScatterPlot::logX() const {
    return m_plot->xAxis->scaleType() == QCPAxis::stLogarithmic;
}

void SweepScatterPlot::rebuild() {
    m_plot->clearGraphs();
    m_rows.clear();
    PlotTheme::apply(m_plot);
    const int index = m_param->currentIndex();
    if (index < 0 || size_t(index) >= m_results.paramNames.size()) {
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const std::string param = m_results.paramNames[size_t(index)];
    const SweepAxis axis = SweepAxis::forParam(m_results, param);
    QVector<double> xs, ys, bestX, bestY, selX, selY;
    for (size_t i = 0; i < m_results.rows.size(); ++i) {
        const SweepRow& row = m_results.rows[i];
        const auto it = row.params.find(param);
        if (!std::isfinite(row.value) || it == row.params.end())
            continue;
        const double x = axis.coordinate(it->second);
        if (!std::isfinite(x) || (axis.log && x <= 0))
            continue;
        xs << x;
        ys << row.value;
        m_rows.push_back(int(i));
        if (int(i) == m_results.bestRow) {
            bestX << x;
            bestY << row.value;
        }
        if (int(i) == m_selected) {
            selX << x;
            selY << row.value;
        }
    }
    const QPalette palette = m_plot->palette();
    const QColor colour = PlotTheme::seriesColour(palette);
    QCPGraph* points = m_plot->addGraph();
    points->setLineStyle(QCPGraph::lsNone);
    points->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colour, 8));
    points->setData(xs, ys, true);
    points->setSelectable(QCP::stSingleData);
    points->setName(tr("trials"));
    QCPGraph* best = m_plot->addGraph();
    best->setLineStyle(QCPGraph::lsNone);
    best->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(colour, 2.5), Qt::NoBrush, 16));
    best->setData(bestX, bestY);
    best->setSelectable(QCP::stNone);
    QCPGraph* selected = m_plot->addGraph();
    selected->setLineStyle(QCPGraph::lsNone);
    selected->setScatterStyle(QCPScatterStyle(
        QCPScatterStyle::ssCross, QPen(palette.color(QPalette::WindowText), 2), Qt::NoBrush, 14));
    selected->setData(selX, selY);
    selected->setSelectable(QCP::stNone);

    if (axis.log) {
        m_plot->xAxis->setScaleType(QCPAxis::stLogarithmic);
        m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
        m_plot->xAxis->setLabel(tr("%1 (log scale)").arg(axis.name));
    } else {
        m_plot->xAxis->setScaleType(QCPAxis::stLinear);
        if (axis.numeric) {
            m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        } else {
            auto ticker = QSharedPointer<QCPAxisTickerText>::create();
            for (int c = 0; c < axis.categories.size(); ++c)
                ticker->addTick(c, axis.categories[c]);
            m_plot->xAxis->setTicker(ticker);
        }
        m_plot->xAxis->setLabel(axis.name);
    }
    m_plot->yAxis->setLabel(tr("validation %1").arg(QString::fromStdString(m_results.spec.metric)));
    m_plot->rescaleAxes();
    // Margins so that the end points are not cut by the frame.
    if (axis.log) {
        m_plot->xAxis->setRange(axis.min / 1.6, axis.max * 1.6);
    } else {
        const double span = std::max(axis.max - axis.min, 1e-9);
        m_plot->xAxis->setRange(axis.min - 0.08 * span - (axis.numeric ? 0 : 0.5),
                                axis.max + 0.08 * span + (axis.numeric ? 0 : 0.5));
    }
    const QCPRange y = m_plot->yAxis->range();
    const double pad = std::max(y.size() * 0.1, 1e-4);
    m_plot->yAxis->setRange(y.lower - pad, y.upper + pad);
    PlotTheme::apply(m_plot);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void SweepScatterPlot::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        rebuild();
}

}  // namespace recscope::ui
