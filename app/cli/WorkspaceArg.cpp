#include "app/cli/WorkspaceArg.h"

#include <filesystem>

namespace recscope::cli {

Result<std::unique_ptr<Workspace>> openExistingWorkspace(const std::string& folder) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        return makeError("no such workspace folder", folder);
    if (!fs::exists(fs::path(folder) / Workspace::databaseFile(), ec))
        return makeError("not a workspace (no " + Workspace::databaseFile() + " in it)", folder);
    return Workspace::open(folder);
}

}  // namespace recscope::cli
