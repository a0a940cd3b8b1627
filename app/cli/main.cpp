// recscope-cli: the command-line twin of the explorer. Dispatches to one function per command
// (Commands.h); exit codes: 0 success, 1 failure, 2 usage error.

#include <exception>
#include <iostream>
#include <string>

#include "app/cli/Commands.h"
#include "core/common/Allocator.h"
#include "core/common/BuildInfo.h"
#include "core/common/ThreadPolicy.h"
#include "core/nn/TorchModels.h"

namespace {

using recscope::cli::Args;

struct Command {
    const char* name;
    int (*run)(const Args&);
    const char* summary;
    bool computes = false;  // trains or scores models: warn when the BLAS is the slow one
};

const Command kCommands[] = {
    {"info", recscope::cli::cmdInfo, "Summarise a dataset (folder, .zip or demo)"},
    {"split", recscope::cli::cmdSplit, "Split a dataset by a protocol and report the parts"},
    {"generate", recscope::cli::cmdGenerate, "Write the synthetic dataset in a MovieLens layout"},
    {"run", recscope::cli::cmdRun, "Train and evaluate a model on a split", true},
    {"runs", recscope::cli::cmdRuns, "List the runs recorded in a workspace"},
    {"import", recscope::cli::cmdImport, "Copy a run folder into a workspace, after checking it"},
    {"export", recscope::cli::cmdExport,
     "Write a workspace's leaderboard as CSV/TSV/MD/LaTeX/JSON"},
    {"recommend", recscope::cli::cmdRecommend, "A recorded run's top-K for one user"},
    {"inspect", recscope::cli::cmdInspect, "One user's history and a run's lists (both stages)"},
    {"compare", recscope::cli::cmdCompare, "Two runs user by user: wins, Wilcoxon, bootstrap"},
    {"sweep", recscope::cli::cmdSweep, "Tune a model's hyper-parameters on validation"},
    {"reproduce", recscope::cli::cmdReproduce,
     "Run the published set-ups the data allows; RecScope beside the published figures"},
    {"launch", recscope::cli::cmdLaunch,
     "Start N local ranks of a data-parallel command (like torchrun)"},
};

void printHelp(std::ostream& out) {
    out << "Usage: recscope-cli <command> [arguments] [options]\n"
           "       recscope-cli <command> --help\n\n"
           "Train, evaluate and inspect recommender systems on MovieLens from the command line.\n\n"
           "Commands:\n";
    for (const Command& c : kCommands) {
        const std::string name = c.name;
        out << "  " << name << std::string(12 - name.size(), ' ') << c.summary << "\n";
    }
    out << "\nOptions:\n"
           "  --help      Show this help and exit\n"
           "  --version   Show the version and exit\n";
}

// The version and what this process loaded: what a bug report needs.
void printVersion(std::ostream& out) {
    const recscope::BuildInfo& info = recscope::buildInfo();
    const recscope::BlasInfo& blas = info.blas;
    out << "recscope-cli " << info.version << "\n"
        << "LibTorch " << info.torchVersion << ", FAISS " << info.faissVersion << "\n"
        << "BLAS: " << blas.name << (blas.threading.empty() ? "" : ", " + blas.threading)
        << (blas.library.empty() ? "" : " (" + blas.library + ")") << "\n"
        << (blas.kernels.empty() ? "" : "BLAS kernels: " + blas.kernels + "\n")
        << "LAPACK: " << (blas.lapack.empty() ? std::string("none loaded") : blas.lapack) << "\n"
        << "CUDA devices: " << info.cudaDevices << "\n"
        << "OpenMP wait policy: " << recscope::openMpWaitPolicy() << "\n";
    if (const std::string warning = recscope::referenceBlasWarning(); !warning.empty())
        std::cerr << warning << "\n";
}

}  // namespace

int main(int argc, char** argv) {
    recscope::preferPassiveOpenMpWaiting(argv);  // may execute this program again, first
    recscope::tuneAllocatorForTraining();
    recscope::registerTorchModels();
    const Args all(argv + 1, argv + argc);
    if (all.empty()) {
        printHelp(std::cerr);
        return 2;
    }
    const std::string& first = all[0];
    if (first == "--help" || first == "-h") {
        printHelp(std::cout);
        return 0;
    }
    if (first == "--version") {
        printVersion(std::cout);
        return 0;
    }
    std::string name = first;
    Args rest(all.begin() + 1, all.end());
    if (name == "help") {
        if (rest.empty()) {
            printHelp(std::cout);
            return 0;
        }
        name = rest[0];
        rest = {"--help"};
    }
    for (const Command& c : kCommands) {
        if (name != c.name)
            continue;
        if (c.computes)
            if (const std::string warning = recscope::referenceBlasWarning(); !warning.empty())
                std::cerr << warning << "\n";
        try {
            return c.run(rest);
        } catch (const std::exception& e) {
            std::cerr << "recscope-cli " << name << ": internal error: " << e.what() << "\n";
            return 1;
        }
    }
    std::cerr << "recscope-cli: unknown command '" << name << "'\n"
              << "Try 'recscope-cli --help'.\n";
    return 2;
}
