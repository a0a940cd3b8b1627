#include "ui/session/WorkspaceSession.h"

#include <QDir>
#include <QStandardPaths>

#include <algorithm>

namespace recscope::ui {

WorkspaceSession::WorkspaceSession(QObject* parent) : QObject(parent) {}

WorkspaceSession::~WorkspaceSession() = default;

QString WorkspaceSession::defaultFolder() {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("workspace"));
}

QString WorkspaceSession::folder() const {
    return m_workspace ? QString::fromStdString(m_workspace->folder()) : QString();
}

bool WorkspaceSession::open(const QString& folder, QString* error) {
    const auto fail = [&](const QString& message) {
        if (error)
            *error = message;
        emit errorOccurred(message);
        return false;
    };
    if (folder.trimmed().isEmpty())
        return fail(tr("No workspace folder given."));
    Result<std::unique_ptr<Workspace>> opened = Workspace::open(folder.toStdString());
    if (!opened)
        return fail(tr("Cannot open workspace %1: %2")
                        .arg(folder, QString::fromStdString(opened.error().toString())));
    Result<std::vector<RunRecord>> runs = opened.value()->runs();
    if (!runs)
        return fail(tr("Cannot read the runs of workspace %1: %2")
                        .arg(folder, QString::fromStdString(runs.error().toString())));
    // Only now replace the open workspace, so a failure above leaves it untouched.
    m_workspace = std::move(opened).value();
    m_runs.clear();
    for (RunRecord& r : runs.value())
        m_runs.push_back(std::move(r));
    m_sweeps.clear();
    refreshSweeps();
    emit workspaceOpened(this->folder());
    return true;
}

void WorkspaceSession::refreshRun(qint64 id) {
    if (m_workspace)
        reloadRun(id);
}

const SweepRecord* WorkspaceSession::sweep(qint64 id) const {
    for (const SweepRecord& s : m_sweeps)
        if (s.id == id)
            return &s;
    return nullptr;
}

void WorkspaceSession::refreshSweeps() {
    if (!m_workspace)
        return;
    Result<std::vector<SweepRecord>> sweeps = SweepStore(*m_workspace).sweeps();
    if (!sweeps) {
        emit errorOccurred(QString::fromStdString(sweeps.error().toString()));
        return;
    }
    m_sweeps = QVector<SweepRecord>(sweeps->begin(), sweeps->end());
    emit sweepsChanged();
}

bool WorkspaceSession::deleteSweep(qint64 id) {
    if (!m_workspace)
        return false;
    if (Status s = SweepStore(*m_workspace).deleteSweep(id); !s) {
        emit errorOccurred(QString::fromStdString(s.error().toString()));
        return false;
    }
    refreshSweeps();
    return true;
}

const RunRecord* WorkspaceSession::run(qint64 id) const {
    for (const RunRecord& r : m_runs)
        if (r.id == id)
            return &r;
    return nullptr;
}

void WorkspaceSession::reloadRun(qint64 id) {
    Result<RunRecord> fresh = m_workspace->run(id);
    if (!fresh) {
        emit errorOccurred(QString::fromStdString(fresh.error().toString()));
        return;
    }
    const auto it =
        std::find_if(m_runs.begin(), m_runs.end(), [id](const RunRecord& r) { return r.id == id; });
    if (it == m_runs.end()) {
        m_runs.push_back(std::move(fresh).value());
        emit runAdded(id);
    } else {
        *it = std::move(fresh).value();
        emit runChanged(id);
    }
}

qint64 WorkspaceSession::startRun(const RunRecord& record) {
    if (!m_workspace) {
        emit errorOccurred(tr("No workspace is open; the run cannot be recorded."));
        return 0;
    }
    Result<int64_t> id = m_workspace->createRun(record);
    if (!id) {
        emit errorOccurred(QString::fromStdString(id.error().toString()));
        return 0;
    }
    reloadRun(id.value());
    return id.value();
}

bool WorkspaceSession::addEpoch(qint64 id, const EpochReport& epoch) {
    if (!m_workspace)
        return false;
    if (Status s = m_workspace->appendEpoch(id, epoch); !s) {
        emit errorOccurred(QString::fromStdString(s.error().toString()));
        return false;
    }
    // Cheaper than a reload: an epoch only appends to the cached record.
    for (RunRecord& r : m_runs)
        if (r.id == id) {
            r.epochs.push_back(epoch);
            emit runChanged(id);
            return true;
        }
    reloadRun(id);
    return true;
}

bool WorkspaceSession::finishRun(qint64 id, const RunOutcome& outcome) {
    if (!m_workspace)
        return false;
    if (Status s = m_workspace->finishRun(id, outcome); !s) {
        emit errorOccurred(QString::fromStdString(s.error().toString()));
        return false;
    }
    reloadRun(id);
    return true;
}

bool WorkspaceSession::endRun(qint64 id, RunStatus status, const QString& message) {
    if (!m_workspace)
        return false;
    if (Status s = m_workspace->failRun(id, status, message.toStdString()); !s) {
        emit errorOccurred(QString::fromStdString(s.error().toString()));
        return false;
    }
    reloadRun(id);
    return true;
}

bool WorkspaceSession::renameRun(qint64 id, const QString& name) {
    if (!m_workspace)
        return false;
    if (Status s = m_workspace->renameRun(id, name.toStdString()); !s) {
        emit errorOccurred(QString::fromStdString(s.error().toString()));
        return false;
    }
    reloadRun(id);
    return true;
}

bool WorkspaceSession::deleteRun(qint64 id) {
    if (!m_workspace)
        return false;
    if (Status s = m_workspace->deleteRun(id); !s) {
        emit errorOccurred(QString::fromStdString(s.error().toString()));
        return false;
    }
    const auto it =
        std::find_if(m_runs.begin(), m_runs.end(), [id](const RunRecord& r) { return r.id == id; });
    if (it != m_runs.end()) {
        m_runs.erase(it);
        emit runRemoved(id);
    }
    if (!m_sweeps.isEmpty())
        refreshSweeps();  // a trial of a sweep may have lost its run
    return true;
}

qint64 WorkspaceSession::importRunDirectory(const QString& dir) {
    if (!m_workspace) {
        emit errorOccurred(tr("No workspace is open; the run cannot be imported."));
        return 0;
    }
    Result<int64_t> id = m_workspace->importRunDirectory(dir.toStdString());
    if (!id) {
        emit errorOccurred(tr("Cannot import run folder %1: %2")
                               .arg(dir, QString::fromStdString(id.error().toString())));
        return 0;
    }
    reloadRun(id.value());
    return id.value();
}

Result<PerUserMetrics> WorkspaceSession::perUser(qint64 id) const {
    if (!m_workspace)
        return makeError("no workspace is open");
    return m_workspace->perUser(id);
}

}  // namespace recscope::ui
