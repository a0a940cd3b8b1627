#pragma once
// A self-contained run on disk, for moving runs between machines: `recscope-cli run --out DIR`
// writes it, the GUI and Workspace::importRunDirectory read it.
//   DIR/run.json        RunRecord without id (config, dataset identity, params, metrics,
//                       stages, epochs, times, status)
//   DIR/per_user.csv    user,<metric>,<metric>... one row per evaluated user
//   DIR/model.bin       the checkpoint (omitted for models that cannot save)
// Each file is written to a temporary name and renamed; run.json is written last, so a folder
// without run.json is an incomplete run and is rejected on read.

#include <string>

#include "core/common/Status.h"
#include "core/workspace/Workspace.h"

namespace recscope {

Status writeRunDirectory(const std::string& dir, const RunRecord& record,
                         const PerUserMetrics& perUser, const Recommender* model);

struct RunDirectoryContents {
    RunRecord record;  // id 0
    PerUserMetrics perUser;
    std::string checkpoint;  // absolute path of model.bin, or empty
};
// Errors name the file and, for CSV, the line.
Result<RunDirectoryContents> readRunDirectory(const std::string& dir);

}  // namespace recscope
