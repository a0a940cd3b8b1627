// All of the workspace's SQL (schema, reads, writes, transactions) is in this one file, so a
// schema change touches one place; that is why it is longer than most.

#include "core/workspace/Workspace.h"

#include <sqlite3.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "core/workspace/ProcessOwner.h"
#include "core/workspace/RunDirectory.h"
#include "core/workspace/RunRecordJson.h"
#include "core/workspace/SqlStatement.h"

namespace fs = std::filesystem;

namespace recscope {

std::string defaultRunName(const RunConfig& config, int64_t id) {
    std::string variant;
    for (const auto& [key, value] : config.params) {
        const bool word = !value.empty() && value != "true" && value != "false" &&
                          value.find_first_not_of("0123456789+-.eE") != std::string::npos;
        if (word)
            variant += (variant.empty() ? "" : ", ") + key + "=" + value;
    }
    return config.model + (variant.empty() ? "" : " (" + variant + ")") + " #" + std::to_string(id);
}

namespace {

// 'RCSW' in PRAGMA application_id marks a database as ours.
constexpr int32_t kApplicationId = 0x52435357;
// Long enough for the other program's longest transaction (a per-user insert of ~100K users).
constexpr int kBusyTimeoutMs = 10000;

const char* kSchema = R"sql(
CREATE TABLE runs(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  status TEXT NOT NULL,
  message TEXT NOT NULL DEFAULT '',
  config TEXT NOT NULL,
  dataset TEXT NOT NULL,
  params TEXT NOT NULL DEFAULT '{}',
  metrics TEXT NOT NULL DEFAULT '{}',
  stages TEXT NOT NULL DEFAULT '{}',
  stages_index TEXT NOT NULL DEFAULT '',
  users_evaluated INTEGER NOT NULL DEFAULT 0,
  train_seconds REAL,
  eval_seconds REAL,
  fit_on_train_val INTEGER NOT NULL DEFAULT 0,
  train_ratings INTEGER NOT NULL DEFAULT 0,
  evaluated_negatives INTEGER NOT NULL DEFAULT 0,
  checkpoint TEXT NOT NULL DEFAULT '',
  owner_pid INTEGER NOT NULL DEFAULT 0,
  owner_token TEXT NOT NULL DEFAULT ''
);
CREATE TABLE epochs(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  epoch INTEGER NOT NULL,
  train_loss REAL,
  validation TEXT NOT NULL,
  seconds REAL,
  PRIMARY KEY(run_id, seq)
);
CREATE TABLE per_user_users(
  run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  users BLOB NOT NULL
);
CREATE TABLE per_user(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  metric TEXT NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY(run_id, metric)
);
)sql";

std::string nowIso() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

Result<nlohmann::json> parseJsonColumn(const std::string& text, const char* column, int64_t id) {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded())
        return makeError("database: run " + std::to_string(id) + " has a malformed '" + column +
                         "' column");
    return j;
}

// Replaces `target` by `temp` (a file or a folder) with renames only: a reader sees the old
// checkpoint or the new one, never a partial one.
Status replaceAtomically(const fs::path& temp, const fs::path& target) {
    std::error_code ec;
    fs::rename(temp, target, ec);
    if (!ec)
        return {};
    // rename() cannot replace a non-empty folder (a pipeline's checkpoint): move it aside first.
    const fs::path aside = target.string() + ".old";
    fs::remove_all(aside, ec);
    fs::rename(target, aside, ec);
    if (ec)
        return makeError("cannot replace: " + ec.message(), target.string());
    fs::rename(temp, target, ec);
    if (ec)
        return makeError("cannot rename: " + ec.message(), temp.string());
    fs::remove_all(aside, ec);
    return {};
}

const char* kRunColumns =
    "id, name, created_at, status, message, config, dataset, params, metrics, stages, "
    "stages_index, users_evaluated, train_seconds, eval_seconds, fit_on_train_val, "
    "train_ratings, evaluated_negatives, checkpoint";

Result<RunRecord> readRunRow(const SqlStatement& q) {
    RunRecord r;
    r.id = q.integer(0);
    r.name = q.text(1);
    r.createdAt = q.text(2);
    const std::string status = q.text(3);
    if (!parseRunStatus(status, &r.status))
        return makeError("database: run " + std::to_string(r.id) + " has an unknown status '" +
                         status + "'");
    r.message = q.text(4);
    const char* names[] = {"config", "dataset", "params", "metrics", "stages"};
    nlohmann::json cols[5];
    for (int c = 0; c < 5; ++c) {
        Result<nlohmann::json> j = parseJsonColumn(q.text(5 + c), names[c], r.id);
        if (!j)
            return j.error();
        cols[c] = std::move(j).value();
    }
    const auto bad = [&r](const Error& e) {
        return makeError("database: run " + std::to_string(r.id) + ": " + e.message);
    };
    Result<RunConfig> config = runConfigFromJson(cols[0]);
    if (!config)
        return bad(config.error());
    r.config = std::move(config).value();
    Result<DatasetIdentity> dataset = datasetIdentityFromJson(cols[1]);
    if (!dataset)
        return bad(dataset.error());
    r.dataset = std::move(dataset).value();
    if (!cols[2].is_object())
        return bad(makeError("params must be an object"));
    for (const auto& [k, v] : cols[2].items())
        r.params[k] = v.is_string() ? v.get<std::string>() : v.dump();
    Result<std::map<std::string, double>> metrics = metricsFromJson(cols[3], "metrics");
    if (!metrics)
        return bad(metrics.error());
    r.metrics = std::move(metrics).value();
    Result<std::map<std::string, double>> stages = metricsFromJson(cols[4], "stages");
    if (!stages)
        return bad(stages.error());
    r.stages = std::move(stages).value();
    r.stagesIndex = q.text(10);
    r.usersEvaluated = static_cast<int32_t>(q.integer(11));
    r.trainSeconds = q.real(12);
    r.evalSeconds = q.real(13);
    r.fitOnTrainAndValidation = q.integer(14) != 0;
    r.trainRatings = static_cast<int32_t>(q.integer(15));
    r.evaluatedNegatives = static_cast<int32_t>(q.integer(16));
    r.checkpoint = q.text(17);
    return r;
}

}  // namespace

Workspace::~Workspace() {
    if (m_db)
        sqlite3_close_v2(m_db);
}

Status Workspace::exec(const std::string& sql) const {
    char* message = nullptr;
    if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &message) == SQLITE_OK)
        return {};
    const std::string text = message ? message : sqlite3_errmsg(m_db);
    sqlite3_free(message);
    return makeError("database: " + text, (fs::path(m_folder) / databaseFile()).string());
}

Status Workspace::transaction(const std::function<Status()>& body) {
    // IMMEDIATE takes the write lock up front, so a second writer waits (busy timeout) instead
    // of failing halfway through.
    if (Status s = exec("BEGIN IMMEDIATE"); !s)
        return s;
    Status s = body();
    if (s)
        s = exec("COMMIT");
    if (!s)
        (void)exec("ROLLBACK");  // the body's error is the one to report
    return s;
}

Result<std::unique_ptr<Workspace>> Workspace::open(const std::string& folder) {
    std::error_code ec;
    const fs::path dir = fs::absolute(folder, ec);
    if (ec || folder.empty())
        return makeError("not a valid folder name", folder);
    if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
        return makeError("not a folder (a workspace is a folder holding workspace.db)",
                         dir.string());
    fs::create_directories(dir, ec);
    if (ec)
        return makeError("cannot create the workspace folder: " + ec.message(), dir.string());
    if (::access(dir.c_str(), W_OK) != 0)
        return makeError("the workspace folder is not writable", dir.string());

    std::unique_ptr<Workspace> ws(new Workspace());
    ws->m_folder = dir.lexically_normal().string();
    const std::string dbPath = (dir / databaseFile()).string();
    const int rc = sqlite3_open_v2(
        dbPath.c_str(), &ws->m_db,
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        const std::string message = ws->m_db ? sqlite3_errmsg(ws->m_db) : "out of memory";
        return makeError(ErrorCode::Io, "cannot open the workspace database: " + message, dbPath);
    }
    sqlite3_busy_timeout(ws->m_db, kBusyTimeoutMs);
    sqlite3_extended_result_codes(ws->m_db, 1);

    const auto notOurs = [&dbPath](const std::string& why) {
        return makeError("not a RecScope workspace database (" + why + ")", dbPath);
    };
    int32_t appId = 0, version = 0, tables = 0;
    {
        SqlStatement q(ws->m_db, "PRAGMA application_id");
        if (q.step() != SQLITE_ROW)
            return notOurs(sqlite3_errmsg(ws->m_db));
        appId = static_cast<int32_t>(q.integer(0));
    }
    {
        SqlStatement q(ws->m_db, "PRAGMA user_version");
        if (q.step() != SQLITE_ROW)
            return notOurs(sqlite3_errmsg(ws->m_db));
        version = static_cast<int32_t>(q.integer(0));
    }
    {
        SqlStatement q(ws->m_db, "SELECT count(*) FROM sqlite_master");
        if (q.step() != SQLITE_ROW)
            return notOurs(sqlite3_errmsg(ws->m_db));
        tables = static_cast<int32_t>(q.integer(0));
    }
    if (appId != kApplicationId && (appId != 0 || tables > 0))
        return notOurs("it belongs to another program");
    if (version > kSchemaVersion)
        return makeError("the workspace was written by a newer RecScope (schema " +
                             std::to_string(version) + "; this build reads up to " +
                             std::to_string(kSchemaVersion) + ")",
                         dbPath);
    if (Status s = ws->exec("PRAGMA journal_mode=WAL"); !s)
        return s.error();
    // NORMAL is crash-safe in WAL mode: a killed process loses at most its open transaction.
    if (Status s = ws->exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON"); !s)
        return s.error();
    if (version == 0) {
        Status s = ws->transaction([&]() -> Status {
            // Re-check under the write lock: another process may have created it meanwhile.
            SqlStatement q(ws->m_db, "SELECT count(*) FROM sqlite_master WHERE name = 'runs'");
            if (q.step() != SQLITE_ROW)
                return q.error();
            if (q.integer(0) > 0)
                return {};
            if (Status e = ws->exec(kSchema); !e)
                return e;
            return ws->exec("PRAGMA application_id = " + std::to_string(kApplicationId) +
                            "; PRAGMA user_version = " + std::to_string(kSchemaVersion));
        });
        if (!s)
            return s.error();
    }
    if (Result<int> marked = ws->markInterruptedRuns(); !marked)
        return marked.error();
    ws->removeOrphanRunFolders();
    return ws;
}

int Workspace::removeOrphanRunFolders() {
    const fs::path runsDir = fs::path(m_folder) / "runs";
    std::error_code ec;
    if (!fs::is_directory(runsDir, ec))
        return 0;
    // Without waiting: a writer busy now (an import copying) is left alone until next time.
    sqlite3_busy_timeout(m_db, 0);
    const bool locked = exec("BEGIN IMMEDIATE").ok();
    sqlite3_busy_timeout(m_db, kBusyTimeoutMs);
    if (!locked)
        return 0;
    std::set<int64_t> ids;
    bool listed = false;
    {
        SqlStatement q(m_db, "SELECT id FROM runs");
        int rc;
        while ((rc = q.step()) == SQLITE_ROW)
            ids.insert(q.integer(0));
        listed = rc == SQLITE_DONE;
    }
    int removed = 0;
    for (fs::directory_iterator it(runsDir, ec), end; listed && !ec && it != end;
         it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.empty() || name.size() > 18 ||
            name.find_first_not_of("0123456789") != std::string::npos)
            continue;  // not a run folder of ours: left alone
        if (ids.count(std::stoll(name)))
            continue;
        std::error_code rm;
        fs::remove_all(it->path(), rm);
        removed += rm ? 0 : 1;
    }
    (void)exec("COMMIT");
    return removed;
}

Result<int> Workspace::markInterruptedRuns() {
    std::vector<int64_t> dead;
    {
        SqlStatement q(m_db,
                       "SELECT id, owner_pid, owner_token FROM runs WHERE status = 'running'");
        int rc;
        while ((rc = q.step()) == SQLITE_ROW)
            if (!ownerAlive(q.integer(1), q.text(2)))
                dead.push_back(q.integer(0));
        if (rc != SQLITE_DONE)
            return q.error();
    }
    if (dead.empty())
        return 0;
    Status s = transaction([&]() -> Status {
        for (int64_t id : dead) {
            // Only if still running: the owner may have finished it since the SELECT.
            SqlStatement u(m_db,
                           "UPDATE runs SET status = 'interrupted', message = 'the process running "
                           "it ended before it finished' WHERE id = ? AND status = 'running'");
            if (Status e = u.bind(1, id).run(); !e)
                return e;
        }
        return {};
    });
    if (!s)
        return s.error();
    // A checkpoint being written when the owner died is a temporary name: remove it.
    std::error_code ec;
    for (int64_t id : dead) {
        const fs::path runDir = fs::path(m_folder) / "runs" / std::to_string(id);
        for (fs::directory_iterator it(runDir, ec), end; !ec && it != end; it.increment(ec))
            if (it->path().filename().string().find(".tmp-") != std::string::npos)
                fs::remove_all(it->path(), ec);
    }
    return static_cast<int>(dead.size());
}

Status Workspace::insertRun(RunRecord& record, bool withResults) {
    SqlStatement q(m_db,
                   "INSERT INTO runs(name, created_at, status, message, config, dataset, params, "
                   "owner_pid, owner_token) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
    nlohmann::json params = nlohmann::json::object();
    for (const auto& [k, v] : record.params)
        params[k] = v;
    q.bind(1, record.name)
        .bind(2, record.createdAt)
        .bind(3, runStatusName(record.status))
        .bind(4, record.message)
        .bind(5, runConfigToJson(record.config).dump())
        .bind(6, datasetIdentityToJson(record.dataset).dump())
        .bind(7, params.dump())
        .bind(8, static_cast<int64_t>(::getpid()))
        .bind(9, processToken());
    if (Status s = q.run(); !s)
        return s;
    record.id = sqlite3_last_insert_rowid(m_db);
    if (record.name.empty()) {
        record.name = defaultRunName(record.config, record.id);
        SqlStatement u(m_db, "UPDATE runs SET name = ? WHERE id = ?");
        if (Status s = u.bind(1, record.name).bind(2, record.id).run(); !s)
            return s;
    }
    return withResults ? writeResults(record.id, record, nullptr) : Status();
}

Status Workspace::writeResults(int64_t runId, const RunRecord& r, const PerUserMetrics* perUser) {
    nlohmann::json params = nlohmann::json::object();
    for (const auto& [k, v] : r.params)
        params[k] = v;
    SqlStatement q(m_db,
                   "UPDATE runs SET status = ?, message = ?, params = ?, metrics = ?, stages = ?, "
                   "stages_index = ?, users_evaluated = ?, train_seconds = ?, eval_seconds = ?, "
                   "fit_on_train_val = ?, train_ratings = ?, evaluated_negatives = ?, "
                   "checkpoint = ?, config = ? WHERE id = ?");
    q.bind(1, runStatusName(r.status))
        .bind(2, r.message)
        .bind(3, params.dump())
        .bind(4, metricsToJson(r.metrics).dump())
        .bind(5, metricsToJson(r.stages).dump())
        .bind(6, r.stagesIndex)
        .bind(7, static_cast<int64_t>(r.usersEvaluated))
        .bindDouble(8, r.trainSeconds)
        .bindDouble(9, r.evalSeconds)
        .bind(10, static_cast<int64_t>(r.fitOnTrainAndValidation))
        .bind(11, static_cast<int64_t>(r.trainRatings))
        .bind(12, static_cast<int64_t>(r.evaluatedNegatives))
        .bind(13, r.checkpoint)
        .bind(14, runConfigToJson(r.config).dump())  // the device it ran on (applyOutcome)
        .bind(15, runId);
    if (Status s = q.run(); !s)
        return s;
    if (sqlite3_changes(m_db) == 0)
        return makeError("workspace: no run with id " + std::to_string(runId));
    // Epochs: the final list replaces what was appended while training.
    if (!r.epochs.empty()) {
        SqlStatement d(m_db, "DELETE FROM epochs WHERE run_id = ?");
        if (Status s = d.bind(1, runId).run(); !s)
            return s;
        for (size_t k = 0; k < r.epochs.size(); ++k) {
            const EpochReport& e = r.epochs[k];
            SqlStatement i(
                m_db,
                "INSERT INTO epochs(run_id, seq, epoch, train_loss, validation, seconds) "
                "VALUES(?, ?, ?, ?, ?, ?)");
            i.bind(1, runId)
                .bind(2, static_cast<int64_t>(k))
                .bind(3, static_cast<int64_t>(e.epoch))
                .bindDouble(4, e.trainLoss)
                .bind(5, metricsToJson(e.validation).dump())
                .bindDouble(6, e.seconds);
            if (Status s = i.run(); !s)
                return s;
        }
    }
    if (perUser && !perUser->users.empty()) {
        SqlStatement u(m_db, "INSERT OR REPLACE INTO per_user_users(run_id, users) VALUES(?, ?)");
        u.bind(1, runId).bindBlob(2, perUser->users.data(),
                                  perUser->users.size() * sizeof(int32_t));
        if (Status s = u.run(); !s)
            return s;
        for (const auto& [metric, values] : perUser->values) {
            if (values.size() != perUser->users.size())
                return makeError("workspace: per-user metric '" + metric + "' has " +
                                 std::to_string(values.size()) + " values for " +
                                 std::to_string(perUser->users.size()) + " users");
            SqlStatement m(m_db,
                           "INSERT OR REPLACE INTO per_user(run_id, metric, data) VALUES(?, ?, ?)");
            m.bind(1, runId).bind(2, metric).bindBlob(3, values.data(),
                                                      values.size() * sizeof(float));
            if (Status s = m.run(); !s)
                return s;
        }
    }
    return {};
}

Result<int64_t> Workspace::createRun(RunRecord record) {
    record.createdAt = nowIso();
    record.status = RunStatus::Running;
    record.message.clear();
    record.checkpoint.clear();
    if (Status s = transaction([&] { return insertRun(record, false); }); !s)
        return s.error();
    // A folder of this id can only be debris of an insert that was rolled back (ids are never
    // reused once committed): it must not pass for this run's checkpoint.
    std::error_code ec;
    fs::remove_all(fs::path(m_folder) / "runs" / std::to_string(record.id), ec);
    return record.id;
}

Status Workspace::appendEpoch(int64_t runId, const EpochReport& epoch) {
    // seq, not the epoch number, orders the reports: a two-stage model's ranker counts its
    // epochs from 1 again after the retriever's.
    return transaction([&]() -> Status {
        SqlStatement i(
            m_db,
            "INSERT INTO epochs(run_id, seq, epoch, train_loss, validation, seconds) "
            "VALUES(?1, (SELECT count(*) FROM epochs WHERE run_id = ?1), ?2, ?3, ?4, ?5)");
        i.bind(1, runId)
            .bind(2, static_cast<int64_t>(epoch.epoch))
            .bindDouble(3, epoch.trainLoss)
            .bind(4, metricsToJson(epoch.validation).dump())
            .bindDouble(5, epoch.seconds);
        return i.run();
    });
}

Status Workspace::saveCheckpoint(int64_t runId, const Recommender& model, std::string* relative) {
    const fs::path runDir = fs::path(m_folder) / "runs" / std::to_string(runId);
    std::error_code ec;
    fs::create_directories(runDir, ec);
    if (ec)
        return makeError("cannot create the run folder: " + ec.message(), runDir.string());
    const fs::path temp = runDir / ("model.bin.tmp-" + std::to_string(::getpid()));
    fs::remove_all(temp, ec);
    if (Status s = model.save(temp.string()); !s) {
        fs::remove_all(temp, ec);
        return s;
    }
    if (Status s = replaceAtomically(temp, runDir / "model.bin"); !s) {
        fs::remove_all(temp, ec);
        return s;
    }
    *relative = "runs/" + std::to_string(runId) + "/model.bin";
    return {};
}

Status Workspace::finishRun(int64_t runId, const RunOutcome& outcome) {
    Result<RunRecord> current = run(runId);
    if (!current)
        return current.status();
    RunRecord record = std::move(current).value();
    applyOutcome(record, outcome);
    record.message.clear();
    record.checkpoint.clear();
    // The checkpoint is complete on disk (renamed into place) before the database says the run
    // finished; a kill in between leaves a Running run, later Interrupted.
    if (outcome.model) {
        if (Status s = saveCheckpoint(runId, *outcome.model, &record.checkpoint); !s)
            record.message = "checkpoint not saved: " + s.error().toString();
    }
    const PerUserMetrics perUser = perUserMetrics(outcome.test);
    return transaction([&] { return writeResults(runId, record, &perUser); });
}

Status Workspace::failRun(int64_t runId, RunStatus status, const std::string& message) {
    return transaction([&]() -> Status {
        SqlStatement u(m_db, "UPDATE runs SET status = ?, message = ? WHERE id = ?");
        if (Status s = u.bind(1, runStatusName(status)).bind(2, message).bind(3, runId).run(); !s)
            return s;
        if (sqlite3_changes(m_db) == 0)
            return makeError("workspace: no run with id " + std::to_string(runId));
        return {};
    });
}

Status Workspace::renameRun(int64_t runId, const std::string& name) {
    return transaction([&]() -> Status {
        SqlStatement u(m_db, "UPDATE runs SET name = ? WHERE id = ?");
        if (Status s = u.bind(1, name).bind(2, runId).run(); !s)
            return s;
        if (sqlite3_changes(m_db) == 0)
            return makeError("workspace: no run with id " + std::to_string(runId));
        return {};
    });
}

Status Workspace::deleteRun(int64_t runId) {
    Status s = transaction([&]() -> Status {
        SqlStatement d(m_db, "DELETE FROM runs WHERE id = ?");
        if (Status e = d.bind(1, runId).run(); !e)
            return e;
        if (sqlite3_changes(m_db) == 0)
            return makeError("workspace: no run with id " + std::to_string(runId));
        return {};
    });
    if (!s)
        return s;
    std::error_code ec;
    fs::remove_all(fs::path(m_folder) / "runs" / std::to_string(runId), ec);
    return {};
}

Result<std::vector<RunRecord>> Workspace::runs() const {
    std::vector<RunRecord> out;
    std::map<int64_t, size_t> index;
    {
        SqlStatement q(m_db,
                       (std::string("SELECT ") + kRunColumns + " FROM runs ORDER BY id").c_str());
        int rc;
        while ((rc = q.step()) == SQLITE_ROW) {
            Result<RunRecord> r = readRunRow(q);
            if (!r)
                return r.error();
            index[r->id] = out.size();
            out.push_back(std::move(r).value());
        }
        if (rc != SQLITE_DONE)
            return q.error();
    }
    SqlStatement e(m_db,
                   "SELECT run_id, epoch, train_loss, validation, seconds FROM epochs "
                   "ORDER BY run_id, seq");
    int rc;
    while ((rc = e.step()) == SQLITE_ROW) {
        const auto it = index.find(e.integer(0));
        if (it == index.end())
            continue;
        EpochReport report;
        report.epoch = static_cast<int>(e.integer(1));
        report.trainLoss = e.real(2);
        report.seconds = e.real(4);
        nlohmann::json v = nlohmann::json::parse(e.text(3), nullptr, false);
        if (Result<std::map<std::string, double>> m = metricsFromJson(v, "validation"); m)
            report.validation = std::move(m).value();
        out[it->second].epochs.push_back(std::move(report));
    }
    if (rc != SQLITE_DONE)
        return e.error();
    return out;
}

Result<RunRecord> Workspace::run(int64_t runId) const {
    RunRecord record;
    {
        SqlStatement q(m_db,
                       (std::string("SELECT ") + kRunColumns + " FROM runs WHERE id = ?").c_str());
        q.bind(1, runId);
        const int rc = q.step();
        if (rc == SQLITE_DONE)
            return makeError("workspace: no run with id " + std::to_string(runId));
        if (rc != SQLITE_ROW)
            return q.error();
        Result<RunRecord> r = readRunRow(q);
        if (!r)
            return r.error();
        record = std::move(r).value();
    }
    SqlStatement e(m_db,
                   "SELECT epoch, train_loss, validation, seconds FROM epochs WHERE run_id = ? "
                   "ORDER BY seq");
    e.bind(1, runId);
    int rc;
    while ((rc = e.step()) == SQLITE_ROW) {
        EpochReport report;
        report.epoch = static_cast<int>(e.integer(0));
        report.trainLoss = e.real(1);
        report.seconds = e.real(3);
        nlohmann::json v = nlohmann::json::parse(e.text(2), nullptr, false);
        if (Result<std::map<std::string, double>> m = metricsFromJson(v, "validation"); m)
            report.validation = std::move(m).value();
        record.epochs.push_back(std::move(report));
    }
    if (rc != SQLITE_DONE)
        return e.error();
    return record;
}

Result<PerUserMetrics> Workspace::perUser(int64_t runId) const {
    PerUserMetrics p;
    {
        SqlStatement q(m_db, "SELECT users FROM per_user_users WHERE run_id = ?");
        q.bind(1, runId);
        const int rc = q.step();
        if (rc == SQLITE_DONE)
            return p;  // the run kept no per-user metrics
        if (rc != SQLITE_ROW)
            return q.error();
        p.users = q.blob<int32_t>(0);
    }
    SqlStatement q(m_db, "SELECT metric, data FROM per_user WHERE run_id = ? ORDER BY metric");
    q.bind(1, runId);
    int rc;
    while ((rc = q.step()) == SQLITE_ROW) {
        std::vector<float> values = q.blob<float>(1);
        if (values.size() != p.users.size())
            return makeError("database: per-user metric '" + q.text(0) + "' of run " +
                             std::to_string(runId) + " has the wrong length");
        p.values[q.text(0)] = std::move(values);
    }
    if (rc != SQLITE_DONE)
        return q.error();
    return p;
}

Result<std::string> Workspace::integrityCheck() const {
    SqlStatement q(m_db, "PRAGMA integrity_check");
    std::string out;
    int rc;
    while ((rc = q.step()) == SQLITE_ROW)
        out += (out.empty() ? "" : "\n") + q.text(0);
    if (rc != SQLITE_DONE)
        return q.error();
    return out;
}

std::string Workspace::absoluteCheckpoint(const RunRecord& run) const {
    if (run.checkpoint.empty())
        return {};
    return (fs::path(m_folder) / run.checkpoint).string();
}

Result<int64_t> Workspace::importRunDirectory(const std::string& dir) {
    Result<RunDirectoryContents> contents = readRunDirectory(dir);
    if (!contents)
        return contents.error();
    RunRecord record = std::move(contents->record);
    record.id = 0;
    record.checkpoint.clear();
    if (record.createdAt.empty())
        record.createdAt = nowIso();
    // A run still "running" in a folder can never finish here.
    if (record.status == RunStatus::Running) {
        record.status = RunStatus::Interrupted;
        record.message = "imported while still running";
    }
    fs::path runDir;
    Status s = transaction([&]() -> Status {
        if (Status e = insertRun(record, false); !e)
            return e;
        runDir = fs::path(m_folder) / "runs" / std::to_string(record.id);
        std::error_code ec;
        fs::remove_all(runDir, ec);
        if (!contents->checkpoint.empty()) {
            fs::create_directories(runDir, ec);
            const fs::path temp = runDir / ("model.bin.tmp-" + std::to_string(::getpid()));
            fs::copy(contents->checkpoint, temp,
                     fs::copy_options::recursive | fs::copy_options::skip_symlinks, ec);
            if (ec)
                return makeError("cannot copy the checkpoint: " + ec.message(),
                                 contents->checkpoint);
            if (Status r = replaceAtomically(temp, runDir / "model.bin"); !r)
                return r;
            record.checkpoint = "runs/" + std::to_string(record.id) + "/model.bin";
        }
        return writeResults(record.id, record, &contents->perUser);
    });
    if (!s) {
        std::error_code ec;
        if (!runDir.empty())
            fs::remove_all(runDir, ec);
        return s.error();
    }
    return record.id;
}

}  // namespace recscope
