#include "ui/session/DatasetLoadWorker.h"

#include <QElapsedTimer>
#include <cmath>
#include <exception>

#include "core/data/DatasetLoader.h"
#include "core/data/SyntheticGenerator.h"

namespace recscope::ui {

namespace {

// Emits at most ~20 progress signals per second, plus every change of stage.
class ProgressThrottle {
public:
    ProgressThrottle(DatasetLoadWorker* worker, quint64 id) : m_worker(worker), m_id(id) {
        m_clock.start();
    }

    void operator()(const Progress& progress) {
        const QString stage = QString::fromStdString(progress.stage);
        const bool stageChanged = stage != m_lastStage;
        if (!stageChanged && m_clock.elapsed() < 50 &&
            std::abs(progress.fraction - m_lastFraction) < 0.1)
            return;
        m_clock.restart();
        m_lastStage = stage;
        m_lastFraction = progress.fraction;
        emit m_worker->progressed(m_id, stage, progress.fraction);
    }

private:
    DatasetLoadWorker* m_worker;
    quint64 m_id;
    QElapsedTimer m_clock;
    QString m_lastStage;
    double m_lastFraction = -2;
};

}  // namespace

DatasetLoadWorker::DatasetLoadWorker(QObject* parent) : QObject(parent) {}

void DatasetLoadWorker::load(const DatasetLoadRequest& request) {
    const CancelToken* cancel = request.cancel.get();
    // A request superseded while it waited in the queue never starts.
    if (isCancelled(cancel)) {
        emit failed(request.id, cancelledError());
        return;
    }
    auto throttle = std::make_shared<ProgressThrottle>(this, request.id);
    const ProgressFn progress = [throttle](const Progress& p) { (*throttle)(p); };

    // The core promises error values, but a worker thread must never let an exception escape
    // into Qt's event loop (that would abort the whole program).
    try {
        Result<Dataset> result = makeError("unknown request");
        switch (request.kind) {
            case DatasetLoadRequest::Kind::Path:
                report(progress, "Opening " + request.path.toStdString(), -1);
                result = loadDataset(request.path.toStdString(), LoadOptions{}, progress, cancel);
                break;
            case DatasetLoadRequest::Kind::Demo:
                // demoDataset() is defined as the default config; calling the generator
                // directly adds progress and cancellation (tests compare with demoDataset()).
                result = generateSynthetic(SyntheticConfig{}, progress, cancel);
                break;
            case DatasetLoadRequest::Kind::Synthetic:
                result = generateSynthetic(request.synthetic, progress, cancel);
                break;
        }
        if (!result.ok()) {
            emit failed(request.id, isCancelled(cancel) ? cancelledError() : result.error());
            return;
        }
        if (isCancelled(cancel)) {
            emit failed(request.id, cancelledError());
            return;
        }
        report(progress, "Summarising", -1);
        auto dataset = std::make_shared<const Dataset>(std::move(result).value());
        DatasetSummary summary = DatasetSummary::compute(*dataset);
        emit loaded(request.id, std::move(dataset), summary);
    } catch (const std::exception& e) {
        emit failed(request.id, makeError(std::string("internal error: ") + e.what(),
                                          request.path.toStdString()));
    }
}

}  // namespace recscope::ui
