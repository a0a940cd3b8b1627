#include "ui/leaderboard/DistributionView.h"

#include <qcustomplot.h>
#include <QComboBox>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "core/eval/PerUserDistribution.h"
#include "core/workspace/Workspace.h"
#include "ui/widgets/ChartExport.h"
#include "ui/session/LoadedRunCache.h"
#include "ui/leaderboard/MetricColumns.h"
#include "ui/widgets/PlotTheme.h"
#include "ui/session/WorkspaceSession.h"

namespace recscope::ui {

namespace {

constexpr int kBins = 20;

QCustomPlot* makePlot(const QString& objectName, const QString& title) {
    auto* plot = new QCustomPlot;
    plot->setObjectName(objectName);
    plot->setMinimumSize(260, 150);
    PlotTheme::setupTitledChart(plot, title);
    return plot;
}

QString runLabel(const RunRecord& r) {
    return QStringLiteral("#%1 %2").arg(r.id).arg(QString::fromStdString(r.name));
}

QColor secondColour(const QPalette& palette) {
    // A second series distinct from the highlight in light and dark themes.
    const QColor h = PlotTheme::seriesColour(palette);
    return QColor::fromHsv((h.hue() + 150) % 360, std::max(120, h.saturation()),
                           std::max(150, h.value()));
}

// Bars of a histogram over [low, high] on `plot`, offset within the bin for a second series.
QCPBars* addHistogram(QCustomPlot* plot, const Histogram& h, const QColor& colour, int series,
                      int seriesCount, const QString& name) {
    auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
    bars->setName(name);
    const double slot = h.width / seriesCount;
    QVector<double> keys, values;
    for (size_t i = 0; i < h.counts.size(); ++i) {
        keys << h.low + double(i) * h.width + slot * (series + 0.5);
        values << double(h.counts[i]);
    }
    bars->setData(keys, values, true);
    bars->setWidth(slot * 0.9);
    QColor fill = colour;
    fill.setAlphaF(0.6f);
    bars->setBrush(fill);
    bars->setPen(QPen(colour, 1));
    return bars;
}

}  // namespace

DistributionView::DistributionView(WorkspaceSession* workspace, LoadedRunCache* cache,
                                   QWidget* parent)
    : QWidget(parent),
      m_workspace(workspace),
      m_cache(cache),
      m_run(new QComboBox),
      m_compare(new QComboBox),
      m_metric(new QComboBox),
      m_status(new QLabel),
      m_differenceLabel(new QLabel) {
    setObjectName(QStringLiteral("distributionView"));
    m_run->setObjectName(QStringLiteral("distributionRun"));
    m_compare->setObjectName(QStringLiteral("distributionCompare"));
    m_metric->setObjectName(QStringLiteral("distributionMetric"));
    for (QComboBox* c : {m_run, m_compare})
        c->setMinimumContentsLength(18);
    m_status->setObjectName(QStringLiteral("distributionStatus"));
    m_status->setWordWrap(true);
    m_differenceLabel->setObjectName(QStringLiteral("distributionDifference"));
    m_differenceLabel->setWordWrap(true);
    m_differenceLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_histogram = makePlot(QStringLiteral("distributionHistogram"), tr("Users by value"));
    m_activity = makePlot(QStringLiteral("distributionActivity"),
                          tr("Values by user activity (training ratings)"));
    m_difference =
        makePlot(QStringLiteral("distributionDifferencePlot"), tr("Per-user difference A − B"));

    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Run A:")));
    bar->addWidget(m_run);
    bar->addWidget(new QLabel(tr("B:")));
    bar->addWidget(m_compare);
    bar->addWidget(new QLabel(tr("Metric:")));
    bar->addWidget(m_metric);
    bar->addStretch(1);

    auto* grid = new QGridLayout;
    grid->addWidget(chartBox(m_histogram, QStringLiteral("distributionHistogramExport"),
                             QStringLiteral("per-user-histogram")),
                    0, 0);
    grid->addWidget(chartBox(m_activity, QStringLiteral("distributionActivityExport"),
                             QStringLiteral("per-user-by-activity")),
                    0, 1);
    auto* differenceBox = new QWidget;
    auto* differenceLayout = new QVBoxLayout(differenceBox);
    differenceLayout->setContentsMargins(0, 0, 0, 0);
    differenceLayout->addWidget(
        chartBox(m_difference, QStringLiteral("distributionDifferenceExport"),
                 QStringLiteral("per-user-difference")),
        1);
    differenceLayout->addWidget(m_differenceLabel);
    grid->addWidget(differenceBox, 1, 0, 1, 2);
    grid->setRowStretch(0, 1);
    grid->setRowStretch(1, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_status);
    layout->addLayout(grid, 1);

    connect(m_run, qOverload<int>(&QComboBox::activated), this, [this] { refresh(); });
    connect(m_compare, qOverload<int>(&QComboBox::activated), this, [this] { refresh(); });
    connect(m_metric, qOverload<int>(&QComboBox::activated), this, [this] {
        plotHistogram();
        plotDifference();
        plotActivity();
    });
    for (auto signal : {&WorkspaceSession::runAdded, &WorkspaceSession::runChanged,
                        &WorkspaceSession::runRemoved})
        connect(m_workspace, signal, this, &DistributionView::fillCombos);
    connect(m_workspace, &WorkspaceSession::workspaceOpened, this, &DistributionView::fillCombos);
    connect(m_cache, &LoadedRunCache::loaded, this, &DistributionView::onLoaded);
    connect(m_cache, &LoadedRunCache::failed, this, [this](qint64 id, const QString& why) {
        if (id == runId() || id == compareRunId())
            m_status->setText(tr("Activity groups unavailable: %1").arg(why));
    });
    fillCombos();
}

QWidget* DistributionView::chartBox(QCustomPlot* plot, const QString& exportName,
                                    const QString& fileName) {
    return ChartExport::withExportButton(
        plot, plot, exportName, fileName, [this](const QString& error) {
            emit errorOccurred(tr("Could not export the chart: %1").arg(error));
        });
}

qint64 DistributionView::runId() const {
    return m_run->currentData().toLongLong();
}

qint64 DistributionView::compareRunId() const {
    return m_compare->currentData().toLongLong();
}

QString DistributionView::metric() const {
    return m_metric->currentData().toString();
}

QString DistributionView::differenceText() const {
    return m_differenceLabel->text();
}

void DistributionView::fillCombos() {
    const qint64 a = runId();
    const qint64 b = compareRunId();
    {
        const QSignalBlocker blockA(m_run);
        const QSignalBlocker blockB(m_compare);
        m_run->clear();
        m_compare->clear();
        m_compare->addItem(tr("(none)"), qlonglong(0));
        for (const RunRecord& r : m_workspace->runs()) {
            if (r.status != RunStatus::Finished)
                continue;
            m_run->addItem(runLabel(r), qlonglong(r.id));
            m_compare->addItem(runLabel(r), qlonglong(r.id));
        }
        const int ia = m_run->findData(qlonglong(a));
        m_run->setCurrentIndex(ia >= 0 ? ia : m_run->count() - 1);
        m_compare->setCurrentIndex(std::max(0, m_compare->findData(qlonglong(b))));
    }
    if (runId() != a || compareRunId() != b)
        refresh();
}

void DistributionView::showRuns(qint64 run, qint64 compare, const QString& metricKey) {
    {
        const QSignalBlocker blockA(m_run);
        const QSignalBlocker blockB(m_compare);
        m_run->setCurrentIndex(std::max(0, m_run->findData(qlonglong(run))));
        m_compare->setCurrentIndex(std::max(0, m_compare->findData(qlonglong(compare))));
    }
    refresh();
    if (!metricKey.isEmpty()) {
        const int i = m_metric->findData(metricKey);
        if (i >= 0) {
            m_metric->setCurrentIndex(i);
            plotHistogram();
            plotDifference();
            plotActivity();
        }
    }
}

void DistributionView::fillMetrics() {
    const QString keep = metric().isEmpty() ? QStringLiteral("ndcg@10") : metric();
    QStringList keys;
    for (const auto& entry : m_a.perUser)
        if (compareRunId() == 0 || m_b.perUser.count(entry.first))
            keys << QString::fromStdString(entry.first);
    std::sort(keys.begin(), keys.end(), &MetricColumns::lessInDisplayOrder);
    const QSignalBlocker blocker(m_metric);
    m_metric->clear();
    for (const QString& k : keys)
        m_metric->addItem(MetricColumns::label(k), k);
    m_metric->setCurrentIndex(std::max(0, m_metric->findData(keep)));
}

void DistributionView::refresh() {
    m_a = {};
    m_b = {};
    m_loadedA.reset();
    m_loadedB.reset();
    QStringList problems;
    const auto fetch = [&](qint64 id, EvalResult* out) {
        if (id <= 0)
            return;
        Result<PerUserMetrics> perUser = m_workspace->perUser(id);
        if (!perUser)
            problems << QString::fromStdString(perUser.error().toString());
        else if (perUser->users.empty())
            problems << tr("Run #%1 kept no per-user values.").arg(id);
        else
            *out = evalResultOf(std::move(perUser).value());
    };
    fetch(runId(), &m_a);
    fetch(compareRunId(), &m_b);
    const RunRecord* a = m_workspace->run(runId());
    const RunRecord* b = m_workspace->run(compareRunId());
    if (a && b && a->config.evaluateOn != b->config.evaluateOn)
        problems << tr(
            "One run was scored on validation, the other on test: their users' values "
            "are not comparable.");
    m_status->setText(problems.isEmpty()
                          ? (runId() > 0 ? QString()
                                         : tr("Train a run to see how its metric spreads over "
                                              "the users."))
                          : problems.join(QLatin1Char('\n')));
    fillMetrics();
    for (qint64 id : {runId(), compareRunId()})
        if (id > 0)
            m_cache->request(id);
    plotHistogram();
    plotDifference();
    plotActivity();
}

void DistributionView::onLoaded(qint64 id, std::shared_ptr<const LoadedRun> run) {
    if (id != runId() && id != compareRunId())
        return;
    if (id == runId())
        m_loadedA = run;
    if (id == compareRunId())
        m_loadedB = run;
    plotActivity();
}

void DistributionView::plotHistogram() {
    QCustomPlot* plot = m_histogram;
    plot->clearPlottables();
    PlotTheme::apply(plot);
    const std::string key = metric().toStdString();
    std::vector<std::vector<double>> series;
    for (const EvalResult* r : {&m_a, &m_b})
        if (Result<std::vector<double>> v = perUserValues(*r, key); v)
            series.push_back(std::move(v).value());
    double low = 0, high = 1;
    bool first = true;
    for (const auto& v : series)
        for (double x : v) {
            low = first ? x : std::min(low, x);
            high = first ? x : std::max(high, x);
            first = false;
        }
    if (!first && low >= 0 && high <= 1) {  // ranking metrics: the whole 0..1 scale
        low = 0;
        high = 1;
    }
    const QPalette palette = plot->palette();
    const QColor colours[] = {PlotTheme::seriesColour(palette), secondColour(palette)};
    const QString names[] = {tr("A"), tr("B")};
    Histogram h;
    for (size_t s = 0; s < series.size(); ++s) {
        h = histogram(series[s], kBins, low, high);
        addHistogram(plot, h, colours[s], int(s), int(series.size()), names[s])
            ->setName(series.size() > 1 ? names[s] : MetricColumns::label(metric()));
    }
    plot->legend->setVisible(series.size() > 1);
    plot->xAxis->setLabel(MetricColumns::label(metric()));
    plot->yAxis->setLabel(tr("Users"));
    plot->rescaleAxes();
    if (!series.empty())
        plot->xAxis->setRange(low, high > low ? high : low + 1);
    plot->yAxis->setRange(0, std::max(1.0, plot->yAxis->range().upper * 1.08));
    PlotTheme::apply(plot);
}

void DistributionView::plotDifference() {
    QCustomPlot* plot = m_difference;
    plot->clearPlottables();
    plot->clearItems();
    PlotTheme::apply(plot);
    m_hasComparison = false;
    const std::string key = metric().toStdString();
    const Result<std::vector<double>> diffs = pairedDifferences(m_a, m_b, key);
    const Result<PairedComparison> cmp = comparePaired(m_a, m_b, key);
    if (compareRunId() == 0 || !diffs || !cmp || diffs->empty()) {
        m_differenceLabel->setText(compareRunId() == 0
                                       ? tr("Choose a second run B to compare user by user.")
                                       : tr("The runs have no common users with this metric."));
        plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    m_comparison = cmp.value();
    m_hasComparison = true;
    double bound = 0;
    for (double d : diffs.value())
        bound = std::max(bound, std::fabs(d));
    bound = bound > 0 ? bound : 1;
    // An odd number of bins puts zero (the ties) in the middle bin.
    const Histogram h = histogram(diffs.value(), 2 * kBins + 1, -bound, bound);
    addHistogram(plot, h, PlotTheme::seriesColour(plot->palette()), 0, 1, tr("users"));
    const QColor text = plot->palette().color(QPalette::WindowText);
    auto* zero = new QCPItemStraightLine(plot);
    zero->point1->setCoords(0, 0);
    zero->point2->setCoords(0, 1);
    QColor zeroColour = text;
    zeroColour.setAlphaF(0.6f);
    zero->setPen(QPen(zeroColour, 1, Qt::DashLine));
    const BootstrapInterval& ci = m_comparison.difference;
    auto* band = new QCPItemRect(plot);
    band->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
    band->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
    band->topLeft->setCoords(ci.low, 0);
    band->bottomRight->setCoords(ci.high, 1);
    QColor bandColour = secondColour(plot->palette());
    bandColour.setAlphaF(0.25f);
    band->setBrush(bandColour);
    band->setPen(Qt::NoPen);
    plot->xAxis->setLabel(tr("%1 of A minus %1 of B").arg(MetricColumns::label(metric())));
    plot->yAxis->setLabel(tr("Users"));
    plot->rescaleAxes();
    plot->xAxis->setRange(-bound * 1.05, bound * 1.05);
    plot->yAxis->setRange(0, std::max(1.0, plot->yAxis->range().upper * 1.08));
    const QString p = m_comparison.wilcoxon.pValue < 1e-4
                          ? QString::number(m_comparison.wilcoxon.pValue, 'e', 2)
                          : QString::number(m_comparison.wilcoxon.pValue, 'f', 4);
    m_differenceLabel->setText(
        tr("%1 users in both runs: A better for %2, equal for %3, B better for %4. Mean A − B = "
           "%5, bootstrap 95% interval [%6, %7] (shaded); Wilcoxon signed-rank p = %8.")
            .arg(m_comparison.users)
            .arg(m_comparison.wins)
            .arg(m_comparison.ties)
            .arg(m_comparison.losses)
            .arg(ci.mean, 0, 'f', 4)
            .arg(ci.low, 0, 'f', 4)
            .arg(ci.high, 0, 'f', 4)
            .arg(p));
    PlotTheme::apply(plot);
}

void DistributionView::plotActivity() {
    QCustomPlot* plot = m_activity;
    plot->clearPlottables();
    PlotTheme::apply(plot);
    m_boxes = 0;
    const std::string key = metric().toStdString();
    struct Series {
        const EvalResult* result;
        const LoadedRun* run;
    };
    std::vector<Series> series;
    if (m_loadedA && m_loadedA->train)
        series.push_back({&m_a, m_loadedA.get()});
    if (compareRunId() > 0 && m_loadedB && m_loadedB->train)
        series.push_back({&m_b, m_loadedB.get()});
    const QPalette palette = plot->palette();
    const QColor colours[] = {PlotTheme::seriesColour(palette), secondColour(palette)};
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    const double width = series.size() > 1 ? 0.35 : 0.6;
    for (size_t s = 0; s < series.size(); ++s) {
        const Result<std::vector<ActivityValues>> groups =
            valuesByActivity(*series[s].result, *series[s].run->train, key);
        if (!groups)
            continue;
        auto* boxes = new QCPStatisticalBox(plot->xAxis, plot->yAxis);
        boxes->setName(s == 0 ? tr("A") : tr("B"));
        boxes->setWidth(width);
        QColor fill = colours[s];
        fill.setAlphaF(0.5f);
        boxes->setBrush(fill);
        boxes->setPen(QPen(colours[s], 1));
        boxes->setMedianPen(QPen(palette.color(QPalette::WindowText), 2));
        for (size_t g = 0; g < groups->size(); ++g) {
            const ActivityValues& group = groups.value()[g];
            const BoxStats b = boxStats(group.values);
            const double x = double(g + 1) + (series.size() > 1 ? (s == 0 ? -0.2 : 0.2) : 0.0);
            boxes->addData(x, b.min, b.q1, b.median, b.q3, b.max);
            ++m_boxes;
            if (s == 0)
                ticker->addTick(double(g + 1), tr("%1–%2\n%n users", nullptr, int(b.n))
                                                   .arg(group.minTrain)
                                                   .arg(group.maxTrain));
        }
    }
    plot->legend->setVisible(series.size() > 1);
    plot->xAxis->setTicker(ticker);
    plot->xAxis->setLabel(tr("Training ratings of the user (quartile groups)"));
    plot->yAxis->setLabel(MetricColumns::label(metric()));
    plot->rescaleAxes();
    plot->xAxis->setRange(0.4, std::max(1.0, double(ticker->ticks().size())) + 0.6);
    const QCPRange y = plot->yAxis->range();
    plot->yAxis->setRange(std::min(0.0, y.lower), std::max(y.upper * 1.05, 1e-3));
    if (series.empty() && runId() > 0 && m_status->text().isEmpty())
        m_status->setText(tr("Loading the run's split for the activity groups…"));
    else if (!series.empty() && m_status->text().startsWith(tr("Loading")))
        m_status->clear();
    PlotTheme::apply(plot);
}

void DistributionView::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        plotHistogram();
        plotDifference();
        plotActivity();
    }
}

}  // namespace recscope::ui
