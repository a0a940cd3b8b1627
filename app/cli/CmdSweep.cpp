// recscope-cli sweep DATA --model M --grid P=V,V --log P=LO:HI:N ... --workspace W: a
// hyper-parameter sweep recorded in a workspace (core/sweep/SweepRunner.h), its table printed.

#include <cmath>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/cli/ArgParser.h"
#include "app/cli/Commands.h"
#include "app/cli/OpenDataset.h"
#include "app/cli/RunOptions.h"
#include "app/cli/RunRecorder.h"
#include "core/models/Compute.h"
#include "core/sweep/SweepResults.h"
#include "core/sweep/SweepRunner.h"

namespace recscope::cli {

namespace {

const SweepDimension::Kind kKinds[] = {SweepDimension::Kind::List, SweepDimension::Kind::Linear,
                                       SweepDimension::Kind::Log, SweepDimension::Kind::Uniform,
                                       SweepDimension::Kind::LogUniform};

Result<std::vector<SweepDimension>> dimensionsFromArgs(const ArgParser& parser) {
    std::vector<SweepDimension> dims;
    for (SweepDimension::Kind kind : kKinds)
        for (const std::string& text : parser.values(sweepKindName(kind))) {
            const size_t eq = text.find('=');
            if (eq == std::string::npos || eq == 0)
                return makeError("--" + sweepKindName(kind) + " expects NAME=VALUES, got '" + text +
                                 "'");
            Result<SweepDimension> d =
                parseSweepDimension(kind, text.substr(0, eq), text.substr(eq + 1));
            if (!d)
                return d.error();
            dims.push_back(std::move(d).value());
        }
    return dims;
}

// Progress on stderr: one line per trial as it starts and as it ends.
struct Printer {
    Workspace* ws = nullptr;
    std::string metric;
    bool quiet = false;

    SweepHooks hooks() {
        SweepHooks h;
        if (quiet)
            return h;
        h.runStarted = [](int trial, int trials, int64_t runId, const std::string& params) {
            if (trial < 0)
                std::cerr << "  best configuration on the test part (" << params << "), run "
                          << runId << "\n";
            else
                std::cerr << "  trial " << trial + 1 << "/" << trials << " (" << params << "), run "
                          << runId << "\n";
        };
        h.runEnded = [this](int, int64_t runId) {
            const Result<RunRecord> r = ws->run(runId);
            if (!r)
                return;
            std::ostringstream line;
            line << "    " << runStatusName(r->status);
            const auto it = r->metrics.find(metric);
            if (it != r->metrics.end())
                line << std::fixed << std::setprecision(4) << ", "
                     << (r->config.evaluateOn == EvalPart::Validation ? "val " : "test ") << metric
                     << " " << it->second;
            if (r->status == RunStatus::Failed)
                line << ": " << r->message;
            std::cerr << line.str() << "\n";
        };
        h.trialSkipped = [](int trial, int64_t runId) {
            std::cerr << "  trial " << trial + 1 << ": done before (run " << runId << ")\n";
        };
        return h;
    }
};

nlohmann::json metricsJson(const std::map<std::string, double>& metrics) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : metrics)
        j[k] = std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
    return j;
}

int printResults(Workspace& ws, int64_t sweepId, const SweepSummary& summary, bool json) {
    const Result<SweepRecord> record = SweepStore(ws).sweep(sweepId);
    const Result<std::vector<RunRecord>> runs = ws.runs();
    if (!record || !runs) {
        std::cerr << "recscope-cli sweep: " << (!record ? record.error() : runs.error()).toString()
                  << "\n";
        return 1;
    }
    std::map<int64_t, const RunRecord*> byId;
    for (const RunRecord& r : runs.value())
        byId[r.id] = &r;
    const Result<SweepResults> results = collectSweepResults(record.value(), [&](int64_t id) {
        const auto it = byId.find(id);
        return it == byId.end() ? nullptr : it->second;
    });
    if (!results) {
        std::cerr << "recscope-cli sweep: " << results.error().toString() << "\n";
        return 1;
    }
    const SweepResults& r = results.value();
    const SweepRow* best = r.bestRow >= 0 ? &r.rows[static_cast<size_t>(r.bestRow)] : nullptr;
    if (json) {
        nlohmann::json trials = nlohmann::json::array();
        for (const SweepRow& row : r.rows) {
            nlohmann::json params = nlohmann::json::object();
            for (const auto& [k, v] : row.params)
                params[k] = v;
            trials.push_back({{"trial", row.trial + 1},
                              {"params", params},
                              {"run", row.hasRun ? nlohmann::json(row.runId) : nlohmann::json()},
                              {"status", row.hasRun ? runStatusName(row.status) : "pending"},
                              {"validation", std::isfinite(row.value) ? nlohmann::json(row.value)
                                                                      : nlohmann::json()}});
        }
        nlohmann::json out = {{"sweep", sweepId},
                              {"name", r.record.name},
                              {"status", runStatusName(r.record.status)},
                              {"message", r.record.message},
                              {"model", r.spec.base.model},
                              {"protocol", protocolName(r.spec.base.split.protocol)},
                              {"metric", r.spec.metric},
                              {"trials", trials},
                              {"trained", summary.trained},
                              {"skipped", summary.skipped},
                              {"cancelled", summary.cancelled}};
        if (best)
            out["best"] = {{"trial", best->trial + 1},
                           {"run", best->runId},
                           {"params", nlohmann::json(best->params)},
                           {"validation", best->value}};
        if (r.testRun)
            out["test"] = {{"run", r.testRun->id},
                           {"name", r.testRun->name},
                           {"status", runStatusName(r.testRun->status)},
                           {"metrics", metricsJson(r.testRun->metrics)}};
        std::cout << out.dump(2) << "\n";
        return summary.cancelled ? 1 : 0;
    }
    std::cout << "Sweep " << sweepId << " (" << r.record.name << "): " << r.spec.base.model
              << " on " << r.record.dataset.name << ", " << protocolName(r.spec.base.split.protocol)
              << ", " << r.rows.size() << " trials chosen by validation " << r.spec.metric << " — "
              << runStatusName(r.record.status) << "\n\n";
    std::cout << renderTable(sweepTable(r), TableFormat::Markdown) << "\n";
    if (best)
        std::cout << "Best: trial " << best->trial + 1 << " (" << sweepParamsText(best->params)
                  << "), validation " << r.spec.metric << " " << std::fixed << std::setprecision(4)
                  << best->value << "\n";
    if (r.testRun && r.testRun->status == RunStatus::Finished) {
        std::cout << "Test part, run " << r.testRun->id << " \"" << r.testRun->name << "\":";
        for (const char* m : {"recall@10", "ndcg@10", "hit@10", "mrr@10"}) {
            const auto it = r.testRun->metrics.find(m);
            if (it != r.testRun->metrics.end())
                std::cout << "  " << m << " " << std::fixed << std::setprecision(4) << it->second;
        }
        std::cout << "\n";
    }
    if (summary.cancelled)
        std::cout << "Cancelled: run the same command again (or --resume " << sweepId
                  << ") to continue.\n";
    else if (!r.record.message.empty())
        std::cout << r.record.message << "\n";
    return summary.cancelled || r.record.status != RunStatus::Finished ? 1 : 0;
}

}  // namespace

int cmdSweep(const Args& args) {
    ArgParser parser(
        "sweep",
        "Train one model over a set of hyper-parameter values: every configuration is\n"
        "trained on the training part and scored on the validation part; the best one is\n"
        "then trained again (under --fit-on) and evaluated once on the test part. Runs are\n"
        "recorded in the workspace as one sweep; an interrupted or cancelled sweep continues\n"
        "where it stopped when the same command is run again (finished trials are kept).\n\n"
        "Values: --grid NAME=V1,V2,...  --linear NAME=LOW:HIGH:COUNT  --log NAME=LOW:HIGH:COUNT\n"
        "(grid points); --uniform NAME=LOW:HIGH  --log-uniform NAME=LOW:HIGH (seeded draws,\n"
        "--budget of them). Each option may repeat for several parameters.");
    parser.addPositional("DATA", "Dataset folder, .zip, or demo");
    addRunOptions(parser);
    for (SweepDimension::Kind kind : kKinds)
        parser.addOption(sweepKindName(kind), "NAME=VALUES", "Swept parameter (repeatable)");
    parser.addOption("budget", "N", "At most N trials (a seeded subset of the grid; draws: N)",
                     "the whole grid");
    parser.addOption("draw-seed", "S", "Seed of subsets and draws", "1");
    parser.addOption("metric", "NAME", "Validation metric to optimise (rmse/mae: lowest)",
                     "ndcg@10");
    parser.addOption("workspace", "DIR", "Workspace folder recording the sweep (required)");
    parser.addOption("resume", "ID", "Continue sweep ID of the workspace (its own definition)");
    parser.addOption("name", "TEXT", "Name of the sweep", "sweep #ID");
    parser.addFlag("new", "Start a new sweep even if an unfinished identical one exists");
    parser.addFlag("json", "Print one JSON object instead of a table");
    parser.addFlag("quiet", "No progress on stderr");
    parser.addFlag("no-cache", "Parse the dataset files even when a cached copy exists");

    if (std::optional<int> code = parser.parseOrExit(args))
        return *code;
    const auto usage = [&parser](const std::string& message) { return parser.usageError(message); };
    if (!parser.has("workspace") || parser.value("workspace").empty())
        return usage("--workspace is required (the sweep's runs are recorded there)");
    const bool resume = parser.has("resume");
    const Result<int64_t> resumeId = parser.intValue("resume", 0);
    if (!resumeId || (resume && resumeId.value() < 1))
        return usage("--resume expects a sweep id (a positive integer)");

    SweepSpec spec;
    if (resume) {
        const Result<int64_t> threads = parser.intValue("threads", 0);
        if (!threads || threads.value() < 0 || threads.value() > 1024)
            return usage("--threads must be between 0 and 1024");
        setComputeThreads(static_cast<int>(threads.value()));
    } else {
        Result<RunConfig> base = runConfigFromArgs(parser, parser.positional(0));
        if (!base)
            return usage(base.error().message);
        spec.base = std::move(base).value();
        Result<std::vector<SweepDimension>> dims = dimensionsFromArgs(parser);
        if (!dims)
            return usage(dims.error().message);
        spec.dimensions = std::move(dims).value();
        const Result<int64_t> budget = parser.intValue("budget", 0);
        const Result<uint64_t> drawSeed = parser.uint64Value("draw-seed", 1);
        if (!budget || !drawSeed)
            return usage((!budget ? budget.status() : drawSeed.status()).error().message);
        if (budget.value() < 0 || budget.value() > 10000)
            return usage("--budget must be between 0 and 10000");
        spec.budget = static_cast<int>(budget.value());
        spec.drawSeed = drawSeed.value();
        spec.metric = parser.value("metric", "ndcg@10");
        const Result<std::vector<SweepTrial>> trials = expandSweep(spec);
        if (!trials)
            return usage(trials.error().message);
    }
    const bool quiet = parser.flag("quiet");
    Result<std::unique_ptr<Workspace>> ws = Workspace::open(parser.value("workspace"));
    if (!ws) {
        std::cerr << "recscope-cli sweep: " << ws.error().toString() << "\n";
        return 1;
    }
    if (!quiet)
        std::cerr << "Loading " << parser.positional(0) << "\n";
    Result<Dataset> data = openDataset(parser.positional(0), !parser.flag("no-cache"));
    if (!data) {
        std::cerr << "recscope-cli sweep: " << data.error().toString() << "\n";
        return 1;
    }
    int64_t sweepId = resume ? resumeId.value() : 0;
    if (!resume && !parser.flag("new")) {
        const std::string fingerprint =
            datasetIdentity(data.value(), datasetDisplayName(parser.positional(0))).fingerprint;
        Result<int64_t> found = findResumableSweep(*ws.value(), spec, fingerprint);
        if (!found) {
            std::cerr << "recscope-cli sweep: " << found.error().toString() << "\n";
            return 1;
        }
        sweepId = found.value();
        if (sweepId > 0 && !quiet)
            std::cerr << "Continuing sweep " << sweepId
                      << " (same definition, unfinished; --new starts another)\n";
    }
    Printer printer;
    printer.ws = ws.value().get();
    printer.quiet = quiet;
    if (sweepId > 0) {
        const Result<SweepRecord> record = SweepStore(*ws.value()).sweep(sweepId);
        const Result<SweepSpec> stored =
            record ? sweepSpecOf(record.value()) : Result<SweepSpec>(record.error());
        if (!stored) {
            std::cerr << "recscope-cli sweep: " << stored.error().toString() << "\n";
            return 1;
        }
        printer.metric = stored->metric;
    } else {
        printer.metric = spec.metric;
    }
    SweepHooks hooks = printer.hooks();
    hooks.cancel = RunRecorder::installSignalCancel();
    const Result<SweepSummary> summary =
        sweepId > 0 ? resumeSweep(*ws.value(), data.value(), sweepId, hooks)
                    : runSweep(*ws.value(), data.value(), datasetDisplayName(parser.positional(0)),
                               spec, parser.value("name"), hooks);
    if (!summary) {
        std::cerr << "recscope-cli sweep: " << summary.error().toString() << "\n";
        return 1;
    }
    return printResults(*ws.value(), summary->sweepId, summary.value(), parser.flag("json"));
}

}  // namespace recscope::cli
