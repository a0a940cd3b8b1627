#include "app/cli/RecordedRun.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/OpenDataset.h"
#include "app/cli/WorkspaceArg.h"

namespace recscope::cli {

Result<RunRecord> findRecordedRun(const Workspace& ws, const std::string& text) {
    char* end = nullptr;
    errno = 0;
    const long long id = std::strtoll(text.c_str(), &end, 10);
    if (!text.empty() && *end == '\0' && errno == 0 && id > 0)
        return ws.run(id);
    Result<std::vector<RunRecord>> runs = ws.runs();
    if (!runs)
        return runs.error();
    for (RunRecord& r : runs.value())
        if (r.name == text)
            return std::move(r);
    return makeError("no run with id or name '" + text + "' in the workspace", ws.folder());
}

Result<std::shared_ptr<const LoadedRun>> loadRecordedRun(const Workspace& ws, const RunRecord& run,
                                                         const std::string& dataPath,
                                                         bool useCache) {
    const std::string label = "run " + std::to_string(run.id) + " (" + run.name + ")";
    if (run.status != RunStatus::Finished)
        return makeError(label + " is " + runStatusName(run.status) + ", not finished");
    const std::string checkpoint = ws.absoluteCheckpoint(run);
    if (checkpoint.empty())
        return makeError(label + " has no checkpoint to load");
    const std::string path = dataPath.empty() ? run.config.dataset : dataPath;
    Result<Dataset> data = openDataset(path, useCache);
    if (!data)
        return makeError("cannot open the data of " + label +
                         " (use --data PATH if it moved): " + data.error().toString());
    auto shared = std::make_shared<const Dataset>(std::move(data).value());
    Result<LoadedRun> loaded = loadRun(makeLoadRunRequest(run, checkpoint), shared);
    if (!loaded)
        return loaded.error();
    return std::shared_ptr<const LoadedRun>(std::make_shared<LoadedRun>(std::move(loaded).value()));
}

Result<int32_t> userByOriginalId(const Dataset& data, const std::string& text) {
    char* end = nullptr;
    errno = 0;
    const long long id = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno != 0)
        return makeError("--user expects a MovieLens user id, got '" + text + "'");
    const std::optional<int32_t> user = data.userIndex(id);
    if (!user)
        return makeError("user " + text + " is not in the data (" +
                         std::to_string(data.numUsers()) + " users)");
    return *user;
}

void addUserRunOptions(ArgParser& parser) {
    parser.addPositional("WORKSPACE", "Workspace folder");
    parser.addPositional("RUN", "Run id (see 'recscope-cli runs') or exact run name");
    parser.addOption("user", "ID", "MovieLens user id");
    parser.addOption("k", "N", "List length", "10");
    parser.addOption("data", "PATH", "The run's dataset, if it is no longer where it was");
    parser.addFlag("json", "Print one JSON object");
    parser.addFlag("no-cache", "Parse the dataset files even when a cached copy exists");
}

std::optional<UserRun> openUserRun(const ArgParser& parser, int* exitCode) {
    if (!parser.has("user")) {
        *exitCode = parser.usageError("--user is required");
        return std::nullopt;
    }
    const Result<int64_t> k = parser.intValue("k", 10);
    if (!k || k.value() < 1 || k.value() > 10000) {
        *exitCode = parser.usageError("--k must be an integer between 1 and 10000");
        return std::nullopt;
    }
    const auto fail = [exitCode](const Error& e) {
        std::cerr << "recscope-cli: " << e.toString() << "\n";
        *exitCode = 1;
        return std::nullopt;
    };
    UserRun out;
    out.k = static_cast<int>(k.value());
    Result<std::unique_ptr<Workspace>> ws = openExistingWorkspace(parser.positional(0));
    if (!ws)
        return fail(ws.error());
    out.workspace = std::move(ws).value();
    Result<RunRecord> record = findRecordedRun(*out.workspace, parser.positional(1));
    if (!record)
        return fail(record.error());
    out.record = std::move(record).value();
    Result<std::shared_ptr<const LoadedRun>> run =
        loadRecordedRun(*out.workspace, out.record, parser.value("data"), !parser.flag("no-cache"));
    if (!run)
        return fail(run.error());
    out.run = std::move(run).value();
    const Result<int32_t> user = userByOriginalId(*out.run->dataset, parser.value("user"));
    if (!user)
        return fail(user.error());
    out.user = user.value();
    return out;
}

namespace {

std::string title(const Dataset& data, int32_t item) {
    const auto& titles = data.itemMetadata().titles;
    return static_cast<size_t>(item) < titles.size() ? titles[static_cast<size_t>(item)]
                                                     : std::string();
}

std::string moveText(int rank, int otherRank) {
    if (otherRank == 0)
        return "new";
    if (otherRank == rank)
        return "=";
    return (otherRank > rank ? "▲" : "▼") + std::to_string(std::abs(otherRank - rank));
}

}  // namespace

nlohmann::json listJson(const Dataset& data, const std::vector<RecommendedItem>& list,
                        const std::vector<int>& moves) {
    nlohmann::json out = nlohmann::json::array();
    for (size_t i = 0; i < list.size(); ++i) {
        const RecommendedItem& r = list[i];
        nlohmann::json j = {{"rank", i + 1},
                            {"item", data.originalItemId(r.item)},
                            {"title", title(data, r.item)},
                            {"score", r.score},
                            {"hit", r.hit}};
        if (i < moves.size())
            j["other_rank"] = moves[i] == 0 ? nlohmann::json() : nlohmann::json(moves[i]);
        out.push_back(std::move(j));
    }
    return out;
}

std::string listText(const Dataset& data, const std::vector<RecommendedItem>& list,
                     const std::vector<int>& moves) {
    std::string out;
    for (size_t i = 0; i < list.size(); ++i) {
        const RecommendedItem& r = list[i];
        char head[64];
        std::snprintf(head, sizeof head, "%4zu  %s  %9.4f  ", i + 1, r.hit ? "hit" : "   ",
                      static_cast<double>(r.score));
        std::string line = head;
        if (i < moves.size())
            line += moveText(static_cast<int>(i + 1), moves[i]) + "  ";
        line += title(data, r.item) + "  [" + std::to_string(data.originalItemId(r.item)) + "]";
        out += line + "\n";
    }
    return out;
}

}  // namespace recscope::cli
