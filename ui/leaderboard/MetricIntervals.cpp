#include "ui/leaderboard/MetricIntervals.h"

#include <QFutureWatcher>
#include <QtConcurrent>
#include <map>
#include <vector>

#include "ui/session/WorkspaceSession.h"

namespace recscope::ui {

namespace {

using Intervals = QHash<QString, BootstrapInterval>;

}  // namespace

MetricIntervals::MetricIntervals(WorkspaceSession* session, QObject* parent)
    : QObject(parent), m_session(session) {
    connect(m_session, &WorkspaceSession::workspaceOpened, this, [this] {
        m_done.clear();
        m_pending.clear();
        ++m_generation;
    });
    connect(m_session, &WorkspaceSession::runChanged, this, &MetricIntervals::forget);
    connect(m_session, &WorkspaceSession::runRemoved, this, &MetricIntervals::forget);
}

void MetricIntervals::forget(qint64 runId) {
    m_done.remove(runId);
}

std::optional<BootstrapInterval> MetricIntervals::interval(qint64 runId, const QString& metric) {
    const auto done = m_done.constFind(runId);
    if (done != m_done.constEnd()) {
        const auto it = done->constFind(metric);
        if (it == done->constEnd())
            return std::nullopt;
        return it.value();
    }
    if (m_pending.contains(runId))
        return std::nullopt;
    Result<PerUserMetrics> perUser = m_session->perUser(runId);
    if (!perUser) {
        m_done.insert(runId, {});
        return std::nullopt;
    }
    m_pending.insert(runId);
    auto* watcher = new QFutureWatcher<Intervals>(this);
    const quint64 generation = m_generation;
    connect(watcher, &QFutureWatcher<Intervals>::finished, this,
            [this, watcher, runId, generation] {
                watcher->deleteLater();
                if (generation != m_generation || !m_pending.remove(runId))
                    return;
                m_done.insert(runId, watcher->result());
                emit ready(runId);
            });
    std::map<std::string, std::vector<float>> values = std::move(perUser.value().values);
    watcher->setFuture(QtConcurrent::run([values = std::move(values)] {
        Intervals out;
        for (const auto& [metric, v] : values)
            out.insert(QString::fromStdString(metric),
                       bootstrapMean(std::vector<double>(v.begin(), v.end()), kResamples));
        return out;
    }));
    return std::nullopt;
}

}  // namespace recscope::ui
