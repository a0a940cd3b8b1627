// recscope-cli reproduce DATA: runs the published set-ups the data allows (docs/protocols.md,
// core/eval/PublishedFigures.h) and prints RecScope's figure beside each published one, with
// its source, as Markdown (or JSON).

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/cli/ArgParser.h"
#include "app/cli/Commands.h"
#include "app/cli/OpenDataset.h"
#include "core/models/Compute.h"
#include "core/run/Experiment.h"
#include "core/run/Reproduction.h"

namespace recscope::cli {

namespace {

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream in(text);
    std::string part;
    while (std::getline(in, part, ','))
        if (!part.empty())
            out.push_back(part);
    return out;
}

std::string number(double v, const char* format = "%.4f") {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

// The `recscope-cli run` options that give a figure's set-up.
std::string setupFlags(const FigureSetup& s) {
    const SplitConfig& c = s.split;
    const SplitConfig d = defaultSplitConfig(c.protocol);
    std::string f = "--protocol " + protocolName(c.protocol);
    const auto add = [&f](const std::string& flag, const std::string& value) {
        f += " --" + flag + " " + value;
    };
    if (s.detail == SetupDetail::Protocol)
        return f + " (the source states no more)";
    if (c.nTest != d.nTest && c.protocol == Protocol::Temporal)
        add("n-test", std::to_string(c.nTest));
    if (c.threshold != d.threshold)
        add("threshold", number(c.threshold, "%g"));
    if (c.testFraction != d.testFraction)
        add("test-fraction", number(c.testFraction, "%g"));
    if (c.valFraction != d.valFraction)
        add("val-fraction", number(c.valFraction, "%g"));
    if (c.stratify != d.stratify)
        add("stratify", stratifyName(c.stratify));
    if (c.minRating != d.minRating)
        add("min-rating", number(c.minRating, "%g"));
    if (c.kcore != d.kcore)
        add("kcore", std::to_string(c.kcore));
    if (c.heldoutUsers != d.heldoutUsers)
        add("heldout-users", std::to_string(c.heldoutUsers));
    if (c.exclude != d.exclude)
        add("exclude", excludeRuleName(c.exclude));
    const int defaultNegatives = c.protocol == Protocol::Loo ? 99 : 0;
    if (s.negatives != defaultNegatives)
        add("negatives", std::to_string(s.negatives));
    if (s.negatives > 0 && s.sampler == NegativeSampler::Popularity)
        add("sampler", "popularity");
    return f;
}

std::string paramFlags(const std::map<std::string, std::string>& params) {
    std::string f;
    for (const auto& [k, v] : params)
        f += (f.empty() ? "" : " ") + std::string("--param ") + k + "=" + v;
    return f;
}

// RecScope / published for a measured value; meets / misses for a bound.
std::string comparison(const ReproductionRow& row) {
    if (!row.recscope)
        return row.status;
    if (const std::optional<bool> meets = meetsBound(*row.figure, *row.recscope))
        return *meets ? "meets" : "misses";
    return "x" + number(*row.recscope / row.figure->value, "%.2f");
}

std::string ours(const ReproductionRow& row) {
    if (!row.recscope)
        return "—";
    const bool count = row.figure->metric.rfind("avgpop", 0) == 0;
    return number(*row.recscope, count ? "%.0f" : "%.4f");
}

void printMarkdown(const ReproductionReport& report, const std::string& data, uint64_t seed) {
    std::cout << "# RecScope beside published figures: " << data << "\n\n"
              << "Data: "
              << (report.family.empty() ? "not a known MovieLens release" : report.family) << ", "
              << report.ratings << " ratings";
    const int64_t release = releaseRatings(report.family);
    if (release > 0 && release != report.ratings)
        std::cout << " (the published release has " << release
                  << "; a subset compares only roughly)";
    std::cout << ". Seed " << seed
              << ". Each RecScope figure is `recscope-cli run` with the set-up shown and the "
                 "model's default parameters unless listed; definitions in docs/protocols.md.\n";
    std::string table;
    for (const ReproductionRow& row : report.rows) {
        const PublishedFigure& f = *row.figure;
        if (f.table != table) {
            table = f.table;
            std::cout << "\n## " << figureTableTitle(table) << "\n\n"
                      << "Source: " << f.source << ". Set-up: `" << setupFlags(f.setup) << "`.";
            if (row.otherData)
                std::cout << " Published on " << f.datasetFamily << ", RecScope on "
                          << (report.family.empty() ? "this data" : report.family)
                          << ": for orientation, not a reproduction.";
            std::cout << "\n\n| Model (as published) | RecScope | Metric | Published | RecScope "
                         "| RecScope / published |\n|---|---|---|---|---|---|\n";
        }
        std::string model = f.model.empty() ? "—" : f.model;
        if (!f.params.empty())
            model += " (" + paramFlags(f.params) + ")";
        std::cout << "| " << f.publishedModel << (f.note.empty() ? "" : " [" + f.note + "]")
                  << " | " << model << " | " << f.metric << " | " << publishedText(f) << " | "
                  << ours(row) << " | " << comparison(row) << " |\n";
    }
    if (report.rows.empty())
        std::cout << "\nNo published figure uses this data set (see docs/protocols.md).\n";
}

nlohmann::json toJson(const ReproductionReport& report, const std::string& data, uint64_t seed) {
    nlohmann::json rows = nlohmann::json::array();
    for (const ReproductionRow& row : report.rows) {
        const PublishedFigure& f = *row.figure;
        nlohmann::json params = nlohmann::json::object();
        for (const auto& [k, v] : f.params)
            params[k] = v;
        const char* kind = f.kind == FigureKind::AtLeast  ? "at_least"
                           : f.kind == FigureKind::AtMost ? "at_most"
                                                          : "value";
        nlohmann::json j = {
            {"id", f.id},
            {"table", f.table},
            {"title", figureTableTitle(f.table)},
            {"source", f.source},
            {"published_on", f.datasetFamily},
            {"other_data", row.otherData},
            {"published_model", f.publishedModel},
            {"model", f.model},
            {"params", params},
            {"setup", setupFlags(f.setup)},
            {"metric", f.metric},
            {"k", f.k},
            {"published", f.value},
            {"kind", kind},
            {"recscope", row.recscope ? nlohmann::json(*row.recscope) : nlohmann::json(nullptr)},
            {"status", row.status},
            {"seconds", row.seconds}};
        if (row.recscope)
            if (const std::optional<bool> meets = meetsBound(f, *row.recscope))
                j["meets"] = *meets;
        if (!f.note.empty())
            j["note"] = f.note;
        rows.push_back(std::move(j));
    }
    return {{"dataset", data},
            {"family", report.family},
            {"ratings", report.ratings},
            {"seed", seed},
            {"rows", rows}};
}

}  // namespace

int cmdReproduce(const Args& args) {
    ArgParser parser("reproduce",
                     "Run the published set-ups this data allows (docs/protocols.md) and print\n"
                     "RecScope's figure beside each published one, with its source, as a\n"
                     "Markdown table. On ML-100K: seed 002 and 004, Microsoft Recommenders'\n"
                     "75/25 table, and the NCF protocol's ML-1M rows for orientation; on ML-1M:\n"
                     "seed 003, NCF, BERT4Rec and RecBole; on ML-20M: seed 000, BERT4Rec and\n"
                     "strong generalisation.");
    parser.addPositional("DATA", "MovieLens folder or .zip");
    parser.addFlag("json", "Print one JSON object instead of Markdown");
    parser.addFlag("list", "Print the runs that would be made, and make none");
    parser.addOption("only", "TABLES", "Keep these tables (comma-separated ids, see --list)");
    parser.addOption("models", "LIST", "Run only these RecScope models (comma-separated)");
    parser.addOption("seed", "S", "Seed of the splits, the training and the tie order", "42");
    parser.addOption("device", "DEV", "cpu, cuda or cuda:N (LibTorch models)", "cpu");
    parser.addOption("threads", "N", "Compute threads", "all cores");
    parser.addFlag("no-orientation",
                   "On ML-100K / ml-latest-small, leave out the NCF protocol's ML-1M rows");
    parser.addFlag("quiet", "No progress on stderr");
    parser.addFlag("no-cache", "Parse the dataset files even when a cached copy exists");
    const auto usage = [](const std::string& message) {
        std::cerr << "recscope-cli reproduce: " << message << "\n"
                  << "Try 'recscope-cli reproduce --help'.\n";
        return 2;
    };
    if (Status s = parser.parse(args); !s)
        return usage(s.error().message);
    if (parser.helpRequested()) {
        std::cout << parser.helpText();
        return 0;
    }
    ReproductionOptions options;
    options.tables = splitList(parser.value("only"));
    options.models = splitList(parser.value("models"));
    options.device = parser.value("device", "cpu");
    options.orientationTables = !parser.flag("no-orientation");
    const Result<uint64_t> seed = parser.uint64Value("seed", 42);
    const Result<int64_t> threads = parser.intValue("threads", 0);
    for (const Status& s : {seed.status(), threads.status()})
        if (!s)
            return usage(s.error().message);
    if (threads.value() < 0 || threads.value() > 1024)
        return usage("--threads must be between 0 and 1024");
    if (!isValidDeviceName(options.device))
        return usage("--device must be cpu, cuda or cuda:N, got '" + options.device + "'");
    if (parser.has("only") && options.tables.empty())
        return usage("--only needs at least one table id");
    const std::vector<std::string> names = modelNames();
    for (const std::string& m : options.models)
        if (std::find(names.begin(), names.end(), m) == names.end())
            return usage("--models: unknown model '" + m + "'");
    options.seed = seed.value();
    setComputeThreads(static_cast<int>(threads.value()));
    const bool quiet = parser.flag("quiet");

    const std::string path = parser.positional(0);
    if (!quiet)
        std::cerr << "Loading " << path << "\n";
    Result<Dataset> loaded = openDataset(path, !parser.flag("no-cache"));
    if (!loaded) {
        std::cerr << "recscope-cli reproduce: " << loaded.error().toString() << "\n";
        return 1;
    }
    const Dataset& data = loaded.value();
    const std::string family = datasetFamily(formatName(data.format()), data.numRatings());
    const Result<std::vector<std::string>> tables = reproductionTables(family, options);
    if (!tables)
        return usage(tables.error().message);
    if (parser.flag("list")) {
        std::cout << "Data: " << (family.empty() ? "not a known MovieLens release" : family)
                  << "\nTables: ";
        for (const std::string& t : tables.value())
            std::cout << t << (t == tables->back() ? "\n" : ", ");
        for (const ReproductionRun& run : planReproduction(tables.value(), options))
            std::cout << "  " << run.model
                      << (run.params.empty() ? "" : " " + paramFlags(run.params)) << "  "
                      << setupFlags(run.setup) << "  (" << run.figures.size()
                      << (run.figures.size() == 1 ? " figure)\n" : " figures)\n");
        return 0;
    }

    std::string lastStage;
    ProgressFn progress;
    if (!quiet)
        progress = [&lastStage](const Progress& p) {
            if (p.stage != lastStage && p.stage != "done") {
                lastStage = p.stage;
                std::cerr << "  " << p.stage << "\n";
            }
        };
    const Result<ReproductionReport> report = reproduce(data, options, progress);
    if (!report) {
        std::cerr << "recscope-cli reproduce: " << report.error().toString() << "\n";
        return 1;
    }
    if (parser.flag("json"))
        std::cout << toJson(report.value(), path, options.seed).dump(2) << "\n";
    else
        printMarkdown(report.value(), path, options.seed);
    return 0;
}

}  // namespace recscope::cli
