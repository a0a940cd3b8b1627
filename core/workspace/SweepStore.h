#pragma once
// The sweep groups of a workspace (core/sweep): for each sweep its definition, dataset, status
// and the run of each trial, plus the best trial and its test re-evaluation. Two tables next to
// `runs`, created the first time a sweep is recorded (CREATE TABLE IF NOT EXISTS, schema version
// unchanged), so a workspace with sweeps still opens in a build that knows none, and one
// without them reads as having no sweeps. Deleting a run leaves its trial without a run (the
// sweep redoes it when resumed).
//
// Thread rules: those of the Workspace it reads (one thread at a time).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/common/Status.h"
#include "core/workspace/Workspace.h"

namespace recscope {

struct SweepTrialRecord {
    int trial = 0;                              // 0-based index in the sweep's expansion
    std::map<std::string, std::string> params;  // the swept values
    int64_t runId = 0;                          // 0 when no run (yet, or deleted)
};

struct SweepRecord {
    int64_t id = 0;
    std::string name;
    std::string createdAt;  // ISO 8601 UTC
    // Running (a live process works on it), Finished, Cancelled, Failed, or Interrupted (left
    // running by a process that ended; reported so on reading).
    RunStatus status = RunStatus::Running;
    std::string message;
    std::string spec;  // the definition as JSON text (core/sweep/SweepSpec.h)
    DatasetIdentity dataset;
    int64_t bestRunId = 0;  // the best trial by the validation metric; 0 until chosen
    int64_t testRunId = 0;  // the best configuration evaluated on the test part; 0 until done
    std::vector<SweepTrialRecord> trials;  // ascending trial
};

class SweepStore {
public:
    explicit SweepStore(Workspace& workspace) : m_workspace(workspace) {}

    // A new sweep in status Running, owned by this process. Returns its id.
    Result<int64_t> createSweep(const SweepRecord& record);
    // Takes over a sweep to resume it: Running again, owned by this process. Errors when
    // another live process is running it, or no such sweep.
    Status claimSweep(int64_t sweepId);
    // Links (or relinks) a trial to its latest run.
    Status setTrialRun(int64_t sweepId, const SweepTrialRecord& trial);
    Status setBest(int64_t sweepId, int64_t bestRunId, int64_t testRunId);
    Status finishSweep(int64_t sweepId, RunStatus status, const std::string& message);
    Status deleteSweep(int64_t sweepId);  // the group only: its runs stay

    Result<std::vector<SweepRecord>> sweeps() const;  // ascending id, with trials
    Result<SweepRecord> sweep(int64_t sweepId) const;

private:
    Status ensureTables();
    bool hasTables() const;
    Result<std::vector<SweepRecord>> read(int64_t onlyId) const;

    Workspace& m_workspace;
};

}  // namespace recscope
