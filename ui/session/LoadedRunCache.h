#pragma once
// Loads finished runs for the explorer's views (inspector, embedding map, popularity bias) on a
// worker thread (core loadRun: re-split + checkpoint load) and keeps the last few in memory, so
// switching between views and runs does not reload. Shared by the views through MainWindow.
//
// GUI thread only. request() never blocks: a cached run is announced at once (queued), an
// uncached one is loaded in the background and announced by loaded() or failed(). A dataset
// change (DatasetSession) or a removed run drops the affected entries.

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <memory>

#include "core/common/Progress.h"

#include "core/inspect/LoadedRun.h"

namespace recscope::ui {

class DatasetSession;
class WorkspaceSession;

class LoadedRunCache : public QObject {
    Q_OBJECT
public:
    LoadedRunCache(DatasetSession* datasets, WorkspaceSession* workspace,
                   QObject* parent = nullptr);
    ~LoadedRunCache() override;

    // The run if it is loaded, else null (no loading started).
    std::shared_ptr<const LoadedRun> cached(qint64 runId) const;
    // Starts loading (if needed); the answer comes as loaded(runId, run) or failed(runId, text).
    void request(qint64 runId);
    bool isLoading(qint64 runId) const;

    // Runs kept in memory (least recently requested dropped first).
    static constexpr int kCapacity = 4;

    // Forgets every loaded run and drops the answers of loads in flight (their requests are
    // answered again only if requested again).
    void clear();

signals:
    void loaded(qint64 runId, std::shared_ptr<const recscope::LoadedRun> run);
    // e.g. "Run 7 was trained on ml-latest-small; open that dataset to inspect it."
    void failed(qint64 runId, const QString& message);

private:
    struct Entry {
        qint64 runId = 0;
        std::shared_ptr<const LoadedRun> run;
    };
    void fail(qint64 runId, const QString& message);
    void drop(qint64 runId);

    DatasetSession* m_datasets;
    WorkspaceSession* m_workspace;
    QList<Entry> m_entries;                 // most recently requested first
    QHash<qint64, quint64> m_loading;       // run id -> generation of its load in flight
    quint64 m_generation = 1;               // bumped when the dataset or the workspace changes
    std::shared_ptr<CancelToken> m_cancel;  // of the current generation's loads
};

}  // namespace recscope::ui

Q_DECLARE_METATYPE(std::shared_ptr<const recscope::LoadedRun>)
