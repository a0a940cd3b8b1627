#pragma once
// The open workspace, shared by the training view, the leaderboard and later the inspector.
// Owns the core Workspace (used from the GUI thread only) and an in-memory copy of its runs, and
// announces changes. Training workers never touch the database: they send their events to the
// GUI thread, and the training view calls the recording functions below.

#include <QObject>
#include <QString>
#include <QVector>
#include <memory>

#include "core/workspace/SweepStore.h"
#include "core/workspace/Workspace.h"

namespace recscope::ui {

class WorkspaceSession : public QObject {
    Q_OBJECT
public:
    explicit WorkspaceSession(QObject* parent = nullptr);
    ~WorkspaceSession() override;

    // Opens (or creates) a workspace folder; on error the previous workspace stays open and
    // the error text is returned (also emitted as errorOccurred).
    bool open(const QString& folder, QString* error = nullptr);
    bool isOpen() const { return m_workspace != nullptr; }
    QString folder() const;
    // The default workspace: <AppDataLocation>/workspace (created on first use).
    static QString defaultFolder();

    const QVector<RunRecord>& runs() const { return m_runs; }
    const RunRecord* run(qint64 id) const;  // null if unknown

    // Recording (GUI thread). Each returns false and emits errorOccurred on failure.
    qint64 startRun(const RunRecord& record);  // returns the id, or 0 on failure
    bool addEpoch(qint64 id, const EpochReport& epoch);
    bool finishRun(qint64 id, const RunOutcome& outcome);
    bool endRun(qint64 id, RunStatus status, const QString& message);  // cancelled / failed
    bool renameRun(qint64 id, const QString& name);
    bool deleteRun(qint64 id);
    qint64 importRunDirectory(const QString& dir);  // 0 on failure

    Result<PerUserMetrics> perUser(qint64 id) const;
    Workspace* workspace() const { return m_workspace.get(); }

    // Re-reads a run that another connection wrote (a sweep worker records its runs through
    // its own Workspace object): emits runAdded or runChanged.
    void refreshRun(qint64 id);
    // The workspace's sweeps (core SweepStore), re-read by refreshSweeps (emits sweepsChanged).
    const QVector<SweepRecord>& sweeps() const { return m_sweeps; }
    const SweepRecord* sweep(qint64 id) const;  // null if unknown
    void refreshSweeps();
    bool deleteSweep(qint64 id);  // the group only; its runs stay

signals:
    void workspaceOpened(const QString& folder);  // runs() replaced
    void runAdded(qint64 id);
    void runChanged(qint64 id);  // epoch added, finished, renamed, status
    void runRemoved(qint64 id);
    void sweepsChanged();
    void errorOccurred(const QString& message);

private:
    void reloadRun(qint64 id);
    std::unique_ptr<Workspace> m_workspace;
    QVector<RunRecord> m_runs;
    QVector<SweepRecord> m_sweeps;
};

}  // namespace recscope::ui
