// recscope-cli recommend WORKSPACE RUN --user ID: a recorded run's top-K for one user, with the
// evaluator's exclusion rule (UserInspection) and the user's test hits marked.

#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/ArgParser.h"
#include "app/cli/Commands.h"
#include "app/cli/RecordedRun.h"
#include "core/split/Split.h"

namespace recscope::cli {

int cmdRecommend(const Args& args) {
    ArgParser parser("recommend",
                     "Recommend for one user with a recorded run: the run's model, reloaded from\n"
                     "its checkpoint, scores every item; the items the evaluator excludes (under\n"
                     "the run's list rule, the user's training positives or every rated item,\n"
                     "and the validation items) are left out, as in the run's evaluation. Items\n"
                     "the user rated highly in the test part are hits.");
    addUserRunOptions(parser);
    if (std::optional<int> code = parser.parseOrExit(args))
        return *code;
    int code = 0;
    std::optional<UserRun> opened = openUserRun(parser, &code);
    if (!opened)
        return code;
    const RunRecord* record = &opened->record;
    const Dataset& data = *opened->run->dataset;
    const int32_t user = opened->user;
    const int n = opened->k;
    const UserInspection inspection(opened->run);
    const Result<std::vector<RecommendedItem>> list = inspection.topK(RunStage::Final, user, n);
    if (!list) {
        std::cerr << "recscope-cli recommend: " << list.error().toString() << "\n";
        return 1;
    }
    const size_t testItems = inspection.testPositives(user).size();
    const size_t excluded = inspection.excludedItems(user).size();
    const ListMetrics m = inspection.metrics(list.value(), user, n);
    if (parser.flag("json")) {
        nlohmann::json out = {{"run", record->id},
                              {"name", record->name},
                              {"model", record->config.model},
                              {"user", data.originalUserId(user)},
                              {"k", n},
                              {"excluded", excluded},
                              {"exclude", excludeRuleName(record->config.split.exclude)},
                              {"test_positives", testItems},
                              {"items", listJson(data, list.value())}};
        if (testItems > 0)
            out["metrics"] = {{"hit", m.hit}, {"recall", m.recall}, {"ndcg", m.ndcg}};
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    std::cout << "Run " << record->id << " (" << record->name << "), user "
              << data.originalUserId(user) << ": top " << n << ", " << excluded
              << " items excluded ("
              << (record->config.split.exclude == ExcludeRule::Rated ? "rated in training"
                                                                     : "training positives")
              << " and validation items), " << testItems
              << " test positives\n\n"
              << listText(data, list.value());
    if (testItems > 0)
        std::cout << "\n"
                  << std::fixed << std::setprecision(4) << "This user: Recall@" << n << " "
                  << m.recall << ", NDCG@" << n << " " << m.ndcg << "\n";
    return 0;
}

}  // namespace recscope::cli
