#pragma once
// The WORKSPACE RUN arguments of `recommend`, `inspect` and `compare`: a run of an existing
// workspace by id (or by its exact name), and for the first two the run made ready for
// inspection (its dataset opened from the path it was trained on, or --data, re-split as the
// run split it, its checkpoint loaded).

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "app/cli/ArgParser.h"
#include "core/common/Status.h"
#include "core/data/Dataset.h"
#include "core/inspect/LoadedRun.h"
#include "core/inspect/UserInspection.h"
#include "core/workspace/Workspace.h"

namespace recscope::cli {

// A run of `ws` by id ("7") or by exact name ("bpr #7"). Errors name what was not found.
Result<RunRecord> findRecordedRun(const Workspace& ws, const std::string& text);

// Loads a finished run with its checkpoint. `dataPath` empty: the path the run was trained on.
// Errors: unfinished run, no checkpoint, data not found or not the run's (fingerprint).
Result<std::shared_ptr<const LoadedRun>> loadRecordedRun(const Workspace& ws, const RunRecord& run,
                                                         const std::string& dataPath,
                                                         bool useCache);

// A user of the dataset by its MovieLens id. Errors: not a number, not in the dataset.
Result<int32_t> userByOriginalId(const Dataset& data, const std::string& text);

// The arguments of a command about one user under a recorded run (recommend, inspect):
// WORKSPACE RUN --user ID --k N --data PATH --json --no-cache.
void addUserRunOptions(ArgParser& parser);

struct UserRun {
    std::unique_ptr<Workspace> workspace;
    RunRecord record;
    std::shared_ptr<const LoadedRun> run;
    int32_t user = 0;  // dense id of run->dataset
    int k = 10;
};

// Reads those arguments and loads the run. On failure returns nothing with the exit code in
// *exitCode (2: usage, reported with the hint; 1: the workspace, run, data or user, reported).
std::optional<UserRun> openUserRun(const ArgParser& parser, int* exitCode);

// A list as JSON objects {rank, item (MovieLens id), title, score, hit} and as text lines
// "  1  ✓  0.8123  Star Wars (1977)  [50]". `moves` (optional, same length): rank in the other
// list (0 = not in it), shown as "▲2", "▼1", "new".
nlohmann::json listJson(const Dataset& data, const std::vector<RecommendedItem>& list,
                        const std::vector<int>& moves = {});
std::string listText(const Dataset& data, const std::vector<RecommendedItem>& list,
                     const std::vector<int>& moves = {});

}  // namespace recscope::cli
