// recscope-cli inspect WORKSPACE RUN --user ID: one user's history with its split parts and the
// run's lists; a two-stage run shows the retriever's and the ranker's lists, rank moves marked
// (the inspector's view on a terminal).

#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/ArgParser.h"
#include "app/cli/Commands.h"
#include "app/cli/OpenDataset.h"
#include "app/cli/RecordedRun.h"

namespace recscope::cli {

int cmdInspect(const Args& args) {
    ArgParser parser("inspect",
                     "One user under a recorded run: the history (date, rating, title, and the\n"
                     "part of the split each rating went to), then the run's top-K with hits; for\n"
                     "a two-stage run the retriever's and the ranker's lists, each ranker item\n"
                     "marked with its move against the retriever's list.");
    addUserRunOptions(parser);
    if (std::optional<int> code = parser.parseOrExit(args))
        return *code;
    int code = 0;
    std::optional<UserRun> opened = openUserRun(parser, &code);
    if (!opened)
        return code;
    const RunRecord* record = &opened->record;
    const LoadedRun& loaded = *opened->run;
    const Dataset& data = *loaded.dataset;
    const int32_t user = opened->user;
    const int n = opened->k;
    const UserInspection inspection(opened->run);

    // Lists: the final one, and for a two-stage run the retriever's before it.
    std::vector<RunStage> stages = {RunStage::Final};
    if (loaded.twoStage())
        stages.insert(stages.begin(), RunStage::Retriever);
    std::vector<std::vector<RecommendedItem>> lists;
    for (RunStage stage : stages) {
        Result<std::vector<RecommendedItem>> list = inspection.topK(stage, user, n);
        if (!list) {
            std::cerr << "recscope-cli inspect: " << list.error().toString() << "\n";
            return 1;
        }
        lists.push_back(std::move(list).value());
    }
    const std::vector<int> moves =
        lists.size() == 2 ? UserInspection::ranksIn(lists[1], lists[0]) : std::vector<int>();
    const std::vector<HistoryRow> history = inspection.history(user);
    const auto& titles = data.itemMetadata().titles;
    const auto titleOf = [&](int32_t item) {
        return static_cast<size_t>(item) < titles.size() ? titles[static_cast<size_t>(item)]
                                                         : std::string();
    };

    if (parser.flag("json")) {
        nlohmann::json rows = nlohmann::json::array();
        for (const HistoryRow& h : history)
            rows.push_back({{"item", data.originalItemId(h.item)},
                            {"title", titleOf(h.item)},
                            {"rating", h.rating},
                            {"date", isoDate(h.timestamp)},
                            {"part", historyPartName(h.part)},
                            {"positive", h.positive}});
        nlohmann::json out = {{"run", record->id},
                              {"name", record->name},
                              {"model", record->config.model},
                              {"user", data.originalUserId(user)},
                              {"train_ratings", inspection.trainCount(user)},
                              {"history", rows}};
        nlohmann::json listsJson = nlohmann::json::object();
        for (size_t s = 0; s < lists.size(); ++s) {
            const ListMetrics m = inspection.metrics(lists[s], user, n);
            listsJson[loaded.stageName(stages[s])] = {
                {"items", listJson(data, lists[s], s == 1 ? moves : std::vector<int>())},
                {"recall", m.recall},
                {"ndcg", m.ndcg},
                {"hit", m.hit}};
        }
        out["lists"] = listsJson;
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    std::cout << "Run " << record->id << " (" << record->name << "), user "
              << data.originalUserId(user) << ": " << history.size() << " ratings, "
              << inspection.trainCount(user) << " in the data the model was fitted on\n\n"
              << "History (time order):\n";
    for (const HistoryRow& h : history)
        std::cout << "  " << isoDate(h.timestamp) << "  " << std::setw(10) << std::left
                  << historyPartName(h.part) << std::right << "  " << std::fixed
                  << std::setprecision(1) << h.rating << (h.positive ? "+" : " ") << "  "
                  << titleOf(h.item) << "  [" << data.originalItemId(h.item) << "]\n";
    for (size_t s = 0; s < lists.size(); ++s) {
        const ListMetrics m = inspection.metrics(lists[s], user, n);
        std::cout << "\n"
                  << loaded.stageName(stages[s]) << " top " << n << std::fixed
                  << std::setprecision(4) << " (Recall@" << n << " " << m.recall << ", NDCG@" << n
                  << " " << m.ndcg << "):\n"
                  << listText(data, lists[s], s == 1 ? moves : std::vector<int>());
    }
    return 0;
}

}  // namespace recscope::cli
