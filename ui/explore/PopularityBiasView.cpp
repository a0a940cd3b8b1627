#include "ui/explore/PopularityBiasView.h"

#include <qcustomplot.h>
#include <QComboBox>
#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QProgressBar>
#include <QSettings>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>
#include <cmath>

#include "core/workspace/Workspace.h"
#include "ui/widgets/ChartExport.h"
#include "ui/widgets/FileDialog.h"
#include "ui/session/LoadedRunCache.h"
#include "ui/widgets/PlotTheme.h"
#include "ui/session/WorkspaceSession.h"

namespace recscope::ui {

namespace {

const QColor kRunColours[2] = {QColor(31, 119, 180), QColor(230, 90, 0)};

QStandardItem* numberItem(double value, int decimals) {
    auto* item = new QStandardItem(QLocale().toString(value, 'f', decimals));
    item->setData(value, Qt::UserRole);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

}  // namespace

PopularityBiasView::PopularityBiasView(WorkspaceSession* workspace, LoadedRunCache* cache,
                                       QWidget* parent)
    : QWidget(parent), m_workspace(workspace), m_cache(cache) {
    setObjectName(QStringLiteral("biasView"));
    buildUi();
    if (m_workspace) {
        for (auto signal : {&WorkspaceSession::runAdded, &WorkspaceSession::runChanged,
                            &WorkspaceSession::runRemoved})
            connect(m_workspace, signal, this, &PopularityBiasView::fillRunCombos);
        connect(m_workspace, &WorkspaceSession::workspaceOpened, this,
                &PopularityBiasView::fillRunCombos);
    }
    if (m_cache) {
        connect(m_cache, &LoadedRunCache::loaded, this, &PopularityBiasView::onLoaded);
        connect(m_cache, &LoadedRunCache::failed, this, [this](qint64 id, const QString& why) {
            if (id == m_wanted[0] || id == m_wanted[1])
                setStatus(why);
        });
    }
    fillRunCombos();
    setComputingUi(false);
    setStatus(tr("Choose a run to see how its recommendations spread over the catalogue."));
}

PopularityBiasView::~PopularityBiasView() = default;  // m_measure stops its job

void PopularityBiasView::buildUi() {
    m_runCombo = new QComboBox;
    m_runCombo->setObjectName(QStringLiteral("biasRunCombo"));
    m_runCombo->setMinimumContentsLength(20);
    m_compareCombo = new QComboBox;
    m_compareCombo->setObjectName(QStringLiteral("biasCompareCombo"));
    m_compareCombo->setMinimumContentsLength(20);
    m_compareCombo->setToolTip(tr("A second run to overlay and compare"));
    for (QComboBox* combo : {m_runCombo, m_compareCombo})
        connect(combo, qOverload<int>(&QComboBox::activated), this,
                &PopularityBiasView::requestSelected);
    m_kSpin = new QSpinBox;
    m_kSpin->setObjectName(QStringLiteral("biasK"));
    m_kSpin->setRange(1, 100);
    m_kSpin->setValue(10);
    m_kSpin->setPrefix(tr("Top "));
    m_kSpin->setKeyboardTracking(false);
    m_kSpin->setToolTip(tr("Length of every user's list"));
    connect(m_kSpin, qOverload<int>(&QSpinBox::valueChanged), this, [this] { startMeasuring(); });
    m_usersCombo = new QComboBox;
    m_usersCombo->setObjectName(QStringLiteral("biasUsers"));
    m_usersCombo->addItem(tr("All users"));
    m_usersCombo->addItem(tr("Test users"));
    m_usersCombo->setToolTip(
        tr("All users with training data, or only the users the test evaluates (validation "
           "items removed too): then coverage, Gini and average popularity equal the "
           "leaderboard's"));
    connect(m_usersCombo, qOverload<int>(&QComboBox::activated), this, [this](int index) {
        setUsers(index == 0 ? PopularityBiasUsers::All : PopularityBiasUsers::Evaluated);
    });
    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("biasProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(160);
    m_cancelButton = new QToolButton;
    m_cancelButton->setObjectName(QStringLiteral("biasCancel"));
    m_cancelButton->setText(tr("Cancel"));
    connect(m_cancelButton, &QToolButton::clicked, this, &PopularityBiasView::cancel);
    QToolButton* exportButton = ChartExport::makeExportButton(
        this, QStringLiteral("biasExport"), tr("Save the chart as PNG, SVG or PDF"),
        QStringLiteral("popularity-bias"),
        [this](const QString& path, QString* error) { return exportTo(path, error); },
        [this](const QString& error) {
            emit errorOccurred(tr("Could not export the chart: %1").arg(error));
        });

    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Run:")));
    bar->addWidget(m_runCombo);
    bar->addWidget(new QLabel(tr("compare with:")));
    bar->addWidget(m_compareCombo);
    bar->addWidget(m_kSpin);
    bar->addWidget(m_usersCombo);
    bar->addStretch(1);
    bar->addWidget(m_progress);
    bar->addWidget(m_cancelButton);
    bar->addWidget(exportButton);

    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("biasStatus"));
    m_status->setWordWrap(true);

    m_plot = new QCustomPlot;
    m_plot->setObjectName(QStringLiteral("biasPlot"));
    m_plot->setMinimumSize(360, 260);
    m_plot->setNoAntialiasingOnDrag(true);
    for (QCPAxis* axis : {m_plot->xAxis, m_plot->yAxis}) {
        axis->setScaleType(QCPAxis::stLogarithmic);
        axis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
        axis->setNumberFormat(QStringLiteral("gb"));
        axis->setNumberPrecision(0);
    }
    m_plot->xAxis->setLabel(tr("training popularity + 1 (positives, log)"));
    m_plot->yAxis->setLabel(tr("times recommended + 1 (log)"));
    m_plot->legend->setVisible(true);
    m_plot->legend->setFont(m_plot->font());
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    m_plot->addLayer(QStringLiteral("front"), m_plot->layer(QStringLiteral("main")),
                     QCustomPlot::limAbove);
    PlotTheme::enableZoomPan(m_plot);
    PlotTheme::apply(m_plot);
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this] {
        m_plot->rescaleAxes();
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    });

    m_numbers = new QStandardItemModel(0, ColumnCount, this);
    m_numbers->setHorizontalHeaderLabels({tr("Run"), tr("Users"), tr("Coverage"), tr("Gini"),
                                          tr("Tail share"), tr("Avg popularity")});
    m_numbers->horizontalHeaderItem(CoverageColumn)
        ->setToolTip(tr("Share of the catalogue recommended to at least one user"));
    m_numbers->horizontalHeaderItem(GiniColumn)
        ->setToolTip(tr("Gini coefficient of how often each catalogue item is recommended "
                        "(0 = evenly, 1 = all to one item)"));
    m_numbers->horizontalHeaderItem(TailColumn)
        ->setToolTip(tr("Share of the recommendations going to the long tail: items outside the "
                        "most popular 20% of the catalogue by training popularity"));
    m_numbers->horizontalHeaderItem(AvgPopColumn)
        ->setToolTip(tr("Mean training popularity (positives) of the recommended items"));
    m_table = new QTableView;
    m_table->setObjectName(QStringLiteral("biasNumbers"));
    m_table->setModel(m_numbers);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(RunColumn, QHeaderView::Stretch);
    m_table->setMaximumHeight(m_table->fontMetrics().height() * 5 + 16);
    m_tailNote = new QLabel;
    m_tailNote->setObjectName(QStringLiteral("biasTailNote"));
    m_tailNote->setWordWrap(true);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(bar);
    layout->addWidget(m_status);
    layout->addWidget(m_plot, 1);
    layout->addWidget(m_table);
    layout->addWidget(m_tailNote);
}

void PopularityBiasView::fillRunCombos() {
    if (!m_workspace)
        return;
    const QSignalBlocker a(m_runCombo);
    const QSignalBlocker b(m_compareCombo);
    m_runCombo->clear();
    m_compareCombo->clear();
    m_compareCombo->addItem(tr("(none)"), qlonglong(0));
    for (const RunRecord& r : m_workspace->runs()) {
        if (r.status != RunStatus::Finished || r.checkpoint.empty())
            continue;
        const QString label =
            QStringLiteral("#%1 %2").arg(r.id).arg(QString::fromStdString(r.name));
        m_runCombo->addItem(label, qlonglong(r.id));
        m_compareCombo->addItem(label, qlonglong(r.id));
    }
    m_runCombo->setCurrentIndex(std::max(0, m_runCombo->findData(qlonglong(m_wanted[0]))));
    m_compareCombo->setCurrentIndex(std::max(0, m_compareCombo->findData(qlonglong(m_wanted[1]))));
}

void PopularityBiasView::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (m_autoPicked || m_wanted[0] != 0 || m_runs[0] || !m_workspace)
        return;
    m_autoPicked = true;
    if (m_runCombo->count() > 0)
        showRuns(m_runCombo->itemData(m_runCombo->count() - 1).toLongLong());
}

void PopularityBiasView::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_plot)
        PlotTheme::apply(m_plot);
}

void PopularityBiasView::requestSelected() {
    showRuns(m_runCombo->currentData().toLongLong(), m_compareCombo->currentData().toLongLong());
}

void PopularityBiasView::showRuns(qint64 runId, qint64 compareRunId) {
    m_wanted = {runId, compareRunId == runId ? 0 : compareRunId};
    m_runs = {nullptr, nullptr};
    fillRunCombos();
    if (!m_cache || runId == 0)
        return;
    bool waiting = false;
    for (int i = 0; i < 2; ++i) {
        if (m_wanted[i] == 0)
            continue;
        if (auto run = m_cache->cached(m_wanted[i])) {
            m_runs[i] = std::move(run);
        } else {
            m_cache->request(m_wanted[i]);
            waiting = true;
        }
    }
    if (waiting)
        setStatus(tr("Loading…"));
    else
        startMeasuring();
}

void PopularityBiasView::onLoaded(qint64 runId, std::shared_ptr<const LoadedRun> run) {
    bool used = false;
    for (int i = 0; i < 2; ++i)
        if (m_wanted[i] != 0 && m_wanted[i] == runId && !m_runs[i]) {
            m_runs[i] = run;
            used = true;
        }
    if (used && m_runs[0] && (m_wanted[1] == 0 || m_runs[1]))
        startMeasuring();
}

void PopularityBiasView::setLoadedRuns(std::shared_ptr<const LoadedRun> first,
                                       std::shared_ptr<const LoadedRun> second) {
    m_runs = {std::move(first), std::move(second)};
    m_wanted = {m_runs[0] ? m_runs[0]->runId : 0, m_runs[1] ? m_runs[1]->runId : 0};
    fillRunCombos();
    startMeasuring();
}

void PopularityBiasView::setK(int k) {
    m_kSpin->setValue(k);  // valueChanged measures again
}

int PopularityBiasView::k() const {
    return m_kSpin->value();
}

void PopularityBiasView::setUsers(PopularityBiasUsers users) {
    m_usersCombo->setCurrentIndex(users == PopularityBiasUsers::All ? 0 : 1);
    if (users == m_users)
        return;
    m_users = users;
    startMeasuring();
}

void PopularityBiasView::cancel() {
    if (!m_computing)
        return;
    m_measure.cancel();  // the answer of the cancelled job is dropped
    setComputingUi(false);
    setStatus(tr("Cancelled."));
}

void PopularityBiasView::startMeasuring() {
    if (!m_runs[0])
        return;
    // The job in flight stops at its next check (one batch); waiting for it means no job ever
    // outlives this view's state.
    m_measure.stop();
    const quint64 generation = m_measure.nextGeneration();
    std::vector<std::shared_ptr<const LoadedRun>> runs;
    for (const auto& r : m_runs)
        if (r)
            runs.push_back(r);
    PopularityBiasConfig config;
    config.k = m_kSpin->value();
    config.users = m_users;
    // Called on the worker thread; the destructor waits for the job, and events posted to a
    // deleted object are dropped, so `this` is a safe context. Stale generations are ignored.
    const ProgressFn progress = [this, generation, count = runs.size()](const Progress& p) {
        QMetaObject::invokeMethod(
            this,
            [this, generation, fraction = p.fraction, count] {
                if (m_measure.isCurrent(generation) && fraction >= 0)
                    m_progress->setValue(int(1000 * std::min(1.0, fraction / double(count))));
            },
            Qt::QueuedConnection);
    };
    setComputingUi(true);
    setStatus(tr("Scoring every user…"));
    m_measure.start([runs, config, progress](const CancelToken& cancel) {
        Job job;
        try {
            for (size_t i = 0; i < runs.size(); ++i) {
                const auto& run = runs[i];
                const double base = double(i);
                PopularityBiasConfig runConfig = config;
                runConfig.seed = run->config.seed;  // the run's tie order
                Result<PopularityBias> r = measurePopularityBias(
                    *run->model, *run->train, runConfig,
                    [&](const Progress& p) {
                        progress({p.stage, base + p.fraction});
                    },
                    &cancel);
                if (!r.ok()) {
                    job.error = QString::fromStdString(r.error().toString());
                    job.cancelled = r.error().cancelled();
                    return job;
                }
                job.results << std::move(r).value();
            }
        } catch (const std::exception& e) {
            job.error = QString::fromUtf8(e.what());
        }
        return job;
    });
    m_resultNames.clear();
    for (const auto& r : runs)
        m_resultNames << QString::fromStdString(r->runName);
}

void PopularityBiasView::onMeasured(const Job& job) {
    setComputingUi(false);
    if (!job.error.isEmpty()) {
        setStatus(job.cancelled ? tr("Cancelled.") : job.error);
        if (!job.cancelled)
            emit errorOccurred(tr("Popularity bias: %1").arg(job.error));
        return;
    }
    m_results = job.results;
    showResults();
    emit computed();
}

void PopularityBiasView::showResults() {
    m_plot->clearGraphs();
    m_numbers->removeRows(0, m_numbers->rowCount());
    const QLocale locale;
    for (int i = 0; i < m_results.size(); ++i) {
        const PopularityBias& b = m_results[i];
        QVector<double> x, y;
        for (size_t item = 0; item < b.recommendationCounts.size(); ++item) {
            if (!b.inCatalogue[item])
                continue;
            x << double(b.trainingPopularity[item]) + 1.0;
            y << double(b.recommendationCounts[item]) + 1.0;
        }
        QCPGraph* g = m_plot->addGraph();
        g->setLineStyle(QCPGraph::lsNone);
        g->setAdaptiveSampling(false);
        QColor fill = kRunColours[i % 2];
        fill.setAlpha(150);
        g->setScatterStyle(
            QCPScatterStyle(i == 0 ? QCPScatterStyle::ssDisc : QCPScatterStyle::ssTriangle,
                            QPen(fill, i == 0 ? 0 : 1), fill, i == 0 ? 5 : 6));
        g->setPen(QPen(kRunColours[i % 2]));
        g->setData(x, y);
        if (i == 0)
            g->setLayer(QStringLiteral("front"));  // the chosen run stays visible over the other
        g->setName(m_resultNames.value(i));

        auto* name = new QStandardItem(m_resultNames.value(i));
        name->setForeground(kRunColours[i % 2]);
        auto* users = new QStandardItem(locale.toString(b.usersScored));
        users->setData(b.usersScored, Qt::UserRole);
        users->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_numbers->appendRow({name, users, numberItem(b.coverage, 3), numberItem(b.gini, 3),
                              numberItem(b.tailShare, 3), numberItem(b.avgPopularity, 1)});
    }
    m_plot->rescaleAxes();
    for (QCPAxis* axis : {m_plot->xAxis, m_plot->yAxis}) {
        QCPRange r = axis->range();
        axis->setRange(std::max(0.8, r.lower / 1.3), r.upper * 1.3);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    if (!m_results.isEmpty()) {
        const PopularityBias& b = m_results.front();
        m_tailNote->setText(
            tr("Top-%1 lists of %2 users. Long tail: the catalogue items outside the most popular "
               "20% by training popularity (%3 head items of %4). Both axes are shifted by one so "
               "that items never recommended (or never rated positively) are shown.")
                .arg(b.k)
                .arg(locale.toString(b.usersScored))
                .arg(locale.toString(b.headSize))
                .arg(locale.toString(b.catalogueSize)));
        setStatus(tr("%1 of %2 catalogue items recommended at least once by %3.")
                      .arg(locale.toString(b.recommendedItems), locale.toString(b.catalogueSize),
                           m_resultNames.value(0)));
    }
}

void PopularityBiasView::setComputingUi(bool computing) {
    m_computing = computing;
    m_progress->setVisible(computing);
    m_cancelButton->setVisible(computing);
    if (computing)
        m_progress->setValue(0);
}

void PopularityBiasView::setStatus(const QString& text) {
    m_status->setText(text);
}

QString PopularityBiasView::statusText() const {
    return m_status->text();
}

bool PopularityBiasView::exportTo(const QString& path, QString* error) {
    m_plot->replot(QCustomPlot::rpImmediateRefresh);
    return ChartExport::save(m_plot, path, error);
}

}  // namespace recscope::ui
