#include "ui/training/TrainingSession.h"

#include <QElapsedTimer>
#include <QThread>

#include "ui/session/WorkspaceSession.h"
#include "ui/training/TrainingWorker.h"

namespace recscope::ui {

TrainingSession::TrainingSession(WorkspaceSession* workspace, QObject* parent)
    : QObject(parent), m_workspace(workspace) {
    qRegisterMetaType<TrainingRequest>();
    qRegisterMetaType<DatasetIdentity>();
    qRegisterMetaType<EpochReport>();
    qRegisterMetaType<std::shared_ptr<RunOutcome>>();
    qRegisterMetaType<QVector<QPointF>>();

    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("TrainingThread"));
    m_worker = new TrainingWorker;
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(this, &TrainingSession::trainRequested, m_worker, &TrainingWorker::train);
    connect(m_worker, &TrainingWorker::identified, this, &TrainingSession::onIdentified);
    connect(m_worker, &TrainingWorker::progressed, this,
            [this](quint64 id, const QString& stage, double fraction) {
                if (id == m_requestId)
                    emit progressed(stage, fraction);
            });
    connect(m_worker, &TrainingWorker::batchesDone, this,
            [this](quint64 id, int epoch, qint64 batch, qint64 perEpoch,
                   const QVector<QPointF>& losses) {
                if (id == m_requestId && m_runId != 0)
                    emit batchesDone(epoch, batch, perEpoch, losses);
            });
    connect(m_worker, &TrainingWorker::epochDone, this, &TrainingSession::onEpoch);
    connect(m_worker, &TrainingWorker::messaged, this, [this](quint64 id, const QString& text) {
        if (id == m_requestId)
            emit messaged(text);
    });
    connect(m_worker, &TrainingWorker::finished, this, &TrainingSession::onFinished);
    connect(m_worker, &TrainingWorker::failed, this, &TrainingSession::onFailed);
    connect(m_workspace, &WorkspaceSession::runRemoved, this,
            [this](qint64 id) { m_models.remove(id); });
    m_thread->start();
}

TrainingSession::~TrainingSession() {
    shutdown(QStringLiteral("cancelled: the window was closed"));
    m_thread->quit();
    m_thread->wait();
}

bool TrainingSession::start(const RunConfig& config, std::shared_ptr<const Dataset> dataset,
                            const QString& datasetName, std::vector<int32_t> watchUsers,
                            int threads) {
    if (isTraining())
        return false;
    if (!dataset) {
        emit errorOccurred(
            tr("Open a dataset before training (File ▸ Open Demo Data, or a "
               "MovieLens folder or zip)."));
        return false;
    }
    if (!m_workspace->isOpen()) {
        emit errorOccurred(
            tr("No workspace is open, so the run could not be recorded. Open one "
               "with File ▸ Open Workspace."));
        return false;
    }
    TrainingRequest request;
    request.id = m_nextRequestId++;
    request.config = config;
    request.dataset = std::move(dataset);
    request.datasetName = datasetName;
    request.control = std::make_shared<TrainingControl>();
    request.watchUsers = std::move(watchUsers);
    request.threads = threads;
    m_requestId = request.id;
    m_control = request.control;
    m_config = config;
    m_runId = 0;
    emit started(m_config);
    emit trainRequested(request);
    return true;
}

bool TrainingSession::isPaused() const {
    return m_control && m_control->isPaused();
}

bool TrainingSession::isStopping() const {
    return m_control && m_control->isStopped();
}

void TrainingSession::pause() {
    if (isTraining() && m_control)
        m_control->pause();
}

void TrainingSession::resume() {
    if (isTraining() && m_control)
        m_control->resume();
}

void TrainingSession::stop() {
    if (isTraining() && m_control)
        m_control->stop();
}

std::shared_ptr<const Recommender> TrainingSession::trainedModel(qint64 runId) const {
    return m_models.value(runId);
}

void TrainingSession::onIdentified(quint64 id, const DatasetIdentity& identity) {
    if (id != m_requestId)
        return;
    RunRecord record;
    record.config = m_config;
    record.dataset = identity;
    m_runId = m_workspace->startRun(record);
    if (m_runId == 0)
        m_control->stop();  // cannot be recorded: the workspace session already said why
    else
        emit recorded(m_runId);
}

void TrainingSession::onEpoch(quint64 id, const EpochReport& report) {
    if (id != m_requestId || m_runId == 0)
        return;
    m_workspace->addEpoch(m_runId, report);  // the charts follow through runChanged
    emit epochRecorded(report);
}

void TrainingSession::onFinished(quint64 id, std::shared_ptr<RunOutcome> outcome) {
    if (id != m_requestId)
        return;
    const qint64 runId = m_runId;
    endRequest();
    bool recorded = false;
    if (runId != 0) {
        QElapsedTimer recording;
        recording.start();
        recorded = m_workspace->finishRun(runId, *outcome);
        m_lastRecordMs = recording.nsecsElapsed() / 1e6;
        m_models.insert(runId, std::shared_ptr<const Recommender>(std::move(outcome->model)));
    }
    emit finished(runId, outcome);
    if (recorded)
        emit runEnded(runId, RunStatus::Finished);
}

void TrainingSession::onFailed(quint64 id, const QString& message, bool cancelled) {
    if (id != m_requestId)
        return;
    const qint64 runId = m_runId;
    endRequest();
    const RunStatus status = cancelled ? RunStatus::Cancelled : RunStatus::Failed;
    if (runId != 0)
        m_workspace->endRun(runId, status, cancelled ? QStringLiteral("cancelled") : message);
    emit failed(runId, message, cancelled);
    if (runId != 0)
        emit runEnded(runId, status);
}

void TrainingSession::shutdown(const QString& why) {
    if (!isTraining())
        return;
    m_control->stop();
    const qint64 runId = m_runId;
    endRequest();  // late replies of the worker are dropped from here on
    if (runId != 0)
        m_workspace->endRun(runId, RunStatus::Cancelled, why);
}

void TrainingSession::endRequest() {
    m_requestId = 0;
    m_runId = 0;
    m_control.reset();
}

}  // namespace recscope::ui
