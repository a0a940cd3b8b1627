// recscope-cli runs DIR: the runs of a workspace, one line each (or --json).

#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <vector>

#include "app/cli/ArgParser.h"
#include "app/cli/Commands.h"
#include "app/cli/WorkspaceArg.h"

namespace recscope::cli {

namespace {

const char* kShownMetrics[] = {"recall@10", "ndcg@10"};

std::string metricText(const RunRecord& r, const std::string& key) {
    const auto it = r.metrics.find(key);
    if (it == r.metrics.end() || !std::isfinite(it->second))
        return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", it->second);
    return buf;
}

}  // namespace

int cmdRuns(const Args& args) {
    ArgParser parser("runs",
                     "List the runs of a workspace: id, name, model, status, dataset and the\n"
                     "test Recall@10 and NDCG@10 of finished runs. Runs left running by a\n"
                     "process that ended are shown as interrupted.");
    parser.addPositional("DIR", "Workspace folder (holding workspace.db)");
    parser.addFlag("json", "Print a JSON array instead of a table");
    if (Status s = parser.parse(args); !s) {
        std::cerr << "recscope-cli " << s.error().message << "\n"
                  << "Try 'recscope-cli runs --help'.\n";
        return 2;
    }
    if (parser.helpRequested()) {
        std::cout << parser.helpText();
        return 0;
    }
    Result<std::unique_ptr<Workspace>> ws = openExistingWorkspace(parser.positional(0));
    if (!ws) {
        std::cerr << "recscope-cli runs: " << ws.error().toString() << "\n";
        return 1;
    }
    const Result<std::vector<RunRecord>> runs = ws.value()->runs();
    if (!runs) {
        std::cerr << "recscope-cli runs: " << runs.error().toString() << "\n";
        return 1;
    }
    if (parser.flag("json")) {
        nlohmann::json out = nlohmann::json::array();
        for (const RunRecord& r : runs.value()) {
            nlohmann::json j = {{"id", r.id},
                                {"name", r.name},
                                {"model", r.config.model},
                                {"status", runStatusName(r.status)},
                                {"message", r.message},
                                {"dataset", r.dataset.name},
                                {"created_at", r.createdAt},
                                {"epochs", r.epochs.size()},
                                {"checkpoint", ws.value()->absoluteCheckpoint(r)}};
            for (const char* m : kShownMetrics) {
                const auto it = r.metrics.find(m);
                j[m] = it != r.metrics.end() && std::isfinite(it->second)
                           ? nlohmann::json(it->second)
                           : nlohmann::json(nullptr);
            }
            out.push_back(std::move(j));
        }
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    if (runs->empty()) {
        std::cout << "No runs in " << ws.value()->folder() << "\n";
        return 0;
    }
    std::vector<std::vector<std::string>> rows = {
        {"id", "name", "model", "status", "dataset", kShownMetrics[0], kShownMetrics[1]}};
    for (const RunRecord& r : runs.value())
        rows.push_back({std::to_string(r.id), r.name, r.config.model, runStatusName(r.status),
                        r.dataset.name, metricText(r, kShownMetrics[0]),
                        metricText(r, kShownMetrics[1])});
    std::vector<size_t> width(rows[0].size(), 0);
    for (const auto& row : rows)
        for (size_t c = 0; c < row.size(); ++c)
            width[c] = std::max(width[c], row[c].size());
    for (const auto& row : rows) {
        std::string line;
        for (size_t c = 0; c < row.size(); ++c) {
            const std::string pad(width[c] - row[c].size(), ' ');
            // Numbers right-aligned (id and the metrics), text left-aligned.
            const bool right = c == 0 || c >= 5;
            line += (c ? "  " : "") + (right ? pad + row[c] : row[c] + pad);
        }
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        std::cout << line << "\n";
    }
    return 0;
}

}  // namespace recscope::cli
