#pragma once
// Bootstrap 95% intervals of the leaderboard's means (core/eval/Bootstrap.h), one per run and
// per-user metric, computed in the background from the per-user values the workspace keeps and
// cached until the run changes. GUI thread only; the resampling runs on Qt's thread pool.

#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>
#include <optional>

#include "core/eval/Bootstrap.h"

namespace recscope::ui {

class WorkspaceSession;

class MetricIntervals : public QObject {
    Q_OBJECT
public:
    explicit MetricIntervals(WorkspaceSession* session, QObject* parent = nullptr);

    // Resamples per interval (seed 42, as PairedComparison's difference interval).
    static constexpr int kResamples = 1000;

    // The interval when computed; otherwise starts computing the run's intervals (ready()
    // follows) and returns nothing. Nothing either for a metric without per-user values.
    std::optional<BootstrapInterval> interval(qint64 runId, const QString& metric);
    bool isComputing(qint64 runId) const { return m_pending.contains(runId); }

signals:
    void ready(qint64 runId);

private:
    void forget(qint64 runId);

    WorkspaceSession* m_session;
    QHash<qint64, QHash<QString, BootstrapInterval>> m_done;
    QSet<qint64> m_pending;
    quint64 m_generation = 1;  // bumped when the workspace changes: late results are dropped
};

}  // namespace recscope::ui
