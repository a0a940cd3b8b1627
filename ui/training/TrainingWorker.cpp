#include "ui/training/TrainingWorker.h"

#include <QElapsedTimer>
#include <cmath>
#include <exception>

#include "core/models/Compute.h"

namespace recscope::ui {

namespace {

// Forwards the trainer's events as the worker's signals (called on the training thread).
class ForwardingObserver : public TrainObserver {
public:
    ForwardingObserver(TrainingWorker* worker, quint64 id, TrainingControl* control)
        : m_worker(worker), m_id(id), m_control(control) {
        m_clock.start();
    }

    void onBatch(int epoch, int64_t batch, int64_t batchesPerEpoch, double loss) override {
        const double x =
            (epoch - 1) + (batchesPerEpoch > 0 ? double(batch) / double(batchesPerEpoch) : 0.0);
        m_buffer.append(QPointF(x, loss));
        m_epoch = epoch;
        m_batch = batch;
        m_batchesPerEpoch = batchesPerEpoch;
        if (m_clock.elapsed() >= TrainingWorker::kBatchSignalIntervalMs || m_buffer.size() >= 4096)
            flush();
        if (m_control->isPaused()) {
            flush();  // the chart shows everything up to the pause
            m_control->waitWhilePaused();
            m_clock.restart();
        }
    }

    void onEpoch(const EpochReport& report) override {
        flush();
        emit m_worker->epochDone(m_id, report);
    }

    void onMessage(const std::string& text) override {
        emit m_worker->messaged(m_id, QString::fromStdString(text));
    }

    void flush() {
        m_clock.restart();
        if (m_buffer.isEmpty())
            return;
        emit m_worker->batchesDone(m_id, m_epoch, m_batch, m_batchesPerEpoch, m_buffer);
        m_buffer.clear();
    }

private:
    TrainingWorker* m_worker;
    quint64 m_id;
    TrainingControl* m_control;
    QElapsedTimer m_clock;
    QVector<QPointF> m_buffer;
    int m_epoch = 0;
    int64_t m_batch = 0;
    int64_t m_batchesPerEpoch = 0;
};

}  // namespace

TrainingWorker::TrainingWorker(QObject* parent) : QObject(parent) {}

void TrainingWorker::train(const TrainingRequest& request) {
    TrainingControl* control = request.control.get();
    if (!control || !request.dataset) {
        emit failed(request.id, tr("internal error: incomplete training request"), false);
        return;
    }
    // The core promises error values, but a worker thread must never let an exception escape
    // into Qt's event loop (that would abort the whole program).
    try {
        setComputeThreads(request.threads);  // on this thread, where the run computes
        emit identified(request.id,
                        datasetIdentity(*request.dataset, request.datasetName.toStdString()));
        if (control->isStopped()) {
            emit failed(request.id, QStringLiteral("cancelled"), true);
            return;
        }
        ForwardingObserver observer(this, request.id, control);
        QElapsedTimer progressClock;
        progressClock.start();
        QString lastStage;
        RunHooks hooks;
        hooks.observer = &observer;
        hooks.cancel = control->cancelToken();
        hooks.watchUsers = request.watchUsers;
        hooks.watchK = request.watchK;
        hooks.progress = [&](const Progress& p) {
            const QString stage = QString::fromStdString(p.stage);
            if (stage == lastStage && progressClock.elapsed() < kBatchSignalIntervalMs)
                return;
            lastStage = stage;
            progressClock.restart();
            emit progressed(request.id, stage, p.fraction);
        };
        Result<RunOutcome> result = runExperiment(*request.dataset, request.config, hooks);
        observer.flush();
        if (!result.ok()) {
            const bool cancelled = control->isStopped();
            emit failed(request.id,
                        cancelled ? QStringLiteral("cancelled")
                                  : QString::fromStdString(result.error().toString()),
                        cancelled);
            return;
        }
        emit finished(request.id, std::make_shared<RunOutcome>(std::move(result).value()));
    } catch (const std::exception& e) {
        emit failed(request.id, tr("internal error: %1").arg(QString::fromUtf8(e.what())), false);
    }
}

}  // namespace recscope::ui
