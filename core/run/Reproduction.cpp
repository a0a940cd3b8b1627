#include "core/run/Reproduction.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "core/data/Dataset.h"
#include "core/run/Experiment.h"

namespace recscope {

namespace {

bool contains(const std::vector<std::string>& list, const std::string& s) {
    return std::find(list.begin(), list.end(), s) != list.end();
}

// Smaller releases on which the NCF protocol's ML-1M table is shown for orientation.
bool smallRelease(const std::string& family) {
    return family == "ml-100k" || family == "ml-latest-small";
}
constexpr const char* kOrientationTable = "ncf-loo-ml1m";

// The identity of a run: what it splits, how it evaluates, what it trains.
std::string runKey(const FigureSetup& s, const std::string& model,
                   const std::map<std::string, std::string>& params) {
    RunConfig c;
    c.split = s.split;
    c.model = model;
    c.params = params;
    c.negatives = s.negatives;
    c.sampler = s.sampler;
    return runConfigToJson(c).dump();
}

// Cut-offs a run must report for its figures (rating errors and global MRR need none; 10 is
// always there so that a run reports something comparable).
std::vector<int> cutOffs(const std::vector<const PublishedFigure*>& figures) {
    std::set<int> ks{10};
    for (const PublishedFigure* f : figures)
        if (f->k > 0)
            ks.insert(f->k);
    return {ks.begin(), ks.end()};
}

}  // namespace

std::string publishedText(const PublishedFigure& f) {
    char buf[64];
    const bool count = f.metric.rfind("avgpop", 0) == 0;
    std::snprintf(buf, sizeof buf, count ? "%.0f" : "%.4g", f.value);
    const std::string v = buf;
    switch (f.kind) {
        case FigureKind::AtLeast:
            return "> " + v;
        case FigureKind::AtMost:
            return "< " + v;
        case FigureKind::Value:
            break;
    }
    return v;
}

std::optional<bool> meetsBound(const PublishedFigure& f, double value) {
    if (f.kind == FigureKind::AtLeast)
        return value > f.value;
    if (f.kind == FigureKind::AtMost)
        return value < f.value;
    return std::nullopt;
}

Result<std::vector<std::string>> reproductionTables(const std::string& family,
                                                    const ReproductionOptions& options) {
    std::vector<std::string> all;
    for (const PublishedFigure& f : publishedFigures())
        if (!contains(all, f.table))
            all.push_back(f.table);
    for (const std::string& t : options.tables)
        if (!contains(all, t)) {
            std::string names;
            for (const std::string& n : all)
                names += (names.empty() ? "" : ", ") + n;
            return makeError("unknown table '" + t + "' (known: " + names + ")");
        }
    std::vector<std::string> out;
    for (const PublishedFigure& f : publishedFigures())
        if (f.datasetFamily == family && !contains(out, f.table))
            out.push_back(f.table);
    if (options.orientationTables && smallRelease(family) && !contains(out, kOrientationTable))
        out.push_back(kOrientationTable);
    if (!options.tables.empty())
        out.erase(
            std::remove_if(out.begin(), out.end(),
                           [&](const std::string& t) { return !contains(options.tables, t); }),
            out.end());
    return out;
}

std::vector<ReproductionRun> planReproduction(const std::vector<std::string>& tables,
                                              const ReproductionOptions& options) {
    std::vector<ReproductionRun> runs;
    std::map<std::string, size_t> byKey;
    for (const std::string& table : tables)
        for (const PublishedFigure& f : publishedFigures()) {
            if (f.table != table || f.model.empty())
                continue;
            if (!options.models.empty() && !contains(options.models, f.model))
                continue;
            const std::string key = runKey(f.setup, f.model, f.params);
            auto it = byKey.find(key);
            if (it == byKey.end()) {
                it = byKey.emplace(key, runs.size()).first;
                runs.push_back({table, f.setup, f.model, f.params, {}});
            }
            runs[it->second].figures.push_back(&f);
        }
    return runs;
}

Result<ReproductionReport> reproduce(const Dataset& data, const ReproductionOptions& options,
                                     const ProgressFn& progress, const CancelToken* cancel) {
    ReproductionReport out;
    out.family = datasetFamily(formatName(data.format()), data.numRatings());
    out.ratings = data.numRatings();
    Result<std::vector<std::string>> tables = reproductionTables(out.family, options);
    if (!tables)
        return tables.error();
    const std::vector<ReproductionRun> runs = planReproduction(tables.value(), options);

    // Every figure of the tables gets a row, run or not.
    std::map<const PublishedFigure*, size_t> rowOf;
    for (const std::string& table : tables.value())
        for (const PublishedFigure& f : publishedFigures()) {
            if (f.table != table)
                continue;
            if (!f.model.empty() && !options.models.empty() && !contains(options.models, f.model))
                continue;
            ReproductionRow row;
            row.figure = &f;
            row.otherData = f.datasetFamily != out.family;
            row.status = f.model.empty() ? "no RecScope model" : "not run";
            rowOf[&f] = out.rows.size();
            out.rows.push_back(row);
        }

    for (size_t r = 0; r < runs.size(); ++r) {
        if (isCancelled(cancel))
            return cancelledError();
        const ReproductionRun& run = runs[r];
        report(progress, run.table + ": " + run.model,
               static_cast<double>(r) / static_cast<double>(runs.size()));
        RunConfig config;
        config.dataset = data.source();
        config.split = run.setup.split;
        config.split.seed = options.seed;
        config.model = run.model;
        config.params = run.params;
        config.device = options.device;
        config.seed = options.seed;
        config.ks = cutOffs(run.figures);
        config.negatives = run.setup.negatives;
        config.sampler = run.setup.sampler;
        config.keepPerUser = false;
        RunHooks hooks;
        hooks.cancel = cancel;
        const Result<RunOutcome> outcome = runExperiment(data, config, hooks);
        if (!outcome && outcome.error().cancelled())
            return cancelledError();
        for (const PublishedFigure* f : run.figures) {
            ReproductionRow& row = out.rows[rowOf.at(f)];
            if (!outcome) {
                row.status = "failed: " + outcome.error().message;
                continue;
            }
            row.seconds = outcome->trainSeconds + outcome->evalSeconds;
            const auto it = outcome->test.metrics.find(f->metric);
            if (it == outcome->test.metrics.end() || !std::isfinite(it->second)) {
                row.status = "not reported";
                continue;
            }
            row.recscope = it->second;
            row.status.clear();
        }
    }
    report(progress, "done", 1.0);
    return out;
}

}  // namespace recscope
