#pragma once
// Opening the workspace argument of `runs` and `export`: unlike `run --workspace`, these read an
// existing workspace and never create one.

#include <memory>
#include <string>

#include "core/common/Status.h"
#include "core/workspace/Workspace.h"

namespace recscope::cli {

// Errors: no such folder, no workspace.db in it, or what Workspace::open reports.
Result<std::unique_ptr<Workspace>> openExistingWorkspace(const std::string& folder);

}  // namespace recscope::cli
