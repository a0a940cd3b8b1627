#include "ui/sweep/ParallelCoordinatesPlot.h"

#include <qcustomplot.h>
#include <QEvent>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "ui/widgets/PlotTheme.h"
#include "ui/sweep/SweepAxis.h"

namespace recscope::ui {

namespace {

QColor blend(const QColor& a, const QColor& b, double t) {
    t = std::clamp(t, 0.0, 1.0);
    return QColor::fromRgbF(float(a.redF() + t * (b.redF() - a.redF())),
                            float(a.greenF() + t * (b.greenF() - a.greenF())),
                            float(a.blueF() + t * (b.blueF() - a.blueF())));
}

}  // namespace

ParallelCoordinatesPlot::ParallelCoordinatesPlot(QWidget* parent)
    : QWidget(parent), m_plot(new QCustomPlot(this)) {
    m_plot->setObjectName(QStringLiteral("sweepParallelPlot"));
    m_plot->setMinimumSize(300, 170);
    PlotTheme::enableZoomPan(m_plot);
    m_plot->setInteraction(QCP::iSelectPlottables, true);
    m_plot->yAxis->setTicks(false);
    m_plot->yAxis->setTickLabels(false);
    m_plot->yAxis->grid()->setVisible(false);
    m_plot->xAxis->grid()->setVisible(false);
    connect(m_plot, &QCustomPlot::plottableClick, this,
            [this](QCPAbstractPlottable* p, int, QMouseEvent*) {
                const auto it = m_rowOf.find(p);
                if (it != m_rowOf.end())
                    emit rowClicked(it.value());
            });
    connect(m_plot, &QCustomPlot::mouseDoubleClick, m_plot, [this](QMouseEvent*) { rebuild(); });
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
}

void ParallelCoordinatesPlot::setResults(const SweepResults& results) {
    m_results = results;
    m_results.testRun = nullptr;
    rebuild();
}

void ParallelCoordinatesPlot::setSelectedRow(int row) {
    m_selected = row;
    rebuild();
}

void ParallelCoordinatesPlot::rebuild() {
    m_plot->clearPlottables();
    m_plot->clearItems();
    m_rowOf.clear();
    PlotTheme::apply(m_plot);
    const QPalette palette = m_plot->palette();
    const QColor text = palette.color(QPalette::WindowText);

    std::vector<SweepAxis> axes;
    for (const std::string& p : m_results.paramNames)
        axes.push_back(SweepAxis::forParam(m_results, p));
    const int metricAxis = int(axes.size());
    double lo = 0, hi = 0;
    bool any = false;
    for (const SweepRow& r : m_results.rows)
        if (std::isfinite(r.value)) {
            lo = any ? std::min(lo, r.value) : r.value;
            hi = any ? std::max(hi, r.value) : r.value;
            any = true;
        }
    const auto metricPosition = [&](double v) { return hi > lo ? (v - lo) / (hi - lo) : 0.5; };
    // Position 1 is the better end of the metric axis, whichever way the metric points.
    const auto better = [&](double v) {
        const double t = metricPosition(v);
        return m_results.higherIsBetter ? t : 1.0 - t;
    };

    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    QColor axisColour = text;
    axisColour.setAlphaF(0.5f);
    for (int a = 0; a <= metricAxis; ++a) {
        const bool isMetric = a == metricAxis;
        ticker->addTick(a, isMetric
                               ? tr("val %1").arg(QString::fromStdString(m_results.spec.metric))
                               : axes[size_t(a)].name);
        auto* line = new QCPItemLine(m_plot);
        line->start->setCoords(a, 0);
        line->end->setCoords(a, 1);
        line->setPen(QPen(axisColour, 1));
        const auto end = [&](bool top) {
            QString label;
            if (isMetric)
                label = any ? QString::number(top ? (m_results.higherIsBetter ? hi : lo)
                                                  : (m_results.higherIsBetter ? lo : hi),
                                              'f', 4)
                            : QString();
            else
                label = axes[size_t(a)].endText(top) +
                        (top && axes[size_t(a)].log ? tr(" (log)") : QString());
            auto* t = new QCPItemText(m_plot);
            t->position->setCoords(a, top ? 1.0 : 0.0);
            t->setPositionAlignment(Qt::AlignHCenter | (top ? Qt::AlignBottom : Qt::AlignTop));
            t->setPadding(QMargins(2, 2, 2, 2));
            t->setText(label);
            t->setColor(text);
            t->setFont(m_plot->font());
        };
        end(true);
        end(false);
    }
    m_plot->xAxis->setTicker(ticker);
    m_plot->xAxis->setRange(-0.3, metricAxis + 0.3);
    m_plot->yAxis->setRange(-0.12, 1.12);

    QColor muted = palette.color(QPalette::Mid);
    const QColor strong = PlotTheme::seriesColour(palette);
    // Worst first, so the better lines are drawn on top; the chosen and selected ones last.
    std::vector<int> order;
    for (size_t i = 0; i < m_results.rows.size(); ++i)
        if (std::isfinite(m_results.rows[i].value))
            order.push_back(int(i));
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        const auto rank = [&](int r) {
            return r == m_selected
                       ? 3.0
                       : (r == m_results.bestRow ? 2.0 : better(m_results.rows[size_t(r)].value));
        };
        return rank(a) < rank(b);
    });
    for (int r : order) {
        const SweepRow& row = m_results.rows[size_t(r)];
        QVector<double> xs, ys;
        for (size_t a = 0; a < axes.size(); ++a) {
            const auto it = row.params.find(m_results.paramNames[a]);
            const double y = it == row.params.end() ? std::nan("") : axes[a].normalized(it->second);
            xs << double(a);
            ys << (std::isfinite(y) ? y : 0.5);
        }
        xs << double(metricAxis);
        ys << better(row.value);
        auto* curve = new QCPCurve(m_plot->xAxis, m_plot->yAxis);
        curve->setData(xs, ys);
        const bool chosen = r == m_results.bestRow;
        const bool selected = r == m_selected;
        QColor colour = blend(muted, strong, better(row.value));
        if (selected)
            colour = text;
        curve->setPen(QPen(colour, chosen || selected ? 3.5 : 1.5));
        curve->setSelectable(QCP::stWhole);
        curve->setSelectionDecorator(nullptr);
        curve->setName(tr("trial %1").arg(row.trial + 1));
        m_rowOf.insert(curve, r);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void ParallelCoordinatesPlot::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        rebuild();
}

}  // namespace recscope::ui
