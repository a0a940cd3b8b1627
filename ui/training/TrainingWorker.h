#pragma once
// Runs training experiments (core runExperiment) on a worker QThread. Lives on that thread
// (moveToThread); the owner (TrainingView) sends a TrainingRequest through a queued signal and
// gets every event back as a queued signal carrying value types and the request id.
//
// Batch losses are buffered and sent at most ~20 times a second (and at every epoch end), so a
// fast model cannot flood the GUI event queue. Stop and Pause go through the request's
// TrainingControl, not through this object's (busy) event loop. The worker never touches the
// workspace database: recording is the GUI thread's job.

#include <QObject>
#include <QPointF>
#include <QString>
#include <QVector>
#include <memory>

#include "core/models/Recommender.h"
#include "core/run/Experiment.h"
#include "core/workspace/Workspace.h"
#include "ui/training/TrainingRequest.h"

namespace recscope::ui {

class TrainingWorker : public QObject {
    Q_OBJECT
public:
    explicit TrainingWorker(QObject* parent = nullptr);

    // Minimum time between two batchesDone signals.
    static constexpr int kBatchSignalIntervalMs = 50;

public slots:
    // Blocks this worker's thread until the run ends. Emits identified first, then any number
    // of progressed / batchesDone / epochDone / messaged, then exactly one of finished / failed.
    void train(const recscope::ui::TrainingRequest& request);

signals:
    void identified(quint64 id, const recscope::DatasetIdentity& identity);
    // Coarse stage: "Splitting", "Training", "Evaluating"; fraction 0..1 or < 0 when unknown.
    void progressed(quint64 id, const QString& stage, double fraction);
    // Losses of the batches since the last signal: x = epochs done as a fraction (epoch 3,
    // batch 5 of 10 is 2.5), y = the batch's loss. `epoch`/`batch`/`batchesPerEpoch` are those
    // of the last batch (batch 1-based).
    void batchesDone(quint64 id, int epoch, qint64 batch, qint64 batchesPerEpoch,
                     const QVector<QPointF>& losses);
    void epochDone(quint64 id, const recscope::EpochReport& report);
    void messaged(quint64 id, const QString& text);
    // The trained model travels inside the outcome (RunOutcome::model).
    void finished(quint64 id, std::shared_ptr<recscope::RunOutcome> outcome);
    // `cancelled` is true when the run ended because of Stop.
    void failed(quint64 id, const QString& message, bool cancelled);
};

}  // namespace recscope::ui
