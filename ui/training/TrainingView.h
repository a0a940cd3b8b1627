#pragma once
// The Train tab: set up a run (TrainingSetup), Start / Pause / Stop it, follow it live (progress
// with epoch, batch and ETA; loss per batch; validation metrics per epoch) and overlay past runs
// of the workspace (runs list with a check box per run; legend clicks toggle too).
//
// How a run is started, recorded, paused, cancelled and failed is TrainingSession's; this view
// sets runs up and shows them. Errors (bad parameter, NaN loss, a device that is not there)
// are emitted as errorOccurred for the window's banner and recorded as a failed run; the view
// stays usable. An EventLoopMonitor measures the GUI thread's longest stall while a run
// trains. GUI thread only.

#include <QElapsedTimer>
#include <QMap>
#include <QWidget>
#include <memory>

#include "core/models/Recommender.h"
#include "core/run/Experiment.h"
#include "core/workspace/Workspace.h"
#include "ui/training/TrainingRequest.h"

class QAction;
class QLabel;
class QListView;
class QProgressBar;

namespace recscope::ui {

class DatasetSession;
class EventLoopMonitor;
class LossChart;
class MetricChart;
class ParamForm;
class TrainingRunsModel;
class TrainingSession;
class TrainingSetup;
class WatchListPanel;
class WorkspaceSession;

class TrainingView : public QWidget {
    Q_OBJECT
public:
    TrainingView(DatasetSession* datasets, WorkspaceSession* workspace, QWidget* parent = nullptr);
    // Stops a run in flight (recorded as cancelled) and waits for the worker thread.
    ~TrainingView() override;

    // Actions for menus and shortcuts (Ctrl+R, Ctrl+Shift+P... set by the window).
    QAction* startAction() const { return m_start; }
    QAction* pauseAction() const { return m_pause; }
    QAction* stopAction() const { return m_stop; }

    TrainingSession* session() const { return m_session; }
    bool isTraining() const;
    bool isPaused() const;
    qint64 currentRunId() const;  // 0 when idle or not yet recorded

    TrainingSetup* setup() const { return m_setup; }
    ParamForm* paramForm() const;
    LossChart* lossChart() const { return m_loss; }
    MetricChart* metricChart() const { return m_metric; }
    TrainingRunsModel* runsModel() const { return m_runs; }
    WatchListPanel* watchList() const { return m_watch; }
    // Pins users (MovieLens ids) whose top-10 is shown after every epoch of the next runs.
    void setWatchedUsers(const QVector<int>& users);

    // The model a run of this session trained; null for failed runs and runs read from disk.
    std::shared_ptr<const Recommender> trainedModel(qint64 runId) const;

    // Longest GUI event-loop stall (ms) while the last run trained, and the time (ms) its
    // result took to record (checkpoint, metrics and per-user rows, on the GUI thread).
    double lastLongestStallMs() const { return m_lastStallMs; }
    // The 99th percentile of the event loop's tick lateness (ms) while the last run trained.
    double lastStallP99Ms() const { return m_lastStallP99Ms; }
    double lastRecordMs() const;

    // Stops the run in flight and waits for the worker; the run is recorded as cancelled.
    void shutdown();
    void saveSettings() const;

public slots:
    void start();
    void togglePause();
    void stop();

signals:
    void errorOccurred(const QString& message);
    void statusMessage(const QString& text);
    void runEnded(qint64 runId, recscope::RunStatus status);

private:
    void buildUi();
    void setRunningUi(bool running);
    void updateDatasetLabel();
    void showProgressText(const QString& text);

    void onRecorded(qint64 runId);
    void onProgressed(const QString& stage, double fraction);
    void onBatches(int epoch, qint64 batch, qint64 batchesPerEpoch, const QVector<QPointF>& losses);
    void onEpoch(const EpochReport& report);
    // "12,345 samples/s · 2.1 s/epoch"; empty when the model counts no samples.
    static QString throughputText(qint64 samples, double batchSeconds, double epochSeconds);
    void onFinished(qint64 runId, std::shared_ptr<const RunOutcome> outcome);
    void onFailed(qint64 runId, const QString& message, bool cancelled);
    void resetRunUi();

    void syncRun(qint64 runId);
    void syncAllRuns();
    void useSettingsOfSelectedRun();
    void deleteSelectedRun();

    DatasetSession* m_datasets;
    WorkspaceSession* m_workspace;
    TrainingSetup* m_setup = nullptr;
    LossChart* m_loss = nullptr;
    MetricChart* m_metric = nullptr;
    TrainingRunsModel* m_runs = nullptr;
    WatchListPanel* m_watch = nullptr;
    QListView* m_runList = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_progressLabel = nullptr;
    QAction* m_start = nullptr;
    QAction* m_pause = nullptr;
    QAction* m_stop = nullptr;
    EventLoopMonitor* m_monitor = nullptr;

    TrainingSession* m_session = nullptr;

    // What the run in flight shows.
    int m_plannedEpochs = 0;
    bool m_sawBatch = false;
    QElapsedTimer m_clock;       // since the first batch
    QElapsedTimer m_pauseClock;  // since Pause
    qint64 m_pausedMs = 0;
    QString m_throughput;  // "12,345 samples/s · 2.1 s/epoch" after the last epoch, or empty

    double m_lastStallMs = 0.0;
    double m_lastStallP99Ms = 0.0;
};

}  // namespace recscope::ui
