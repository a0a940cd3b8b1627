#include "core/workspace/SweepStore.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/workspace/ProcessOwner.h"
#include "core/workspace/RunRecordJson.h"
#include "core/workspace/SqlStatement.h"

namespace recscope {

namespace {

const char* kSweepSchema = R"sql(
CREATE TABLE IF NOT EXISTS sweeps(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  status TEXT NOT NULL,
  message TEXT NOT NULL DEFAULT '',
  spec TEXT NOT NULL,
  dataset TEXT NOT NULL,
  best_run INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  test_run INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  owner_pid INTEGER NOT NULL DEFAULT 0,
  owner_token TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS sweep_trials(
  sweep_id INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
  trial INTEGER NOT NULL,
  params TEXT NOT NULL,
  run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  PRIMARY KEY(sweep_id, trial)
);
)sql";

nlohmann::json paramsJson(const std::map<std::string, std::string>& params) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : params)
        j[k] = v;
    return j;
}

Status noSweep(int64_t id) {
    return makeError("workspace: no sweep with id " + std::to_string(id));
}

}  // namespace

bool SweepStore::hasTables() const {
    SqlStatement q(m_workspace.m_db,
                   "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                   "name IN ('sweeps', 'sweep_trials')");
    return q.step() == SQLITE_ROW && q.integer(0) == 2;
}

Status SweepStore::ensureTables() {
    if (hasTables())
        return {};
    return m_workspace.transaction([&] { return m_workspace.exec(kSweepSchema); });
}

Result<int64_t> SweepStore::createSweep(const SweepRecord& record) {
    if (Status s = ensureTables(); !s)
        return s.error();
    int64_t id = 0;
    Status s = m_workspace.transaction([&]() -> Status {
        SqlStatement q(m_workspace.m_db,
                       "INSERT INTO sweeps(name, created_at, status, spec, dataset, owner_pid, "
                       "owner_token) VALUES(?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), "
                       "'running', ?, ?, ?, ?)");
        q.bind(1, record.name)
            .bind(2, record.spec)
            .bind(3, datasetIdentityToJson(record.dataset).dump())
            .bind(4, static_cast<int64_t>(::getpid()))
            .bind(5, processToken());
        if (Status e = q.run(); !e)
            return e;
        id = sqlite3_last_insert_rowid(m_workspace.m_db);
        if (record.name.empty()) {
            SqlStatement u(m_workspace.m_db, "UPDATE sweeps SET name = ? WHERE id = ?");
            if (Status e = u.bind(1, "sweep #" + std::to_string(id)).bind(2, id).run(); !e)
                return e;
        }
        for (const SweepTrialRecord& t : record.trials) {
            SqlStatement i(m_workspace.m_db,
                           "INSERT INTO sweep_trials(sweep_id, trial, params, run_id) "
                           "VALUES(?, ?, ?, NULL)");
            if (Status e = i.bind(1, id)
                               .bind(2, int64_t{t.trial})
                               .bind(3, paramsJson(t.params).dump())
                               .run();
                !e)
                return e;
        }
        return {};
    });
    if (!s)
        return s.error();
    return id;
}

Status SweepStore::claimSweep(int64_t sweepId) {
    if (!hasTables())
        return noSweep(sweepId);
    return m_workspace.transaction([&]() -> Status {
        SqlStatement q(m_workspace.m_db,
                       "SELECT status, owner_pid, owner_token FROM sweeps WHERE id = ?");
        q.bind(1, sweepId);
        const int rc = q.step();
        if (rc == SQLITE_DONE)
            return noSweep(sweepId);
        if (rc != SQLITE_ROW)
            return q.error();
        const bool mine = q.text(2) == processToken();
        if (q.text(0) == "running" && !mine && ownerAlive(q.integer(1), q.text(2)))
            return makeError("sweep " + std::to_string(sweepId) +
                             " is being run by another process (pid " +
                             std::to_string(q.integer(1)) + ")");
        SqlStatement u(m_workspace.m_db,
                       "UPDATE sweeps SET status = 'running', message = '', owner_pid = ?, "
                       "owner_token = ? WHERE id = ?");
        return u.bind(1, static_cast<int64_t>(::getpid()))
            .bind(2, processToken())
            .bind(3, sweepId)
            .run();
    });
}

Status SweepStore::setTrialRun(int64_t sweepId, const SweepTrialRecord& trial) {
    if (Status s = ensureTables(); !s)
        return s;
    return m_workspace.transaction([&]() -> Status {
        SqlStatement q(m_workspace.m_db,
                       "INSERT OR REPLACE INTO sweep_trials(sweep_id, trial, params, run_id) "
                       "VALUES(?, ?, ?, ?)");
        q.bind(1, sweepId).bind(2, int64_t{trial.trial}).bind(3, paramsJson(trial.params).dump());
        q.bind(4, trial.runId);
        return q.run();
    });
}

Status SweepStore::setBest(int64_t sweepId, int64_t bestRunId, int64_t testRunId) {
    if (!hasTables())
        return noSweep(sweepId);
    return m_workspace.transaction([&]() -> Status {
        SqlStatement u(m_workspace.m_db,
                       "UPDATE sweeps SET best_run = nullif(?, 0), test_run = nullif(?, 0) "
                       "WHERE id = ?");
        if (Status e = u.bind(1, bestRunId).bind(2, testRunId).bind(3, sweepId).run(); !e)
            return e;
        return sqlite3_changes(m_workspace.m_db) ? Status() : noSweep(sweepId);
    });
}

Status SweepStore::finishSweep(int64_t sweepId, RunStatus status, const std::string& message) {
    if (!hasTables())
        return noSweep(sweepId);
    return m_workspace.transaction([&]() -> Status {
        SqlStatement u(m_workspace.m_db, "UPDATE sweeps SET status = ?, message = ? WHERE id = ?");
        if (Status e = u.bind(1, runStatusName(status)).bind(2, message).bind(3, sweepId).run(); !e)
            return e;
        return sqlite3_changes(m_workspace.m_db) ? Status() : noSweep(sweepId);
    });
}

Status SweepStore::deleteSweep(int64_t sweepId) {
    if (!hasTables())
        return noSweep(sweepId);
    return m_workspace.transaction([&]() -> Status {
        SqlStatement d(m_workspace.m_db, "DELETE FROM sweeps WHERE id = ?");
        if (Status e = d.bind(1, sweepId).run(); !e)
            return e;
        return sqlite3_changes(m_workspace.m_db) ? Status() : noSweep(sweepId);
    });
}

Result<std::vector<SweepRecord>> SweepStore::sweeps() const {
    return read(0);
}

Result<SweepRecord> SweepStore::sweep(int64_t sweepId) const {
    Result<std::vector<SweepRecord>> all = read(sweepId);
    if (!all)
        return all.error();
    if (all->empty())
        return noSweep(sweepId).error();
    return std::move(all->front());
}

Result<std::vector<SweepRecord>> SweepStore::read(int64_t onlyId) const {
    std::vector<SweepRecord> out;
    if (!hasTables())
        return out;
    sqlite3* db = m_workspace.m_db;
    std::map<int64_t, size_t> index;
    {
        SqlStatement q(db,
                       "SELECT id, name, created_at, status, message, spec, dataset, "
                       "coalesce(best_run, 0), coalesce(test_run, 0), owner_pid, owner_token "
                       "FROM sweeps WHERE ?1 = 0 OR id = ?1 ORDER BY id");
        q.bind(1, onlyId);
        int rc;
        while ((rc = q.step()) == SQLITE_ROW) {
            SweepRecord r;
            r.id = q.integer(0);
            r.name = q.text(1);
            r.createdAt = q.text(2);
            if (!parseRunStatus(q.text(3), &r.status))
                return makeError("database: sweep " + std::to_string(r.id) +
                                 " has an unknown status '" + q.text(3) + "'");
            if (r.status == RunStatus::Running && !ownerAlive(q.integer(9), q.text(10)))
                r.status = RunStatus::Interrupted;
            r.message = q.text(4);
            r.spec = q.text(5);
            const nlohmann::json dataset = nlohmann::json::parse(q.text(6), nullptr, false);
            Result<DatasetIdentity> identity = datasetIdentityFromJson(dataset);
            if (!identity)
                return makeError("database: sweep " + std::to_string(r.id) + ": " +
                                 identity.error().message);
            r.dataset = std::move(identity).value();
            r.bestRunId = q.integer(7);
            r.testRunId = q.integer(8);
            index[r.id] = out.size();
            out.push_back(std::move(r));
        }
        if (rc != SQLITE_DONE)
            return q.error();
    }
    SqlStatement t(db,
                   "SELECT sweep_id, trial, params, coalesce(run_id, 0) FROM sweep_trials "
                   "WHERE ?1 = 0 OR sweep_id = ?1 ORDER BY sweep_id, trial");
    t.bind(1, onlyId);
    int rc;
    while ((rc = t.step()) == SQLITE_ROW) {
        const auto it = index.find(t.integer(0));
        if (it == index.end())
            continue;
        SweepTrialRecord trial;
        trial.trial = static_cast<int>(t.integer(1));
        const nlohmann::json params = nlohmann::json::parse(t.text(2), nullptr, false);
        if (!params.is_object())
            return makeError("database: sweep " + std::to_string(it->first) +
                             " has malformed trial parameters");
        for (const auto& [k, v] : params.items())
            trial.params[k] = v.is_string() ? v.get<std::string>() : v.dump();
        trial.runId = t.integer(3);
        out[it->second].trials.push_back(std::move(trial));
    }
    if (rc != SQLITE_DONE)
        return t.error();
    return out;
}

}  // namespace recscope
