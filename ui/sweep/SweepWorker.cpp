#include "ui/sweep/SweepWorker.h"

#include <QElapsedTimer>
#include <exception>

#include "core/workspace/Workspace.h"

namespace recscope::ui {

SweepWorker::SweepWorker(QObject* parent) : QObject(parent) {}

void SweepWorker::run(const SweepRequest& request) {
    if (!request.dataset || !request.cancel) {
        emit failed(request.id, tr("internal error: incomplete sweep request"));
        return;
    }
    // A worker thread must never let an exception escape into Qt's event loop.
    try {
        Result<std::unique_ptr<Workspace>> ws =
            Workspace::open(request.workspaceFolder.toStdString());
        if (!ws) {
            emit failed(request.id, QString::fromStdString(ws.error().toString()));
            return;
        }
        const quint64 id = request.id;
        QElapsedTimer clock;
        clock.start();
        QString lastStage;
        SweepHooks hooks;
        hooks.cancel = request.cancel.get();
        hooks.sweepStarted = [&](int64_t sweepId) { emit sweepStarted(id, sweepId); };
        hooks.runStarted = [&](int trial, int trials, int64_t runId, const std::string& params) {
            emit runStarted(id, trial, trials, runId, QString::fromStdString(params));
        };
        hooks.runEnded = [&](int trial, int64_t runId) { emit runEnded(id, trial, runId); };
        hooks.trialSkipped = [&](int trial, int64_t runId) { emit trialSkipped(id, trial, runId); };
        hooks.progress = [&](const Progress& p) {
            const QString stage = QString::fromStdString(p.stage);
            if (stage == lastStage && clock.elapsed() < 100)
                return;
            lastStage = stage;
            clock.restart();
            emit progressed(id, stage, p.fraction);
        };
        const Result<SweepSummary> summary =
            request.resumeId > 0
                ? resumeSweep(*ws.value(), *request.dataset, request.resumeId, hooks)
                : runSweep(*ws.value(), *request.dataset, request.datasetName.toStdString(),
                           request.spec, request.name.toStdString(), hooks);
        if (!summary) {
            emit failed(id, QString::fromStdString(summary.error().toString()));
            return;
        }
        emit finished(id, summary.value());
    } catch (const std::exception& e) {
        emit failed(request.id, tr("internal error: %1").arg(QString::fromUtf8(e.what())));
    }
}

}  // namespace recscope::ui
