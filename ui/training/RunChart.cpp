#include "ui/training/RunChart.h"

#include <qcustomplot.h>
#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QMenu>
#include <QSettings>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/widgets/ChartExport.h"
#include "ui/widgets/FileDialog.h"
#include "ui/widgets/PlotTheme.h"

namespace recscope::ui {

RunChart::RunChart(const QString& name, const QString& title, QWidget* parent)
    : QWidget(parent), m_name(name), m_plot(new QCustomPlot), m_toolbar(new QHBoxLayout) {
    setObjectName(name);
    m_plot->setObjectName(name + QStringLiteral("Plot"));
    m_plot->setMinimumSize(320, 200);
    m_plot->setNoAntialiasingOnDrag(true);

    m_plot->plotLayout()->insertRow(0);
    auto* heading = new QCPTextElement(m_plot, title);
    QFont bold = m_plot->font();
    bold.setBold(true);
    heading->setFont(bold);
    m_plot->plotLayout()->addElement(0, 0, heading);
    for (QCPAxis* axis : {m_plot->xAxis, m_plot->yAxis}) {
        axis->setTickLabelFont(m_plot->font());
        axis->setLabelFont(m_plot->font());
    }
    m_plot->legend->setVisible(true);
    m_plot->legend->setFont(m_plot->font());
    m_plot->legend->setIconSize(18, 10);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    PlotTheme::enableZoomPan(m_plot);
    PlotTheme::apply(m_plot);

    // Any zoom or pan by the user stops the auto-fit until "Reset view".
    connect(m_plot, &QCustomPlot::mouseWheel, this, [this] { m_userView = true; });
    connect(m_plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent* event) {
        if (event->buttons() & Qt::LeftButton)
            m_userView = true;
    });
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this] { resetView(); });
    connect(m_plot, &QCustomPlot::legendClick, this,
            [this](QCPLegend*, QCPAbstractLegendItem* item, QMouseEvent*) {
                if (auto* pli = qobject_cast<QCPPlottableLegendItem*>(item))
                    onLegendClick(qobject_cast<QCPGraph*>(pli->plottable()));
            });

    auto* reset = new QToolButton;
    reset->setObjectName(name + QStringLiteral("ResetView"));
    reset->setText(tr("Reset view"));
    reset->setToolTip(tr("Fit the axes to the data again (or double-click the chart)"));
    reset->setAutoRaise(true);
    connect(reset, &QToolButton::clicked, this, &RunChart::resetView);

    QToolButton* exportButton = ChartExport::makeExportButton(
        this, name + QStringLiteral("Export"), tr("Save this chart as PNG, SVG or PDF"), m_name,
        [this](const QString& path, QString* error) { return exportTo(path, error); },
        [this](const QString& error) { emit exportFailed(error); });

    auto* top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addLayout(m_toolbar);
    top->addStretch(1);
    top->addWidget(reset);
    top->addWidget(exportButton);
    m_toolbar->setContentsMargins(0, 0, 0, 0);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(top);
    layout->addWidget(m_plot, 1);

    m_replotTimer.setSingleShot(true);
    m_replotTimer.setInterval(kReplotIntervalMs);
    connect(&m_replotTimer, &QTimer::timeout, this, &RunChart::replotNow);
}

RunChart::Series& RunChart::ensureSeries(qint64 id, const QString& name, const QColor& colour,
                                         bool withShadow) {
    auto it = m_series.find(id);
    if (it == m_series.end()) {
        Series s;
        if (withShadow) {
            // Added first, so it is drawn below the main line.
            s.shadow = m_plot->addGraph();
            s.shadow->removeFromLegend();
            s.shadow->setSelectable(QCP::stNone);
        }
        s.graph = m_plot->addGraph();
        s.graph->setSelectable(QCP::stNone);
        it = m_series.insert(id, s);
    }
    Series& s = it.value();
    if (s.name != name || s.colour != colour) {
        s.name = name;
        s.colour = colour;
        s.graph->setName(name);
        applyVisibility(s);
    }
    s.dirty = true;
    scheduleReplot();
    return s;
}

RunChart::Series* RunChart::series(qint64 id) {
    auto it = m_series.find(id);
    return it == m_series.end() ? nullptr : &it.value();
}

QCPGraph* RunChart::graph(qint64 id) const {
    auto it = m_series.constFind(id);
    return it == m_series.constEnd() ? nullptr : it->graph;
}

void RunChart::markDirty(qint64 id) {
    if (Series* s = series(id)) {
        s->dirty = true;
        scheduleReplot();
    }
}

void RunChart::markAllDirty() {
    for (Series& s : m_series)
        s.dirty = true;
    scheduleReplot();
}

void RunChart::applyVisibility(Series& s) {
    QColor line = s.colour;
    s.graph->setVisible(s.visible);
    s.graph->setPen(QPen(line, 2));
    if (s.shadow) {
        QColor faint = s.colour;
        faint.setAlphaF(0.25f);
        s.shadow->setPen(QPen(faint, 1));
        s.shadow->setVisible(s.visible);
    }
    // Hidden runs stay in the legend, greyed, so a click can bring them back.
    if (QCPPlottableLegendItem* item = m_plot->legend->itemWithPlottable(s.graph)) {
        QColor text = palette().color(QPalette::WindowText);
        if (!s.visible)
            text = palette().color(QPalette::Disabled, QPalette::WindowText);
        item->setTextColor(text);
        QFont font = m_plot->legend->font();
        font.setStrikeOut(!s.visible);
        item->setFont(font);
    }
}

void RunChart::setRunVisible(qint64 id, bool visible) {
    Series* s = series(id);
    if (!s || s->visible == visible)
        return;
    s->visible = visible;
    applyVisibility(*s);
    scheduleReplot();
}

bool RunChart::isRunVisible(qint64 id) const {
    auto it = m_series.constFind(id);
    return it != m_series.constEnd() && it->visible;
}

void RunChart::onLegendClick(QCPGraph* graph) {
    for (auto it = m_series.begin(); it != m_series.end(); ++it) {
        if (it->graph == graph) {
            setRunVisible(it.key(), !it->visible);
            emit runToggled(it.key(), it->visible);
            return;
        }
    }
}

void RunChart::removeRun(qint64 id) {
    auto it = m_series.find(id);
    if (it == m_series.end())
        return;
    if (it->shadow)
        m_plot->removeGraph(it->shadow);
    m_plot->removeGraph(it->graph);
    m_series.erase(it);
    scheduleReplot();
}

void RunChart::clearRuns() {
    m_plot->clearGraphs();
    m_series.clear();
    scheduleReplot();
}

void RunChart::scheduleReplot() {
    if (!m_replotTimer.isActive())
        m_replotTimer.start();
}

void RunChart::flush() {
    m_replotTimer.stop();
    replotNow();
}

void RunChart::replotNow() {
    for (auto it = m_series.begin(); it != m_series.end(); ++it) {
        if (!it->dirty)
            continue;
        it->dirty = false;
        rebuild(it.key(), it.value());
    }
    if (!m_userView) {
        bool any = false;
        for (const Series& s : m_series)
            any = any || (s.visible && !s.graph->data()->isEmpty());
        if (any) {
            m_plot->rescaleAxes(true);
            // A little headroom so lines do not run along the frame.
            m_plot->yAxis->scaleRange(1.08, m_plot->yAxis->range().center());
            if (m_xPadding > 0) {
                const QCPRange x = m_plot->xAxis->range();
                m_plot->xAxis->setRange(x.lower - m_xPadding, x.upper + m_xPadding);
            }
        }
    }
    ++m_replots;
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void RunChart::resetView() {
    m_userView = false;
    flush();
}

void RunChart::setLegendCorner(Qt::Alignment corner) {
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, corner);
}

void RunChart::setAxisLabels(const QString& x, const QString& y) {
    m_plot->xAxis->setLabel(x);
    m_plot->yAxis->setLabel(y);
}

bool RunChart::exportTo(const QString& path, QString* error) {
    flush();
    m_plot->replot(QCustomPlot::rpImmediateRefresh);
    return ChartExport::save(m_plot, path, error);
}

void RunChart::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange) {
        PlotTheme::apply(m_plot);
        for (Series& s : m_series)
            applyVisibility(s);
    }
}

}  // namespace recscope::ui
