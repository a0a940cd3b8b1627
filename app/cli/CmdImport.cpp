// recscope-cli import WORKSPACE RUN_FOLDER: the command-line twin of File ▸ Import Run Folder
// (both call Workspace::importRunDirectory), so that a script can vet a folder from someone
// else before anyone opens it.

#include <iostream>

#include "app/cli/ArgParser.h"
#include "app/cli/Commands.h"
#include "app/cli/WorkspaceArg.h"

namespace recscope::cli {

int cmdImport(const Args& args) {
    ArgParser parser("import",
                     "Copy a run folder (written by `run --out`) into a workspace: its record,\n"
                     "per-user metrics and checkpoint. A folder that names files outside\n"
                     "itself, holds symbolic links or has a malformed file is refused with the\n"
                     "file and the reason (exit 1), and nothing is recorded.");
    parser.addPositional("WORKSPACE", "Workspace folder (holding workspace.db)");
    parser.addPositional("RUN_FOLDER", "Folder holding run.json, per_user.csv and model.bin");
    if (Status s = parser.parse(args); !s) {
        std::cerr << "recscope-cli " << s.error().message << "\n"
                  << "Try 'recscope-cli import --help'.\n";
        return 2;
    }
    if (parser.helpRequested()) {
        std::cout << parser.helpText();
        return 0;
    }
    Result<std::unique_ptr<Workspace>> ws = openExistingWorkspace(parser.positional(0));
    if (!ws) {
        std::cerr << "recscope-cli import: " << ws.error().toString() << "\n";
        return 1;
    }
    const Result<int64_t> id = ws.value()->importRunDirectory(parser.positional(1));
    if (!id) {
        std::cerr << "recscope-cli import: " << id.error().toString() << "\n";
        return 1;
    }
    const Result<RunRecord> run = ws.value()->run(id.value());
    std::cout << "imported run " << id.value();
    if (run)
        std::cout << " (" << run->name << ", " << run->config.model << ", "
                  << runStatusName(run->status) << ")";
    std::cout << "\n";
    return 0;
}

}  // namespace recscope::cli
