#pragma once
// The leaderboard as a Table: one row per run, a column per chosen metric, the best value of
// each metric column marked. Shared by `recscope-cli export` and the GUI's leaderboard export,
// so both write the same file for the same runs.

#include <string>
#include <vector>

#include "core/eval/MetricCatalogue.h"
#include "core/export/TableExport.h"
#include "core/workspace/Workspace.h"

namespace recscope {

// Columns: id, name, model, dataset, exclude (the list rule), fit_on (train or train+val, what
// the model saw), then `metrics` (values with `decimals` decimals; a run
// without the metric gets an empty cell). Rows in the order of `runs`. Ties for best are all
// marked; non-finite values are never best.
Table leaderboardTable(const std::vector<RunRecord>& runs, const std::vector<std::string>& metrics,
                       int decimals = 4);

}  // namespace recscope
