#include "ui/session/LoadedRunCache.h"

#include <QMetaObject>
#include <exception>

#include "ui/session/DatasetSession.h"
#include "ui/session/WorkspaceSession.h"

namespace recscope::ui {

namespace {

QString sentence(const std::string& text) {
    QString s = QString::fromStdString(text);
    if (!s.isEmpty())
        s[0] = s[0].toUpper();
    return s;
}

}  // namespace

LoadedRunCache::LoadedRunCache(DatasetSession* datasets, WorkspaceSession* workspace,
                               QObject* parent)
    : QObject(parent), m_datasets(datasets), m_workspace(workspace) {
    qRegisterMetaType<std::shared_ptr<const recscope::LoadedRun>>();
    connect(m_datasets, &DatasetSession::changed, this, [this](DatasetSession::Change change) {
        if (change == DatasetSession::Change::DatasetReplaced)
            clear();
    });
    connect(m_workspace, &WorkspaceSession::workspaceOpened, this, &LoadedRunCache::clear);
    connect(m_workspace, &WorkspaceSession::runRemoved, this, &LoadedRunCache::drop);
}

// Loads in flight finish on the thread pool and are dropped; they own what they read.
LoadedRunCache::~LoadedRunCache() = default;

std::shared_ptr<const LoadedRun> LoadedRunCache::cached(qint64 runId) const {
    for (const Entry& e : m_entries)
        if (e.runId == runId)
            return e.run;
    return nullptr;
}

bool LoadedRunCache::isLoading(qint64 runId) const {
    return m_loading.contains(runId);
}

void LoadedRunCache::retire(std::vector<std::shared_ptr<BackgroundJob<LoadAnswer>>> jobs) {
    // Cancelled now (their answers are dropped), destroyed from the event loop: one of them may
    // be delivering its answer right now, further up this call stack.
    for (const auto& job : jobs)
        job->cancel();
    QMetaObject::invokeMethod(
        this, [jobs = std::move(jobs)] {}, Qt::QueuedConnection);
}

void LoadedRunCache::clear() {
    m_entries.clear();
    m_loading.clear();
    retire({m_jobs.begin(), m_jobs.end()});
    m_jobs.clear();
}

void LoadedRunCache::drop(qint64 runId) {
    for (int i = 0; i < m_entries.size(); ++i)
        if (m_entries[i].runId == runId) {
            m_entries.removeAt(i);
            break;
        }
    m_loading.remove(runId);
    if (auto job = m_jobs.take(runId))
        retire({job});
}

void LoadedRunCache::fail(qint64 runId, const QString& message) {
    QMetaObject::invokeMethod(
        this, [this, runId, message] { emit failed(runId, message); }, Qt::QueuedConnection);
}

void LoadedRunCache::request(qint64 runId) {
    for (int i = 0; i < m_entries.size(); ++i)
        if (m_entries[i].runId == runId) {
            m_entries.move(i, 0);
            const std::shared_ptr<const LoadedRun> run = m_entries.first().run;
            QMetaObject::invokeMethod(
                this, [this, runId, run] { emit loaded(runId, run); }, Qt::QueuedConnection);
            return;
        }
    if (isLoading(runId))
        return;
    const RunRecord* record = m_workspace->run(runId);
    if (!record) {
        fail(runId, tr("Run %1 is not in the open workspace.").arg(runId));
        return;
    }
    if (record->status != RunStatus::Finished) {
        fail(runId, tr("Run %1 did not finish (%2); only finished runs can be inspected.")
                        .arg(runId)
                        .arg(QString::fromStdString(runStatusName(record->status))));
        return;
    }
    const std::shared_ptr<const Dataset> dataset = m_datasets->dataset();
    if (!dataset) {
        fail(runId, tr("Open the dataset of run %1 to inspect it.").arg(runId));
        return;
    }
    const Workspace* workspace = m_workspace->workspace();
    const LoadRunRequest request =
        makeLoadRunRequest(*record, workspace ? workspace->absoluteCheckpoint(*record) : "");
    m_loading.insert(runId);
    if (auto finished = m_jobs.take(runId))  // its answer was delivered; it may be doing so now
        retire({finished});
    auto job = std::make_shared<BackgroundJob<LoadAnswer>>(
        this, [this, runId](const LoadAnswer& answer) { onLoadAnswer(runId, answer); },
        Superseded::Drop);
    m_jobs.insert(runId, job);
    job->start([request, dataset](const CancelToken& cancel) -> LoadAnswer {
        try {
            Result<LoadedRun> run = loadRun(request, dataset, &cancel);
            if (!run)
                return {nullptr, sentence(run.error().toString())};
            return {std::make_shared<const LoadedRun>(std::move(run).value()), QString()};
        } catch (const std::exception& e) {
            return {nullptr, QStringLiteral("Cannot load run %1: %2")
                                 .arg(request.runId)
                                 .arg(QString::fromUtf8(e.what()))};
        }
    });
}

void LoadedRunCache::onLoadAnswer(qint64 runId, const LoadAnswer& answer) {
    if (!m_loading.remove(runId))
        return;  // the dataset, the workspace or the run went away meanwhile
    if (!answer.run) {
        emit failed(runId, answer.error);
        return;
    }
    m_entries.prepend({runId, answer.run});
    while (m_entries.size() > kCapacity)
        m_entries.removeLast();
    emit loaded(runId, answer.run);
}

}  // namespace recscope::ui
