#include "ui/training/TrainingView.h"

#include <QAction>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QLocale>
#include <QProgressBar>
#include <QScrollArea>
#include <QSplitter>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>
#include <cmath>

#include "ui/session/DatasetSession.h"
#include "ui/session/WorkspaceSession.h"
#include "ui/shell/EventLoopMonitor.h"
#include "ui/training/LossChart.h"
#include "ui/training/MetricChart.h"
#include "ui/training/ParamForm.h"
#include "ui/training/TrainingRunsModel.h"
#include "ui/training/TrainingSession.h"
#include "ui/training/TrainingSetup.h"
#include "ui/training/WatchListPanel.h"

namespace recscope::ui {

namespace {

QString duration(double seconds) {
    const qint64 s = qint64(std::llround(std::max(0.0, seconds)));
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3")
            .arg(s / 3600)
            .arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
            .arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

QToolButton* actionButton(QAction* action, const char* name) {
    auto* button = new QToolButton;
    button->setObjectName(QLatin1String(name));
    button->setDefaultAction(action);
    button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    button->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    return button;
}

}  // namespace

TrainingView::TrainingView(DatasetSession* datasets, WorkspaceSession* workspace, QWidget* parent)
    : QWidget(parent), m_datasets(datasets), m_workspace(workspace) {
    setObjectName(QStringLiteral("trainingView"));
    m_monitor = new EventLoopMonitor(this);
    m_runs = new TrainingRunsModel(workspace, this);
    buildUi();

    m_session = new TrainingSession(workspace, this);
    connect(m_session, &TrainingSession::recorded, this, &TrainingView::onRecorded);
    connect(m_session, &TrainingSession::progressed, this, &TrainingView::onProgressed);
    connect(m_session, &TrainingSession::batchesDone, this, &TrainingView::onBatches);
    connect(m_session, &TrainingSession::epochRecorded, this, &TrainingView::onEpoch);
    connect(m_session, &TrainingSession::messaged, this, &TrainingView::statusMessage);
    connect(m_session, &TrainingSession::finished, this, &TrainingView::onFinished);
    connect(m_session, &TrainingSession::failed, this, &TrainingView::onFailed);
    connect(m_session, &TrainingSession::runEnded, this, &TrainingView::runEnded);
    connect(m_session, &TrainingSession::errorOccurred, this, &TrainingView::errorOccurred);

    connect(m_datasets, &DatasetSession::changed, this, [this](DatasetSession::Change change) {
        if (change == DatasetSession::Change::DatasetReplaced) {
            updateDatasetLabel();
            m_watch->setDataset(m_datasets->dataset());
        }
    });
    connect(m_workspace, &WorkspaceSession::workspaceOpened, this, &TrainingView::syncAllRuns);
    connect(m_workspace, &WorkspaceSession::runAdded, this, &TrainingView::syncRun);
    connect(m_workspace, &WorkspaceSession::runChanged, this, &TrainingView::syncRun);
    connect(m_workspace, &WorkspaceSession::runRemoved, this, [this](qint64 id) {
        m_loss->removeRun(id);
        m_metric->removeRun(id);
    });
    connect(m_runs, &TrainingRunsModel::shownChanged, this, [this](qint64 id, bool shown) {
        m_loss->setRunVisible(id, shown);
        m_metric->setRunVisible(id, shown);
    });
    for (RunChart* chart : {static_cast<RunChart*>(m_loss), static_cast<RunChart*>(m_metric)}) {
        connect(chart, &RunChart::runToggled, m_runs, &TrainingRunsModel::setShown);
        connect(chart, &RunChart::exportFailed, this, &TrainingView::errorOccurred);
    }
    updateDatasetLabel();
    m_watch->setDataset(m_datasets->dataset());
    syncAllRuns();
    setRunningUi(false);
}

TrainingView::~TrainingView() {
    shutdown();
    // The session (a child) goes first, while the widgets its signals would touch still exist.
    m_session->disconnect(this);
    delete m_session;
}

void TrainingView::buildUi() {
    m_setup = new TrainingSetup;
    m_setup->setObjectName(QStringLiteral("trainingSetup"));

    m_start = new QAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("&Start Training"), this);
    m_start->setObjectName(QStringLiteral("actionStartTraining"));
    m_start->setIconText(tr("Start"));
    m_start->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_start->setStatusTip(tr("Train the chosen model on the open dataset"));
    connect(m_start, &QAction::triggered, this, &TrainingView::start);
    m_pause =
        new QAction(style()->standardIcon(QStyle::SP_MediaPause), tr("&Pause Training"), this);
    m_pause->setObjectName(QStringLiteral("actionPauseTraining"));
    m_pause->setIconText(tr("Pause"));
    m_pause->setStatusTip(tr("Hold the run after the current batch; resume it later"));
    connect(m_pause, &QAction::triggered, this, &TrainingView::togglePause);
    m_stop = new QAction(style()->standardIcon(QStyle::SP_MediaStop), tr("S&top Training"), this);
    m_stop->setObjectName(QStringLiteral("actionStopTraining"));
    m_stop->setIconText(tr("Stop"));
    m_stop->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    m_stop->setStatusTip(tr("Stop the run within the current batch (recorded as cancelled)"));
    connect(m_stop, &QAction::triggered, this, &TrainingView::stop);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(actionButton(m_start, "startButton"));
    buttons->addWidget(actionButton(m_pause, "pauseButton"));
    buttons->addWidget(actionButton(m_stop, "stopButton"));

    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("trainProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progressLabel = new QLabel(tr("Idle"));
    m_progressLabel->setObjectName(QStringLiteral("trainProgressLabel"));
    m_progressLabel->setWordWrap(true);

    auto* setupScroll = new QScrollArea;
    setupScroll->setWidget(m_setup);
    setupScroll->setWidgetResizable(true);
    setupScroll->setFrameShape(QFrame::NoFrame);
    setupScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    auto* controls = new QWidget;
    auto* controlsLayout = new QVBoxLayout(controls);
    controlsLayout->setContentsMargins(0, 0, 0, 0);
    controlsLayout->addWidget(setupScroll, 1);
    controlsLayout->addLayout(buttons);
    controlsLayout->addWidget(m_progress);
    controlsLayout->addWidget(m_progressLabel);

    m_runList = new QListView;
    m_runList->setObjectName(QStringLiteral("runsList"));
    m_runList->setModel(m_runs);
    m_runList->setUniformItemSizes(true);
    m_runList->setSelectionMode(QAbstractItemView::SingleSelection);
    m_runList->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_runList->setToolTip(tr("Runs of this workspace; tick a run to overlay it on the charts"));
    auto* useSettings = new QAction(tr("Use Settings of This Run"), m_runList);
    useSettings->setObjectName(QStringLiteral("actionUseRunSettings"));
    connect(useSettings, &QAction::triggered, this, &TrainingView::useSettingsOfSelectedRun);
    auto* remove = new QAction(tr("Delete Run"), m_runList);
    remove->setObjectName(QStringLiteral("actionDeleteRun"));
    connect(remove, &QAction::triggered, this, &TrainingView::deleteSelectedRun);
    m_runList->addActions({useSettings, remove});
    connect(m_runList, &QListView::doubleClicked, this, &TrainingView::useSettingsOfSelectedRun);

    auto* runsBox = new QWidget;
    auto* runsLayout = new QVBoxLayout(runsBox);
    runsLayout->setContentsMargins(0, 0, 0, 0);
    auto* runsTitle = new QLabel(tr("<b>Runs</b>"));
    runsLayout->addWidget(runsTitle);
    runsLayout->addWidget(m_runList, 1);

    auto* left = new QSplitter(Qt::Vertical);
    left->setObjectName(QStringLiteral("trainingLeftSplitter"));
    left->addWidget(controls);
    left->addWidget(runsBox);
    left->setStretchFactor(0, 3);
    left->setStretchFactor(1, 1);
    left->setChildrenCollapsible(false);

    m_loss = new LossChart;
    m_metric = new MetricChart;
    auto* charts = new QSplitter(Qt::Vertical);
    charts->setObjectName(QStringLiteral("trainingChartSplitter"));
    charts->addWidget(m_loss);
    charts->addWidget(m_metric);
    m_watch = new WatchListPanel;
    charts->addWidget(m_watch);
    charts->setStretchFactor(0, 3);
    charts->setStretchFactor(1, 3);
    charts->setStretchFactor(2, 2);
    charts->setChildrenCollapsible(false);

    auto* split = new QSplitter(Qt::Horizontal);
    split->setObjectName(QStringLiteral("trainingSplitter"));
    split->addWidget(left);
    split->addWidget(charts);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);
    left->setMinimumWidth(320);
    split->setSizes({370, 830});

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(split);
}

void TrainingView::setWatchedUsers(const QVector<int>& users) {
    m_watch->setWatchedUsers(users);
}

ParamForm* TrainingView::paramForm() const {
    return m_setup->paramForm();
}

bool TrainingView::isTraining() const {
    return m_session->isTraining();
}

bool TrainingView::isPaused() const {
    return m_session->isPaused();
}

qint64 TrainingView::currentRunId() const {
    return m_session->currentRunId();
}

double TrainingView::lastRecordMs() const {
    return m_session->lastRecordMs();
}

std::shared_ptr<const Recommender> TrainingView::trainedModel(qint64 runId) const {
    return m_session->trainedModel(runId);
}

void TrainingView::updateDatasetLabel() {
    const auto dataset = m_datasets->dataset();
    if (!dataset) {
        m_setup->setDatasetLabel(tr("<i>none open — use File ▸ Open or Open Demo Data</i>"));
        return;
    }
    m_setup->setDatasetLabel(
        tr("%1 (%2 ratings)")
            .arg(QFileInfo(m_datasets->sourceLabel()).fileName().toHtmlEscaped(),
                 QLocale().toString(qlonglong(dataset->numRatings()))));
}

void TrainingView::setRunningUi(bool running) {
    m_start->setEnabled(!running);
    m_stop->setEnabled(running);
    m_pause->setEnabled(running && m_sawBatch);
    m_setup->setEnabled(!running);
    m_watch->setEditable(!running);
    const bool paused = running && isPaused();
    m_pause->setText(paused ? tr("&Resume Training") : tr("&Pause Training"));
    m_pause->setIconText(paused ? tr("Resume") : tr("Pause"));
    m_pause->setIcon(style()->standardIcon(paused ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
}

void TrainingView::showProgressText(const QString& text) {
    m_progressLabel->setText(text);
}

void TrainingView::start() {
    if (isTraining())
        return;
    const auto dataset = m_datasets->dataset();
    m_setup->saveSettings();
    const RunConfig config = m_setup->config(m_datasets->recordPath());
    std::vector<int32_t> watchUsers =
        dataset ? m_watch->internalUsers(*dataset) : std::vector<int32_t>{};
    m_plannedEpochs = m_setup->plannedEpochs();
    m_sawBatch = false;
    m_throughput.clear();
    m_pausedMs = 0;
    if (!m_session->start(config, dataset, m_datasets->recordName(), std::move(watchUsers),
                          m_setup->threads()))
        return;
    m_clock.start();
    m_progress->setRange(0, 0);
    showProgressText(
        tr("Starting %1…").arg(QString::fromStdString(m_session->currentConfig().model)));
    setRunningUi(true);
    m_monitor->start();
    m_watch->beginRun(QString::fromStdString(m_session->currentConfig().model));
}

void TrainingView::togglePause() {
    if (!isTraining())
        return;
    if (m_session->isPaused()) {
        m_session->resume();
        if (m_pauseClock.isValid())
            m_pausedMs += m_pauseClock.elapsed();
        m_pauseClock.invalidate();
        showProgressText(tr("Resumed"));
    } else {
        m_session->pause();
        m_pauseClock.start();
        showProgressText(tr("Paused — Resume to go on, Stop to end the run"));
    }
    setRunningUi(true);
}

void TrainingView::stop() {
    if (!isTraining())
        return;
    m_session->stop();
    m_stop->setEnabled(false);
    m_pause->setEnabled(false);
    showProgressText(tr("Stopping…"));
}

void TrainingView::onRecorded(qint64 runId) {
    if (const RunRecord* r = m_workspace->run(runId))
        m_watch->beginRun(QString::fromStdString(r->name));  // no epoch yet: nothing is lost
}

void TrainingView::onProgressed(const QString& stage, double fraction) {
    // Epoch models show batch progress instead, except for the stages around training.
    if (m_sawBatch && stage == QLatin1String("Training"))
        return;
    if (fraction >= 0 && !m_sawBatch) {
        m_progress->setRange(0, 1000);
        m_progress->setValue(int(1000 * std::min(1.0, fraction)));
    } else if (stage != QLatin1String("Training")) {
        m_progress->setRange(0, 0);
    }
    showProgressText(stage == QLatin1String("Evaluating") ? tr("Evaluating on the test part…")
                                                          : stage + QStringLiteral("…"));
}

void TrainingView::onBatches(int epoch, qint64 batch, qint64 batchesPerEpoch,
                             const QVector<QPointF>& losses) {
    if (!m_sawBatch) {
        m_sawBatch = true;
        m_clock.restart();
        setRunningUi(true);
    }
    m_loss->appendBatches(m_session->currentRunId(), losses);
    if (m_session->isStopping())
        return;

    const double done = (epoch - 1) + (batchesPerEpoch > 0 ? double(batch) / batchesPerEpoch : 0);
    QStringList parts;
    if (m_plannedEpochs > 0) {
        parts << tr("Epoch %1/%2").arg(epoch).arg(m_plannedEpochs);
        const double fraction = std::min(1.0, done / m_plannedEpochs);
        m_progress->setRange(0, 1000);
        m_progress->setValue(int(1000 * fraction));
        const double active = (m_clock.elapsed() - m_pausedMs) / 1000.0;
        if (fraction > 0.01)
            parts << tr("%1 left").arg(duration(active * (1 - fraction) / fraction));
    } else {
        parts << tr("Epoch %1").arg(epoch);
        m_progress->setRange(0, 0);
    }
    parts.insert(1, tr("batch %1/%2").arg(batch).arg(batchesPerEpoch));
    if (!losses.isEmpty())
        parts << tr("loss %1").arg(losses.back().y(), 0, 'g', 4);
    if (!m_throughput.isEmpty())
        parts << m_throughput;
    if (isPaused())
        parts << tr("paused");
    showProgressText(parts.join(QStringLiteral(" · ")));
}

QString TrainingView::throughputText(qint64 samples, double batchSeconds, double epochSeconds) {
    if (samples <= 0 || batchSeconds <= 0.0)
        return {};
    return tr("%L1 samples/s · %2 s/epoch")
        .arg(qRound64(double(samples) / batchSeconds))
        .arg(epochSeconds, 0, 'f', epochSeconds < 10 ? 2 : 1);
}

void TrainingView::onEpoch(const EpochReport& report) {
    m_throughput = throughputText(report.samples, report.trainSeconds, report.seconds);
    m_watch->addEpoch(report.epoch, report.watchTopK);
}

void TrainingView::onFinished(qint64 runId, std::shared_ptr<const RunOutcome> outcome) {
    m_monitor->stop();
    m_lastStallMs = m_monitor->longestStallMs();
    m_lastStallP99Ms = m_monitor->percentileStallMs(0.99);
    resetRunUi();
    if (runId == 0)
        return;
    qInfo(
        "training run %lld: longest event-loop stall while training %.1f ms; recording the "
        "result took %.1f ms",
        runId, m_lastStallMs, m_session->lastRecordMs());

    const RunRecord* record = m_workspace->run(runId);
    QString summary = tr("%1 finished")
                          .arg(record ? QString::fromStdString(record->name)
                                      : QString::fromStdString(m_session->currentConfig().model));
    for (const char* key : {"ndcg@10", "recall@10", "hit@10", "rmse"}) {
        auto it = outcome->test.metrics.find(key);
        if (it != outcome->test.metrics.end())
            summary +=
                QStringLiteral(" · %1 %2").arg(QLatin1String(key)).arg(it->second, 0, 'f', 4);
    }
    summary += tr(" · trained in %1 s").arg(outcome->trainSeconds, 0, 'f', 1);
    if (outcome->trainSamplesPerSecond > 0.0)
        summary += QStringLiteral(" · ") +
                   throughputText(1, 1.0 / outcome->trainSamplesPerSecond, outcome->epochSeconds);
    m_progress->setRange(0, 1000);
    m_progress->setValue(1000);
    showProgressText(summary);
    emit statusMessage(summary);
}

void TrainingView::onFailed(qint64 runId, const QString& message, bool cancelled) {
    m_monitor->stop();
    m_lastStallMs = m_monitor->longestStallMs();
    m_lastStallP99Ms = m_monitor->percentileStallMs(0.99);
    resetRunUi();
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    const RunRecord* record = runId ? m_workspace->run(runId) : nullptr;
    const QString name = record ? QString::fromStdString(record->name)
                                : QString::fromStdString(m_session->currentConfig().model);
    if (cancelled) {
        showProgressText(tr("%1 stopped").arg(name));
        emit statusMessage(tr("%1 stopped").arg(name));
    } else {
        showProgressText(tr("%1 failed").arg(name));
        emit errorOccurred(tr("Training %1 failed: %2").arg(name, message));
    }
}

void TrainingView::resetRunUi() {
    m_sawBatch = false;
    m_pauseClock.invalidate();
    setRunningUi(false);
}

void TrainingView::shutdown() {
    if (!isTraining())
        return;
    m_monitor->stop();
    m_session->shutdown(QStringLiteral("cancelled: the window was closed"));
    resetRunUi();
}

void TrainingView::saveSettings() const {
    m_setup->saveSettings();
}

void TrainingView::syncRun(qint64 runId) {
    const RunRecord* r = m_workspace->run(runId);
    if (!r)
        return;
    const QString name = QString::fromStdString(r->name);
    const QColor colour = TrainingRunsModel::colourFor(runId);
    const bool shown = m_runs->isShown(runId);
    m_loss->setRun(runId, name, colour);
    if (m_loss->rawPointCount(runId) == 0) {
        QVector<QPointF> losses;
        for (const EpochReport& e : r->epochs)
            losses << QPointF(e.epoch, e.trainLoss);
        m_loss->setEpochLosses(runId, losses);
    }
    m_loss->setRunVisible(runId, shown);
    m_metric->setRunEpochs(runId, name, colour, r->epochs);
    m_metric->setRunVisible(runId, shown);
}

void TrainingView::syncAllRuns() {
    m_loss->clearRuns();
    m_metric->clearRuns();
    for (const RunRecord& r : m_workspace->runs())
        syncRun(r.id);
}

void TrainingView::useSettingsOfSelectedRun() {
    const qint64 id = m_runs->runId(m_runList->currentIndex().row());
    const RunRecord* r = m_workspace->run(id);
    if (!r || isTraining())
        return;
    m_setup->applyConfig(r->config);
    emit statusMessage(tr("Settings of %1 loaded").arg(QString::fromStdString(r->name)));
}

void TrainingView::deleteSelectedRun() {
    const qint64 id = m_runs->runId(m_runList->currentIndex().row());
    if (id == 0 || id == currentRunId())
        return;
    m_workspace->deleteRun(id);
}

}  // namespace recscope::ui
