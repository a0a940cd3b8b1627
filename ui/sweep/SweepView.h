#pragma once
// The Sweeps tab, in the style of TensorBoard's HParams dashboard: the workspace's sweeps, a
// parallel-coordinates chart of parameters → validation metric, the metric against one
// parameter (log axis where the sweep used one), and the trials' table. A click on a line, a
// point or a row selects the trial; "Leaderboard" and "Inspect" open its run there (double-click
// a row: inspect). Charts export as PNG / SVG / PDF, the table as CSV / Markdown / LaTeX.
//
// New Sweep… opens a SweepDialog on the Train tab's configuration and runs the sweep on a
// worker thread (SweepWorker), one trial after the other, with progress and Cancel; Resume
// continues a cancelled or interrupted sweep without redoing finished trials. GUI thread only.

#include <QPointer>
#include <QWidget>
#include <functional>
#include <memory>

#include "core/common/Progress.h"
#include "core/export/TableExport.h"
#include "core/sweep/SweepSpec.h"
#include "ui/sweep/SweepDialog.h"  // QPointer needs the complete type
#include "ui/sweep/SweepWorker.h"

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;
class QThread;
class QToolButton;

namespace recscope::ui {

class DatasetSession;
class ParallelCoordinatesPlot;
class SweepScatterPlot;
class SweepTrialsModel;
class WorkspaceSession;

class SweepView : public QWidget {
    Q_OBJECT
public:
    // baseConfig: the configuration a new sweep varies (the Train tab's form).
    SweepView(DatasetSession* datasets, WorkspaceSession* workspace,
              std::function<RunConfig()> baseConfig, QWidget* parent = nullptr);
    ~SweepView() override;

    bool isRunning() const { return m_requestId != 0; }
    qint64 currentSweep() const;
    void showSweep(qint64 sweepId);
    // Starts a sweep (what the dialog's OK does). False, with errorOccurred, when it cannot.
    bool startSweep(const SweepSpec& spec, const QString& name = {});
    bool resumeSweep(qint64 sweepId);
    void cancel();
    // Cancels a sweep in flight and waits for its trial to stop (the window is closing).
    void shutdown();

    SweepTrialsModel* trialsModel() const { return m_model; }
    QTableView* table() const { return m_table; }
    ParallelCoordinatesPlot* parallelPlot() const { return m_parallel; }
    SweepScatterPlot* scatterPlot() const { return m_scatter; }
    QTabWidget* chartTabs() const { return m_charts; }
    qint64 selectedRun() const;  // the selected trial's run, 0 when none
    void selectRow(int row);     // row of trialsModel()
    // The dialog opened by the last New Sweep… (null when none or closed).
    SweepDialog* dialog() const { return m_dialog; }
    bool exportTable(TableFormat format, const QString& path, QString* error = nullptr) const;

public slots:
    void newSweepDialog();

signals:
    void showInLeaderboard(qint64 runId);
    void inspectRun(qint64 runId);
    void errorOccurred(const QString& message);
    void statusMessage(const QString& text);
    void sweepEnded(qint64 sweepId);  // finished, cancelled or failed
    void sweepRequested(const recscope::ui::SweepRequest& request);  // to the worker

private:
    void rebuildSweepList();
    void refreshResults();
    void updateButtons();
    bool submit(SweepRequest request);
    void onRunStarted(quint64 id, int trial, int trials, qint64 runId, const QString& params);
    void onRunEnded(quint64 id, int trial, qint64 runId);
    void onFinished(quint64 id, const recscope::SweepSummary& summary);
    void onFailed(quint64 id, const QString& message);
    void endRequest();
    QToolButton* makeTableExportButton();

    DatasetSession* m_datasets;
    WorkspaceSession* m_workspace;
    std::function<RunConfig()> m_baseConfig;
    QThread* m_thread;
    SweepWorker* m_worker;
    quint64 m_requestId = 0;
    quint64 m_nextRequestId = 1;
    qint64 m_runningSweep = 0;
    std::shared_ptr<CancelToken> m_cancel;

    QComboBox* m_sweeps;
    QPushButton* m_new;
    QPushButton* m_resume;
    QPushButton* m_cancelButton;
    QPushButton* m_delete;
    QProgressBar* m_progress;
    QLabel* m_status;
    QLabel* m_summary;
    QTabWidget* m_charts;
    ParallelCoordinatesPlot* m_parallel;
    SweepScatterPlot* m_scatter;
    SweepTrialsModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_table;
    QPushButton* m_toLeaderboard;
    QPushButton* m_inspect;
    QPointer<SweepDialog> m_dialog;
};

}  // namespace recscope::ui
