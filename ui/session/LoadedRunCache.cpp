#include "ui/session/LoadedRunCache.h"

#include <QFutureWatcher>
#include <QMetaObject>
#include <QtConcurrent/QtConcurrentRun>
#include <exception>

#include "ui/session/DatasetSession.h"
#include "ui/session/WorkspaceSession.h"

namespace recscope::ui {

namespace {

// What a background load hands back (QFuture wants a default-constructible value).
struct LoadAnswer {
    std::shared_ptr<const LoadedRun> run;
    QString error;
};

QString sentence(const std::string& text) {
    QString s = QString::fromStdString(text);
    if (!s.isEmpty())
        s[0] = s[0].toUpper();
    return s;
}

}  // namespace

LoadedRunCache::LoadedRunCache(DatasetSession* datasets, WorkspaceSession* workspace,
                               QObject* parent)
    : QObject(parent),
      m_datasets(datasets),
      m_workspace(workspace),
      m_cancel(std::make_shared<CancelToken>()) {
    qRegisterMetaType<std::shared_ptr<const recscope::LoadedRun>>();
    connect(m_datasets, &DatasetSession::changed, this, [this](DatasetSession::Change change) {
        if (change == DatasetSession::Change::DatasetReplaced)
            clear();
    });
    connect(m_workspace, &WorkspaceSession::workspaceOpened, this, &LoadedRunCache::clear);
    connect(m_workspace, &WorkspaceSession::runRemoved, this, &LoadedRunCache::drop);
}

LoadedRunCache::~LoadedRunCache() {
    // Loads in flight finish on the thread pool and are dropped; they own what they read.
    m_cancel->cancel();
}

std::shared_ptr<const LoadedRun> LoadedRunCache::cached(qint64 runId) const {
    for (const Entry& e : m_entries)
        if (e.runId == runId)
            return e.run;
    return nullptr;
}

bool LoadedRunCache::isLoading(qint64 runId) const {
    return m_loading.value(runId) == m_generation;
}

void LoadedRunCache::clear() {
    m_entries.clear();
    m_loading.clear();
    ++m_generation;
    m_cancel->cancel();
    m_cancel = std::make_shared<CancelToken>();
}

void LoadedRunCache::drop(qint64 runId) {
    for (int i = 0; i < m_entries.size(); ++i)
        if (m_entries[i].runId == runId) {
            m_entries.removeAt(i);
            break;
        }
    m_loading.remove(runId);
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
    const quint64 generation = m_generation;
    m_loading.insert(runId, generation);
    std::shared_ptr<CancelToken> cancel = m_cancel;
    auto* watcher = new QFutureWatcher<LoadAnswer>(this);
    connect(watcher, &QFutureWatcher<LoadAnswer>::finished, this,
            [this, watcher, runId, generation] {
                watcher->deleteLater();
                if (generation != m_generation || m_loading.value(runId) != generation)
                    return;  // the dataset, the workspace or the run went away meanwhile
                m_loading.remove(runId);
                const LoadAnswer answer = watcher->result();
                if (!answer.run) {
                    emit failed(runId, answer.error);
                    return;
                }
                m_entries.prepend({runId, answer.run});
                while (m_entries.size() > kCapacity)
                    m_entries.removeLast();
                emit loaded(runId, answer.run);
            });
    watcher->setFuture(QtConcurrent::run([request, dataset, cancel]() -> LoadAnswer {
        try {
            Result<LoadedRun> run = loadRun(request, dataset, cancel.get());
            if (!run)
                return {nullptr, sentence(run.error().toString())};
            return {std::make_shared<const LoadedRun>(std::move(run).value()), QString()};
        } catch (const std::exception& e) {
            return {nullptr, QStringLiteral("Cannot load run %1: %2")
                                 .arg(request.runId)
                                 .arg(QString::fromUtf8(e.what()))};
        }
    }));
}

}  // namespace recscope::ui
