#include "ui/sweep/SweepView.h"

#include <qcustomplot.h>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QThread>
#include <QToolButton>
#include <QVBoxLayout>
#include <cmath>
#include <map>

#include "core/sweep/SweepResults.h"
#include "ui/widgets/ChartExport.h"
#include "ui/session/DatasetSession.h"
#include "ui/sweep/ParallelCoordinatesPlot.h"
#include "ui/sweep/SweepDialog.h"
#include "ui/sweep/SweepScatterPlot.h"
#include "ui/sweep/SweepTrialsModel.h"
#include "ui/session/WorkspaceSession.h"

namespace recscope::ui {

namespace {

QString sweepLabel(const SweepRecord& s) {
    const Result<SweepSpec> spec = sweepSpecOf(s);
    const QString model = spec ? QString::fromStdString(spec->base.model) : QStringLiteral("?");
    return SweepView::tr("%1 — %2 on %3, %n trial(s), %4", nullptr, int(s.trials.size()))
        .arg(QString::fromStdString(s.name), model, QString::fromStdString(s.dataset.name),
             QString::fromStdString(runStatusName(s.status)));
}

}  // namespace

SweepView::SweepView(DatasetSession* datasets, WorkspaceSession* workspace,
                     std::function<RunConfig()> baseConfig, QWidget* parent)
    : QWidget(parent),
      m_datasets(datasets),
      m_workspace(workspace),
      m_baseConfig(std::move(baseConfig)),
      m_thread(new QThread(this)),
      m_worker(new SweepWorker) {
    setObjectName(QStringLiteral("sweepView"));
    qRegisterMetaType<SweepRequest>();
    qRegisterMetaType<SweepSummary>();

    m_sweeps = new QComboBox;
    m_sweeps->setObjectName(QStringLiteral("sweepChooser"));
    m_sweeps->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_new = new QPushButton(tr("New Sweep…"));
    m_new->setObjectName(QStringLiteral("sweepNew"));
    m_new->setToolTip(tr("Vary the Train tab's model over a grid or random draws"));
    m_resume = new QPushButton(tr("Resume"));
    m_resume->setObjectName(QStringLiteral("sweepResume"));
    m_resume->setToolTip(tr("Continue this sweep: finished trials are kept, the rest trained"));
    m_cancelButton = new QPushButton(tr("Cancel"));
    m_cancelButton->setObjectName(QStringLiteral("sweepCancel"));
    m_delete = new QPushButton(tr("Delete"));
    m_delete->setObjectName(QStringLiteral("sweepDelete"));
    m_delete->setToolTip(tr("Forget this sweep's grouping (its runs stay on the leaderboard)"));
    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("sweepProgress"));
    m_progress->setMaximumWidth(200);
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("sweepStatus"));
    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Sweep:")));
    bar->addWidget(m_sweeps);
    bar->addWidget(m_new);
    bar->addWidget(m_resume);
    bar->addWidget(m_cancelButton);
    bar->addWidget(m_delete);
    bar->addStretch(1);
    bar->addWidget(m_status);
    bar->addWidget(m_progress);

    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("sweepSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_parallel = new ParallelCoordinatesPlot;
    m_scatter = new SweepScatterPlot;
    const auto exportFailed = [this](const QString& error) {
        emit errorOccurred(tr("Could not export the chart: %1").arg(error));
    };
    const auto chartPage = [&](QWidget* chart, QCustomPlot* plot, const QString& prefix,
                               const QString& baseName) {
        return ChartExport::withExportButton(chart, plot, prefix, baseName, exportFailed);
    };
    m_charts = new QTabWidget;
    m_charts->setObjectName(QStringLiteral("sweepCharts"));
    m_charts->addTab(
        chartPage(m_parallel, m_parallel->plot(), QStringLiteral("sweepParallelExport"),
                  QStringLiteral("sweep-parallel")),
        tr("Parallel coordinates"));
    m_charts->addTab(chartPage(m_scatter, m_scatter->plot(), QStringLiteral("sweepScatterExport"),
                               QStringLiteral("sweep-scatter")),
                     tr("Metric vs parameter"));

    m_model = new SweepTrialsModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(SweepTrialsModel::SortRole);
    m_table = new QTableView;
    m_table->setObjectName(QStringLiteral("sweepTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(0, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_toLeaderboard = new QPushButton(tr("Show in Leaderboard"));
    m_toLeaderboard->setObjectName(QStringLiteral("sweepToLeaderboard"));
    m_inspect = new QPushButton(tr("Inspect"));
    m_inspect->setObjectName(QStringLiteral("sweepInspect"));
    auto* tableTools = new QHBoxLayout;
    tableTools->addWidget(m_toLeaderboard);
    tableTools->addWidget(m_inspect);
    tableTools->addStretch(1);
    tableTools->addWidget(makeTableExportButton());
    auto* tablePage = new QWidget;
    auto* tableLayout = new QVBoxLayout(tablePage);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    tableLayout->addLayout(tableTools);
    tableLayout->addWidget(m_table, 1);

    auto* split = new QSplitter(Qt::Vertical);
    split->setObjectName(QStringLiteral("sweepSplitter"));
    split->setChildrenCollapsible(false);
    split->addWidget(m_charts);
    split->addWidget(tablePage);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_summary);
    layout->addWidget(split, 1);

    connect(m_sweeps, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        refreshResults();
        updateButtons();
    });
    connect(m_new, &QPushButton::clicked, this, &SweepView::newSweepDialog);
    connect(m_resume, &QPushButton::clicked, this, [this] { resumeSweep(currentSweep()); });
    connect(m_cancelButton, &QPushButton::clicked, this, &SweepView::cancel);
    connect(m_delete, &QPushButton::clicked, this, [this] {
        if (!isRunning() || currentSweep() != m_runningSweep)
            m_workspace->deleteSweep(currentSweep());
    });
    connect(m_parallel, &ParallelCoordinatesPlot::rowClicked, this, &SweepView::selectRow);
    connect(m_scatter, &SweepScatterPlot::rowClicked, this, &SweepView::selectRow);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        const QModelIndexList rows = m_table->selectionModel()->selectedRows();
        const int row = rows.isEmpty() ? -1 : m_proxy->mapToSource(rows.front()).row();
        m_parallel->setSelectedRow(row);
        m_scatter->setSelectedRow(row);
        updateButtons();
    });
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        const qint64 run = index.data(SweepTrialsModel::RunIdRole).toLongLong();
        if (run > 0)
            emit inspectRun(run);
    });
    connect(m_toLeaderboard, &QPushButton::clicked, this, [this] {
        if (selectedRun() > 0)
            emit showInLeaderboard(selectedRun());
    });
    connect(m_inspect, &QPushButton::clicked, this, [this] {
        if (selectedRun() > 0)
            emit inspectRun(selectedRun());
    });

    m_worker->moveToThread(m_thread);
    m_thread->setObjectName(QStringLiteral("SweepThread"));
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(this, &SweepView::sweepRequested, m_worker, &SweepWorker::run);
    connect(m_worker, &SweepWorker::sweepStarted, this, [this](quint64 id, qint64 sweepId) {
        if (id != m_requestId)
            return;
        m_runningSweep = sweepId;
        m_workspace->refreshSweeps();
        showSweep(sweepId);
    });
    connect(m_worker, &SweepWorker::runStarted, this, &SweepView::onRunStarted);
    connect(m_worker, &SweepWorker::runEnded, this, &SweepView::onRunEnded);
    connect(m_worker, &SweepWorker::progressed, this,
            [this](quint64 id, const QString& stage, double) {
                if (id == m_requestId)
                    emit statusMessage(tr("Sweep: %1 — %2").arg(m_status->text(), stage));
            });
    connect(m_worker, &SweepWorker::finished, this, &SweepView::onFinished);
    connect(m_worker, &SweepWorker::failed, this, &SweepView::onFailed);
    m_thread->start();

    connect(m_workspace, &WorkspaceSession::sweepsChanged, this, &SweepView::rebuildSweepList);
    connect(m_workspace, &WorkspaceSession::workspaceOpened, this, &SweepView::rebuildSweepList);
    connect(m_workspace, &WorkspaceSession::runChanged, this, [this](qint64 id) {
        if (m_model->rowOfRun(id) >= 0)
            refreshResults();
    });
    connect(m_workspace, &WorkspaceSession::runRemoved, this, [this] { refreshResults(); });
    rebuildSweepList();
}

SweepView::~SweepView() {
    shutdown();
    m_thread->quit();
    m_thread->wait();
}

QToolButton* SweepView::makeTableExportButton() {
    auto* button = new QToolButton(this);
    button->setObjectName(QStringLiteral("sweepTableExport"));
    button->setText(tr("Export Table"));
    button->setPopupMode(QToolButton::InstantPopup);
    button->setAutoRaise(true);
    auto* menu = new QMenu(button);
    for (const TableFormatInfo& f : tableFormats()) {
        const QString suffix = QString::fromStdString(f.extension);
        const QString label = QString::fromStdString(f.label);
        QAction* action = menu->addAction(label + QStringLiteral("…"));
        action->setObjectName(QStringLiteral("sweepTableExport_") + suffix);
        const TableFormat format = f.format;
        const QString filter = tr("%1 files (*.%2)").arg(label, suffix);
        connect(action, &QAction::triggered, this, [this, format, suffix, filter] {
            const QString path = ChartExport::askSavePath(this, tr("Export Sweep Table"),
                                                          QStringLiteral("sweep"), suffix, filter);
            if (path.isEmpty())
                return;
            QString error;
            if (!exportTable(format, path, &error))
                emit errorOccurred(error);
        });
    }
    button->setMenu(menu);
    return button;
}

bool SweepView::exportTable(TableFormat format, const QString& path, QString* error) const {
    Table table = m_model->table();
    table.caption = m_model->results().record.name;
    if (Status s = writeTable(table, format, path.toStdString()); !s) {
        if (error)
            *error = tr("Could not export the table: %1")
                         .arg(QString::fromStdString(s.error().toString()));
        return false;
    }
    return true;
}

qint64 SweepView::currentSweep() const {
    return m_sweeps->currentData().toLongLong();
}

void SweepView::showSweep(qint64 sweepId) {
    const int index = m_sweeps->findData(QVariant::fromValue<qint64>(sweepId));
    if (index >= 0 && index != m_sweeps->currentIndex())
        m_sweeps->setCurrentIndex(index);
    else
        refreshResults();
}

void SweepView::rebuildSweepList() {
    const qint64 keep = m_runningSweep ? m_runningSweep : currentSweep();
    {
        const QSignalBlocker blocker(m_sweeps);
        m_sweeps->clear();
        for (const SweepRecord& s : m_workspace->sweeps())
            m_sweeps->addItem(sweepLabel(s), QVariant::fromValue<qint64>(s.id));
        const int index = m_sweeps->findData(QVariant::fromValue<qint64>(keep));
        m_sweeps->setCurrentIndex(index >= 0 ? index : m_sweeps->count() - 1);
    }
    refreshResults();
    updateButtons();
}

void SweepView::refreshResults() {
    const SweepRecord* record = m_workspace->sweep(currentSweep());
    const qint64 selected = selectedRun();
    SweepResults results;
    if (record) {
        Result<SweepResults> r =
            collectSweepResults(*record, [this](int64_t id) { return m_workspace->run(id); });
        if (r)
            results = std::move(r).value();
        else
            emit errorOccurred(QString::fromStdString(r.error().toString()));
    }
    QStringList lines;
    if (record && results.bestRow >= 0) {
        const SweepRow& best = results.rows[size_t(results.bestRow)];
        lines << tr("Chosen on validation: trial %1 (%2), %3 = %4.")
                     .arg(best.trial + 1)
                     .arg(QString::fromStdString(sweepParamsText(best.params)),
                          QString::fromStdString(results.spec.metric))
                     .arg(best.value, 0, 'f', 4);
        if (const RunRecord* test = results.testRun) {
            QStringList metrics;
            for (const char* m : {"recall@10", "ndcg@10", "hit@10"})
                if (const auto it = test->metrics.find(m); it != test->metrics.end())
                    metrics
                        << QStringLiteral("%1 %2").arg(QLatin1String(m)).arg(it->second, 0, 'f', 4);
            lines << tr("Evaluated once on the test part as run #%1 “%2”: %3")
                         .arg(test->id)
                         .arg(QString::fromStdString(test->name),
                              test->status == RunStatus::Finished
                                  ? metrics.join(QStringLiteral(", "))
                                  : QString::fromStdString(runStatusName(test->status)));
        }
    } else if (record) {
        lines << (record->message.empty() ? tr("No trial has finished yet.")
                                          : QString::fromStdString(record->message));
    } else {
        lines << tr(
            "No sweep in this workspace. New Sweep… varies the Train tab's model over a "
            "grid or random draws (or run recscope-cli sweep).");
    }
    m_summary->setText(lines.join(QLatin1Char('\n')));
    m_model->setResults(results);
    m_parallel->setResults(results);
    m_scatter->setResults(results);
    m_table->resizeColumnsToContents();
    const int row = m_model->rowOfRun(selected);
    if (row >= 0)
        selectRow(row);
    updateButtons();
}

void SweepView::selectRow(int row) {
    if (row < 0 || row >= m_model->rowCount()) {
        m_table->clearSelection();
        return;
    }
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    m_table->selectRow(index.row());
    m_table->scrollTo(index);
}

qint64 SweepView::selectedRun() const {
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? 0 : rows.front().data(SweepTrialsModel::RunIdRole).toLongLong();
}

void SweepView::updateButtons() {
    const SweepRecord* record = m_workspace->sweep(currentSweep());
    const bool running = isRunning();
    const bool resumable =
        record && (record->status == RunStatus::Cancelled ||
                   record->status == RunStatus::Interrupted || record->status == RunStatus::Failed);
    m_new->setEnabled(!running);
    m_resume->setEnabled(!running && resumable);
    m_cancelButton->setEnabled(running);
    m_delete->setEnabled(record && !(running && record->id == m_runningSweep));
    m_progress->setVisible(running);
    const bool hasRun = selectedRun() > 0;
    m_toLeaderboard->setEnabled(hasRun);
    m_inspect->setEnabled(hasRun);
}

void SweepView::newSweepDialog() {
    if (isRunning())
        return;
    if (!m_datasets->dataset()) {
        emit errorOccurred(tr("Open a dataset before starting a sweep."));
        return;
    }
    auto* dialog = new SweepDialog(m_baseConfig(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_dialog = dialog;
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const Result<SweepSpec> spec = dialog->spec();
        if (spec)
            startSweep(spec.value(), dialog->name());
    });
    dialog->open();
}

bool SweepView::startSweep(const SweepSpec& spec, const QString& name) {
    SweepRequest request;
    request.spec = spec;
    request.spec.base.dataset = m_datasets->recordPath().toStdString();
    request.name = name;
    return submit(std::move(request));
}

bool SweepView::resumeSweep(qint64 sweepId) {
    if (sweepId <= 0)
        return false;
    SweepRequest request;
    request.resumeId = sweepId;
    return submit(std::move(request));
}

bool SweepView::submit(SweepRequest request) {
    if (isRunning())
        return false;
    if (!m_datasets->dataset()) {
        emit errorOccurred(tr("Open a dataset before starting a sweep."));
        return false;
    }
    if (!m_workspace->isOpen()) {
        emit errorOccurred(tr("No workspace is open to record the sweep."));
        return false;
    }
    request.id = m_nextRequestId++;
    request.workspaceFolder = m_workspace->folder();
    request.dataset = m_datasets->dataset();
    request.datasetName = m_datasets->recordName();
    m_cancel = std::make_shared<CancelToken>();
    request.cancel = m_cancel;
    m_requestId = request.id;
    m_runningSweep = request.resumeId;
    m_progress->setRange(0, 0);
    m_status->setText(tr("Starting…"));
    updateButtons();
    emit sweepRequested(request);
    return true;
}

void SweepView::onRunStarted(quint64 id, int trial, int trials, qint64 runId,
                             const QString& params) {
    if (id != m_requestId)
        return;
    m_workspace->refreshRun(runId);
    m_workspace->refreshSweeps();
    if (trial >= 0) {
        m_progress->setRange(0, trials);
        m_progress->setValue(trial);
        m_status->setText(tr("Trial %1/%2 (%3)").arg(trial + 1).arg(trials).arg(params));
    } else {
        m_progress->setValue(m_progress->maximum());
        m_status->setText(tr("Best configuration on the test part (%1)").arg(params));
    }
}

void SweepView::onRunEnded(quint64 id, int, qint64 runId) {
    if (id != m_requestId)
        return;
    m_workspace->refreshRun(runId);
    m_workspace->refreshSweeps();
}

void SweepView::onFinished(quint64 id, const SweepSummary& summary) {
    if (id != m_requestId)
        return;
    endRequest();
    m_workspace->refreshSweeps();
    m_status->setText(summary.cancelled ? tr("Cancelled") : tr("Done"));
    emit statusMessage(summary.cancelled
                           ? tr("Sweep %1 cancelled; Resume continues it.").arg(summary.sweepId)
                           : tr("Sweep %1 finished: %2 trained, %3 kept from before.")
                                 .arg(summary.sweepId)
                                 .arg(summary.trained)
                                 .arg(summary.skipped));
    showSweep(summary.sweepId);
    emit sweepEnded(summary.sweepId);
}

void SweepView::onFailed(quint64 id, const QString& message) {
    if (id != m_requestId)
        return;
    const qint64 sweep = m_runningSweep;
    endRequest();
    m_workspace->refreshSweeps();
    m_status->setText(tr("Failed"));
    emit errorOccurred(tr("The sweep failed: %1").arg(message));
    emit sweepEnded(sweep);
}

void SweepView::endRequest() {
    m_requestId = 0;
    m_runningSweep = 0;
    m_cancel.reset();
    updateButtons();
}

void SweepView::cancel() {
    if (m_cancel)
        m_cancel->cancel();
}

void SweepView::shutdown() {
    if (!isRunning())
        return;
    cancel();
    // The worker records the cancelled trial and the sweep itself; wait for it to get there.
    m_thread->quit();
    m_thread->wait();
    endRequest();
}

}  // namespace recscope::ui
