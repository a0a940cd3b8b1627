#include "ui/session/DatasetSession.h"

#include <QFileInfo>
#include <QThread>

#include "ui/session/DatasetLoadWorker.h"

namespace recscope::ui {

DatasetSession::DatasetSession(QObject* parent) : QObject(parent) {
    qRegisterMetaType<DatasetLoadRequest>();
    qRegisterMetaType<DatasetSummary>();
    qRegisterMetaType<Error>();
    qRegisterMetaType<std::shared_ptr<const Dataset>>();

    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("DatasetLoadThread"));
    m_worker = new DatasetLoadWorker;
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(this, &DatasetSession::loadRequested, m_worker, &DatasetLoadWorker::load);
    connect(m_worker, &DatasetLoadWorker::progressed, this, &DatasetSession::onProgressed);
    connect(m_worker, &DatasetLoadWorker::loaded, this, &DatasetSession::onLoaded);
    connect(m_worker, &DatasetLoadWorker::failed, this, &DatasetSession::onFailed);
    m_thread->start();
}

DatasetSession::~DatasetSession() {
    if (m_cancel)
        m_cancel->cancel();
    m_thread->quit();
    m_thread->wait();
}

void DatasetSession::openPath(const QString& path) {
    DatasetLoadRequest request;
    request.kind = DatasetLoadRequest::Kind::Path;
    request.path = path;
    m_loadingPath = path;
    start(std::move(request), path);
}

void DatasetSession::openDemo() {
    DatasetLoadRequest request;
    request.kind = DatasetLoadRequest::Kind::Demo;
    m_loadingPath.clear();
    start(std::move(request), tr("Demo data"));
}

void DatasetSession::openSynthetic(const SyntheticConfig& config, const QString& label) {
    DatasetLoadRequest request;
    request.kind = DatasetLoadRequest::Kind::Synthetic;
    request.synthetic = config;
    m_loadingPath.clear();
    start(std::move(request), label);
}

void DatasetSession::cancel() {
    if (!isLoading())
        return;
    m_cancel->cancel();
    // Announce at once rather than when the worker notices: the window should react to the
    // click even if the parser only polls the token between chunks. The late reply is dropped.
    m_failedLabel = m_loadingLabel;
    m_loadingId = 0;
    m_cancel.reset();
    emit changed(Change::LoadCancelled);
}

void DatasetSession::start(DatasetLoadRequest request, const QString& label) {
    if (m_cancel)
        m_cancel->cancel();  // superseded
    m_cancel = std::make_shared<CancelToken>();
    request.id = m_nextId++;
    request.cancel = m_cancel;
    m_loadingId = request.id;
    m_loadingLabel = label;
    m_stage.clear();
    m_fraction = -1;
    m_lastError.reset();
    emit changed(Change::LoadStarted);
    emit loadRequested(request);
}

void DatasetSession::onProgressed(quint64 id, const QString& stage, double fraction) {
    if (id != m_loadingId)
        return;
    m_stage = stage;
    m_fraction = fraction;
    emit changed(Change::LoadProgressed);
}

void DatasetSession::onLoaded(quint64 id, std::shared_ptr<const Dataset> dataset,
                              const DatasetSummary& summary) {
    if (id != m_loadingId)
        return;
    m_loadingId = 0;
    m_cancel.reset();
    m_dataset = std::move(dataset);
    m_summary = summary;
    m_sourceLabel = m_loadingLabel;
    m_sourcePath = m_loadingPath;
    emit changed(Change::DatasetReplaced);
}

void DatasetSession::onFailed(quint64 id, const Error& error) {
    if (id != m_loadingId)
        return;
    m_loadingId = 0;
    m_cancel.reset();
    m_failedLabel = m_loadingLabel;
    m_lastError = error;
    emit changed(Change::LoadFailed);
}

QString DatasetSession::recordPath() const {
    return m_sourcePath.isEmpty() ? QStringLiteral("demo") : m_sourcePath;
}

QString DatasetSession::recordName() const {
    QString name = m_sourcePath.isEmpty() ? m_sourceLabel : QFileInfo(m_sourcePath).fileName();
    if (m_sourcePath.isEmpty() && name == tr("Demo data"))
        name = QStringLiteral("demo");
    if (name.endsWith(QLatin1String(".zip"), Qt::CaseInsensitive))
        name.chop(4);
    return name;
}

}  // namespace recscope::ui
