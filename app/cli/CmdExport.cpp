// recscope-cli export DIR --format F: the workspace's leaderboard as CSV, TSV, Markdown, LaTeX
// or JSON (the same table the GUI's leaderboard exports).

#include <iostream>
#include <set>
#include <sstream>

#include "app/cli/ArgParser.h"
#include "app/cli/Commands.h"
#include "app/cli/WorkspaceArg.h"
#include "core/export/LeaderboardTable.h"
#include "core/export/ReferenceRows.h"

namespace recscope::cli {

int cmdExport(const Args& args) {
    ArgParser parser("export",
                     "Write the leaderboard of a workspace (finished runs x metrics, the best\n"
                     "value of each metric marked in Markdown, LaTeX and JSON) to a file or\n"
                     "stdout.");
    parser.addPositional("DIR", "Workspace folder (holding workspace.db)");
    std::string formatHelp;
    for (const TableFormatInfo& f : tableFormats())
        formatHelp += (formatHelp.empty() ? "" : ", ") + f.name +
                      (f.alias.empty() ? std::string() : " (" + f.label + ")");
    parser.addOption("format", "F", formatHelp, "csv");
    parser.addOption("metrics", "LIST", "Metric columns, e.g. ndcg@10,recall@10,hit@20,mrr,rmse",
                     "recall@10,ndcg@10");
    parser.addOption("out", "FILE", "Write here (atomically) instead of stdout");
    parser.addOption("caption", "TEXT", "Table caption (LaTeX) / heading (Markdown)");
    parser.addOption("decimals", "N", "Decimals of metric values", "4");
    parser.addFlag("all", "Include runs that did not finish (their metric cells are empty)");
    parser.addFlag("with-references",
                   "Add the published figures measured under the same protocol, data set family "
                   "and K as the runs (rows with id 'published', never marked best)");
    parser.addFlag("trials",
                   "Include sweep trials (scored on the validation part, not comparable with the "
                   "test runs)");
    const auto usage = [](const std::string& message) {
        std::cerr << "recscope-cli " << message << "\n"
                  << "Try 'recscope-cli export --help'.\n";
        return 2;
    };
    if (Status s = parser.parse(args); !s)
        return usage(s.error().message);
    if (parser.helpRequested()) {
        std::cout << parser.helpText();
        return 0;
    }
    const std::string formatName = parser.value("format", "csv");
    const TableFormatInfo* found = findTableFormat(formatName);
    if (!found)
        return usage("export: --format must be " + tableFormatNames() + ", got '" + formatName +
                     "'");
    const TableFormat format = found->format;
    std::vector<std::string> metrics;
    {
        std::stringstream list(parser.value("metrics", "recall@10,ndcg@10"));
        std::string m;
        while (std::getline(list, m, ','))
            if (!m.empty()) {
                if (!isKnownMetricKey(m))
                    return usage("export: unknown metric '" + m +
                                 "' (expected e.g. ndcg@10, recall@20, hit@10, mrr, rmse)");
                metrics.push_back(m);
            }
    }
    if (metrics.empty())
        return usage("export: --metrics needs at least one metric");
    const Result<int64_t> decimals = parser.intValue("decimals", 4);
    if (!decimals)
        return usage("export: " + decimals.error().message);
    if (decimals.value() < 0 || decimals.value() > 12)
        return usage("export: --decimals must be between 0 and 12");
    if (parser.has("out") && parser.value("out").empty())
        return usage("export: --out needs a file name");

    Result<std::unique_ptr<Workspace>> ws = openExistingWorkspace(parser.positional(0));
    if (!ws) {
        std::cerr << "recscope-cli export: " << ws.error().toString() << "\n";
        return 1;
    }
    Result<std::vector<RunRecord>> runs = ws.value()->runs();
    if (!runs) {
        std::cerr << "recscope-cli export: " << runs.error().toString() << "\n";
        return 1;
    }
    std::vector<RunRecord> shown;
    for (RunRecord& r : runs.value())
        if ((parser.flag("all") || r.status == RunStatus::Finished) &&
            (parser.flag("trials") || r.config.evaluateOn == EvalPart::Test))
            shown.push_back(std::move(r));
    Table table = leaderboardTable(shown, metrics, static_cast<int>(decimals.value()));
    if (parser.flag("with-references"))
        appendReferenceRows(table, referenceRows(shown), static_cast<int>(decimals.value()));
    table.caption = parser.value("caption");
    if (!parser.has("out")) {
        std::cout << renderTable(table, format);
        return 0;
    }
    if (Status s = writeTable(table, format, parser.value("out")); !s) {
        std::cerr << "recscope-cli export: " << s.error().toString() << "\n";
        return 1;
    }
    return 0;
}

}  // namespace recscope::cli
