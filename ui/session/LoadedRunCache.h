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
#include <QSet>
#include <QString>
#include <memory>
#include <vector>

#include "core/common/Progress.h"

#include "core/inspect/LoadedRun.h"
#include "ui/session/BackgroundJob.h"

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
    // What a background load hands back (QFuture wants a default-constructible value).
    struct LoadAnswer {
        std::shared_ptr<const LoadedRun> run;
        QString error;
    };
    void onLoadAnswer(qint64 runId, const LoadAnswer& answer);
    void retire(std::vector<std::shared_ptr<BackgroundJob<LoadAnswer>>> jobs);

    QList<Entry> m_entries;  // most recently requested first
    // One job per run being loaded, never waited for: clear() and drop() cancel them and drop
    // their answers; a finished job stays until its run is requested again, dropped or cleared.
    QHash<qint64, std::shared_ptr<BackgroundJob<LoadAnswer>>> m_jobs;
    QSet<qint64> m_loading;  // runs whose answer is still to come
};

}  // namespace recscope::ui

Q_DECLARE_METATYPE(std::shared_ptr<const recscope::LoadedRun>)
