// recscope-cli compare WORKSPACE RUN_A RUN_B: two recorded runs user by user (the leaderboard's
// Compare): wins / ties / losses of A over B, the Wilcoxon signed-rank p-value and the mean
// difference with its bootstrap 95% interval, per metric.

#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/cli/ArgParser.h"
#include "app/cli/Commands.h"
#include "app/cli/RecordedRun.h"
#include "app/cli/WorkspaceArg.h"
#include "core/eval/PairedComparison.h"
#include "core/export/TableExport.h"

namespace recscope::cli {

namespace {

std::string number(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string pText(double p) {
    if (p < 1e-4) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.1e", p);
        return buf;
    }
    return number(p, 4);
}

}  // namespace

int cmdCompare(const Args& args) {
    ArgParser parser("compare",
                     "Compare two recorded runs on the users both evaluated: for each metric the\n"
                     "users where A is better / equal / worse, both means, the mean of A - B with\n"
                     "its percentile bootstrap 95% interval (2000 resamples, seed 42) and the\n"
                     "two-sided Wilcoxon signed-rank p-value.");
    parser.addPositional("WORKSPACE", "Workspace folder");
    parser.addPositional("RUN_A", "Run id or exact name");
    parser.addPositional("RUN_B", "Run id or exact name");
    parser.addOption("metrics", "LIST", "Per-user metrics to compare", "ndcg@10,recall@10");
    parser.addFlag("json", "Print one JSON object");
    if (std::optional<int> code = parser.parseOrExit(args))
        return *code;
    std::vector<std::string> metrics;
    std::stringstream list(parser.value("metrics", "ndcg@10,recall@10"));
    for (std::string m; std::getline(list, m, ',');)
        if (!m.empty())
            metrics.push_back(m);
    if (metrics.empty())
        return parser.usageError("--metrics needs at least one metric");
    const auto fail = [](const Error& e) {
        std::cerr << "recscope-cli compare: " << e.toString() << "\n";
        return 1;
    };
    Result<std::unique_ptr<Workspace>> ws = openExistingWorkspace(parser.positional(0));
    if (!ws)
        return fail(ws.error());
    RunRecord runs[2];
    EvalResult results[2];
    for (int i = 0; i < 2; ++i) {
        Result<RunRecord> r = findRecordedRun(*ws.value(), parser.positional(1 + i));
        if (!r)
            return fail(r.error());
        runs[i] = std::move(r).value();
        if (runs[i].status != RunStatus::Finished)
            return fail(makeError("run " + std::to_string(runs[i].id) + " is " +
                                  runStatusName(runs[i].status) + ", not finished"));
        Result<PerUserMetrics> perUser = ws.value()->perUser(runs[i].id);
        if (!perUser)
            return fail(perUser.error());
        results[i] = evalResultOf(std::move(perUser).value());
    }
    if (runs[0].config.evaluateOn != runs[1].config.evaluateOn)
        return fail(
            makeError("one run was evaluated on the validation part and the other on "
                      "the test part; their users' values are not comparable"));
    std::vector<PairedComparison> compared;
    for (const std::string& m : metrics) {
        Result<PairedComparison> c = comparePaired(results[0], results[1], m);
        if (!c)
            return fail(c.error());
        compared.push_back(std::move(c).value());
    }
    if (parser.flag("json")) {
        nlohmann::json rows = nlohmann::json::array();
        for (const PairedComparison& c : compared)
            rows.push_back({{"metric", c.metric},
                            {"users", c.users},
                            {"wins", c.wins},
                            {"ties", c.ties},
                            {"losses", c.losses},
                            {"mean_a", c.meanA},
                            {"mean_b", c.meanB},
                            {"difference", c.difference.mean},
                            {"ci_low", c.difference.low},
                            {"ci_high", c.difference.high},
                            {"wilcoxon_p", c.wilcoxon.pValue},
                            {"wilcoxon_exact", c.wilcoxon.exact}});
        const nlohmann::json out = {{"a", {{"run", runs[0].id}, {"name", runs[0].name}}},
                                    {"b", {{"run", runs[1].id}, {"name", runs[1].name}}},
                                    {"comparisons", rows}};
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    Table table;
    table.headers = {"metric", "users",  "A wins", "ties",   "B wins",
                     "mean A", "mean B", "A - B",  "95% CI", "Wilcoxon p"};
    table.numeric = {false, true, true, true, true, true, true, true, false, true};
    for (const PairedComparison& c : compared)
        table.rows.push_back(
            {c.metric, std::to_string(c.users), std::to_string(c.wins), std::to_string(c.ties),
             std::to_string(c.losses), number(c.meanA, 4), number(c.meanB, 4),
             number(c.difference.mean, 4),
             "[" + number(c.difference.low, 4) + ", " + number(c.difference.high, 4) + "]",
             pText(c.wilcoxon.pValue)});
    std::cout << "A: run " << runs[0].id << " (" << runs[0].name << ")\nB: run " << runs[1].id
              << " (" << runs[1].name << ")\n\n"
              << renderTable(table, TableFormat::Markdown);
    return 0;
}

}  // namespace recscope::cli
