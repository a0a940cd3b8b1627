#pragma once
// A workspace is a folder holding runs: an SQLite database (workspace.db, WAL journal) with each
// run's configuration, dataset identity, per-epoch history, final metrics and per-user metrics,
// and a checkpoint per run under runs/<id>/. The GUI keeps one open; `recscope-cli run
// --workspace DIR` adds runs to the same folder (SQLite serialises the two writers).
//
// Crash safety: every write is one transaction; checkpoints are written to a temporary file and
// renamed, so a killed process leaves either the old state or the new one. Runs found still
// "running" when a workspace is opened by a process that did not start them are marked
// Interrupted.
//
// Thread rules: one Workspace object is used by one thread at a time.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/common/Status.h"
#include "core/models/Recommender.h"
#include "core/run/Experiment.h"

struct sqlite3;

namespace recscope {

enum class RunStatus { Running, Finished, Cancelled, Failed, Interrupted };
std::string runStatusName(RunStatus status);  // "running", "finished", ...

struct DatasetIdentity {
    std::string name;    // e.g. "ml-100k", "demo"
    std::string format;  // reader format ("100k", "csv", ...)
    int32_t users = 0;
    int32_t items = 0;
    int64_t ratings = 0;
    std::string fingerprint;  // stable hash of the ratings (same data => same fingerprint)
};
DatasetIdentity datasetIdentity(const Dataset& data, const std::string& name);

struct PerUserMetrics {
    std::vector<int32_t> users;                        // ascending
    std::map<std::string, std::vector<float>> values;  // metric -> value per users[i]
};

struct RunRecord {
    int64_t id = 0;         // assigned by the workspace
    std::string name;       // shown in the leaderboard; default defaultRunName()
    std::string createdAt;  // ISO 8601 UTC, set by createRun
    RunStatus status = RunStatus::Running;
    std::string message;  // the error for Failed, "cancelled" for Cancelled
    RunConfig config;
    DatasetIdentity dataset;
    std::map<std::string, std::string> params;  // resolved
    std::map<std::string, double> metrics;      // final test metrics
    std::map<std::string, double> stages;       // "retriever.ndcg@10", "candidates.recall", ...
    std::vector<EpochReport> epochs;
    int32_t usersEvaluated = 0;
    double trainSeconds = 0.0;
    double evalSeconds = 0.0;
    std::string checkpoint;  // path relative to the workspace folder; empty if none
    // Added with the implementation: what the run resolved to (as `recscope-cli run --json`).
    std::string stagesIndex;  // two-stage models: the index used ("Flat", ...)
    bool fitOnTrainAndValidation = false;
    int32_t trainRatings = 0;
    int32_t evaluatedNegatives = 0;  // 0 = full ranking
};

// Fills a record's results from an outcome: params, metrics, stages, epochs, users, times, the
// fit/eval details and config.device (the device the run ran on); status becomes Finished. The
// checkpoint is left alone.
void applyOutcome(RunRecord& record, const RunOutcome& outcome);
// The per-user vectors of an evaluation (empty when it kept none).
PerUserMetrics perUserMetrics(const EvalResult& result);
// Back: an EvalResult holding only the users and their per-user vectors (what a paired
// comparison or a bootstrap of a recorded run needs).
EvalResult evalResultOf(PerUserMetrics perUser);
// "running" ... back to the enum; false for an unknown name.
bool parseRunStatus(const std::string& name, RunStatus* status);

// A run's name when none is given: "<model> #<id>", with the parameters that pick a variant
// (word values such as user_tower=attention; not numbers or true/false) in brackets:
// "twotower (user_tower=attention) #7".
std::string defaultRunName(const RunConfig& config, int64_t id);

class Workspace {
public:
    ~Workspace();
    Workspace(const Workspace&) = delete;
    Workspace& operator=(const Workspace&) = delete;

    // Opens (creating the folder and database when missing). Errors: not a folder, not
    // writable, a database of another program or a newer schema.
    static Result<std::unique_ptr<Workspace>> open(const std::string& folder);

    const std::string& folder() const { return m_folder; }

    // Inserts a run in status Running (record.id and createdAt are assigned and returned).
    Result<int64_t> createRun(RunRecord record);
    Status appendEpoch(int64_t runId, const EpochReport& epoch);
    // Final state of a run. For Finished, `outcome` supplies metrics, stages, per-user metrics
    // and times, and `model` (may be null) is saved as the run's checkpoint.
    Status finishRun(int64_t runId, const RunOutcome& outcome);
    Status failRun(int64_t runId, RunStatus status, const std::string& message);
    Status renameRun(int64_t runId, const std::string& name);
    Status deleteRun(int64_t runId);  // also removes its checkpoint folder

    Result<std::vector<RunRecord>> runs() const;  // ascending id, with epochs
    Result<RunRecord> run(int64_t runId) const;
    Result<PerUserMetrics> perUser(int64_t runId) const;
    std::string absoluteCheckpoint(const RunRecord& run) const;  // empty if none

    // A run directory written by `recscope-cli run --out DIR` (see RunDirectory.h) becomes a
    // run of this workspace (its checkpoint is copied in). Returns the new id.
    Result<int64_t> importRunDirectory(const std::string& dir);

    // Marks Interrupted every Running run whose writing process has ended (open() does this
    // too; a long-lived GUI may call it again to notice a killed CLI). Returns how many.
    Result<int> markInterruptedRuns();
    // Removes the folders under runs/ that belong to no run: what an import (or a deletion)
    // killed before its transaction committed leaves behind. SQLite hands a rolled-back id out
    // again, so such a folder would otherwise meet the next run of that id. Only while no other
    // process writes: an import holds the write lock while it copies, so its folder is never
    // taken for an orphan. open() calls it. Returns how many folders went.
    int removeOrphanRunFolders();

    // SQLite's `PRAGMA integrity_check`: "ok", or its list of problems.
    Result<std::string> integrityCheck() const;

    // The schema this build writes (`PRAGMA user_version`).
    static constexpr int kSchemaVersion = 1;
    static std::string databaseFile() { return "workspace.db"; }

private:
    friend class SweepStore;  // the sweep tables share the connection and its transactions
    Workspace() = default;
    Status exec(const std::string& sql) const;
    Status transaction(const std::function<Status()>& body);
    Status insertRun(RunRecord& record, bool withResults);
    Status writeResults(int64_t runId, const RunRecord& record, const PerUserMetrics* perUser);
    Status saveCheckpoint(int64_t runId, const Recommender& model, std::string* relative);

    std::string m_folder;
    sqlite3* m_db = nullptr;
};

}  // namespace recscope
