#pragma once
// A sweep's trials with their outcomes, as the CLI prints them and the GUI's sweep view shows
// them: one row per trial (swept values, run, status, validation metric), the best trial, and
// the test run of the best configuration. Also the rule that picks the best, shared by the
// runner, so the view marks the trial the sweep chose.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/export/TableExport.h"
#include "core/sweep/SweepSpec.h"
#include "core/workspace/SweepStore.h"
#include "core/workspace/Workspace.h"

namespace recscope {

struct SweepRow {
    int trial = 0;  // 0-based
    std::map<std::string, std::string> params;
    int64_t runId = 0;    // 0: not run yet
    bool hasRun = false;  // the run exists in the workspace
    RunStatus status = RunStatus::Running;
    double value = 0.0;  // validation metric; NaN when none
    double trainSeconds = 0.0;
};

struct SweepResults {
    SweepRecord record;
    SweepSpec spec;
    std::vector<std::string> paramNames;  // swept parameters, in the definition's order
    std::vector<SweepRow> rows;           // ascending trial
    int bestRow = -1;                     // index into rows; -1 when no trial finished
    bool higherIsBetter = true;           // of spec.metric
    const RunRecord* testRun = nullptr;   // into the runs given to collect; may be null
};

// `findRun` looks a run up by id (null when it does not exist). Errors: a malformed definition.
Result<SweepResults> collectSweepResults(const SweepRecord& record,
                                         const std::function<const RunRecord*(int64_t)>& findRun);

// The best row: the finished trial with the best finite validation metric, the first of
// equals; -1 when none.
int bestSweepRow(const std::vector<SweepRow>& rows, bool higherIsBetter);

// Columns: trial, each swept parameter, "val <metric>", status, run, train s. The best trial's
// metric cell is marked. Numbers with `decimals` decimals.
Table sweepTable(const SweepResults& results, int decimals = 4);

}  // namespace recscope
