#pragma once
// The life of a GUI training run, in one place: it is started (a dataset and an open workspace
// are required), trains on a TrainingWorker in its own QThread, is recorded through
// WorkspaceSession (created once the worker has identified the dataset, one record per epoch,
// then finished, failed or cancelled), can be paused, resumed and stopped, and is recorded as
// cancelled when the window closes mid-run. The CLI's RunRecorder (app/cli) does the same for
// `recscope-cli run`. Views follow through the signals, which concern the current run only
// (late replies of a finished or abandoned run are dropped). GUI thread only.

#include <QMap>
#include <QObject>
#include <QPointF>
#include <QVector>
#include <memory>
#include <vector>

#include "core/models/Recommender.h"
#include "core/run/Experiment.h"
#include "core/workspace/Workspace.h"
#include "ui/training/TrainingRequest.h"

class QThread;

namespace recscope::ui {

class TrainingWorker;
class WorkspaceSession;

class TrainingSession : public QObject {
    Q_OBJECT
public:
    explicit TrainingSession(WorkspaceSession* workspace, QObject* parent = nullptr);
    // Ends a run in flight (recorded as cancelled) and waits for the worker thread.
    ~TrainingSession() override;

    // Starts a run of `config` on `dataset`. False, with errorOccurred emitted, when a run is
    // in flight, no dataset is open or no workspace is open to record it in.
    bool start(const RunConfig& config, std::shared_ptr<const Dataset> dataset,
               const QString& datasetName, std::vector<int32_t> watchUsers, int threads = 0);
    void pause();
    void resume();
    void stop();  // the run ends as cancelled at the worker's next check
    // Ends the run in flight at once, recorded as cancelled with `why`; later replies dropped.
    void shutdown(const QString& why);

    bool isTraining() const { return m_requestId != 0; }
    bool isPaused() const;
    bool isStopping() const;
    qint64 currentRunId() const { return m_runId; }  // 0 when idle or not yet recorded
    // The run in flight's configuration; the last run's once it has ended.
    const RunConfig& currentConfig() const { return m_config; }
    // The model a run of this session trained; null for failed runs and runs read from disk.
    std::shared_ptr<const Recommender> trainedModel(qint64 runId) const;
    void forgetModel(qint64 runId) { m_models.remove(runId); }
    // The time (ms) the last finished run's result took to record, on the GUI thread.
    double lastRecordMs() const { return m_lastRecordMs; }

signals:
    void started(const recscope::RunConfig& config);
    void recorded(qint64 runId);  // the workspace holds the run (status running)
    void progressed(const QString& stage, double fraction);
    void batchesDone(int epoch, qint64 batch, qint64 batchesPerEpoch,
                     const QVector<QPointF>& losses);
    void epochRecorded(const recscope::EpochReport& report);
    void messaged(const QString& text);
    // runId 0: the run could not be recorded. `outcome` keeps its metrics (the model moved
    // into the session).
    void finished(qint64 runId, std::shared_ptr<const recscope::RunOutcome> outcome);
    void failed(qint64 runId, const QString& message, bool cancelled);
    void runEnded(qint64 runId, recscope::RunStatus status);  // a recorded run's final status
    void errorOccurred(const QString& message);
    void trainRequested(const recscope::ui::TrainingRequest& request);  // to the worker

private:
    void onIdentified(quint64 id, const DatasetIdentity& identity);
    void onEpoch(quint64 id, const EpochReport& report);
    void onFinished(quint64 id, std::shared_ptr<RunOutcome> outcome);
    void onFailed(quint64 id, const QString& message, bool cancelled);
    void endRequest();

    WorkspaceSession* m_workspace;
    QThread* m_thread = nullptr;
    TrainingWorker* m_worker = nullptr;  // lives on m_thread

    quint64 m_nextRequestId = 1;
    quint64 m_requestId = 0;  // 0 = idle
    std::shared_ptr<TrainingControl> m_control;
    RunConfig m_config;
    qint64 m_runId = 0;
    double m_lastRecordMs = 0.0;
    QMap<qint64, std::shared_ptr<const Recommender>> m_models;
};

}  // namespace recscope::ui
