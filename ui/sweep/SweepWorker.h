#pragma once
// Runs a hyper-parameter sweep (core runSweep / resumeSweep) on a worker QThread, one trial
// after the other. Unlike TrainingWorker it records into the workspace itself, through its own
// Workspace connection opened on the worker thread: the sweep's bookkeeping (which trial has
// which run, resume) is the core's and the CLI's, so the GUI must run the very same code. SQLite
// serialises this connection's writes with the GUI's (as it does with a CLI process); the GUI
// re-reads each run when runStarted / runEnded arrive (WorkspaceSession::refreshRun).
//
// Cancel goes through the request's CancelToken (checked every batch by the running trial).

#include <QMetaType>
#include <QObject>
#include <QString>
#include <memory>

#include "core/common/Progress.h"
#include "core/data/Dataset.h"
#include "core/sweep/SweepRunner.h"

namespace recscope::ui {

struct SweepRequest {
    quint64 id = 0;           // echoed in every reply
    QString workspaceFolder;  // opened by the worker
    std::shared_ptr<const Dataset> dataset;
    QString datasetName;  // for the records: "ml-100k", "demo"
    SweepSpec spec;       // a new sweep (resumeId == 0)
    QString name;         // of a new sweep; empty = "sweep #ID"
    qint64 resumeId = 0;  // > 0: continue that sweep (spec ignored)
    std::shared_ptr<CancelToken> cancel;
};

class SweepWorker : public QObject {
    Q_OBJECT
public:
    explicit SweepWorker(QObject* parent = nullptr);

public slots:
    // Blocks this thread until the sweep ends: sweepStarted, then per run runStarted /
    // progressed... / runEnded (trial -1: the test run of the best), then finished or failed.
    void run(const recscope::ui::SweepRequest& request);

signals:
    void sweepStarted(quint64 id, qint64 sweepId);
    void runStarted(quint64 id, int trial, int trials, qint64 runId, const QString& params);
    void runEnded(quint64 id, int trial, qint64 runId);
    void trialSkipped(quint64 id, int trial, qint64 runId);
    void progressed(quint64 id, const QString& stage, double fraction);
    void finished(quint64 id, const recscope::SweepSummary& summary);
    void failed(quint64 id, const QString& message);
};

}  // namespace recscope::ui

Q_DECLARE_METATYPE(recscope::ui::SweepRequest)
Q_DECLARE_METATYPE(recscope::SweepSummary)
