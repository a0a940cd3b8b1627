#pragma once
// Reproducing published figures (docs/protocols.md; catalogue in core/eval/PublishedFigures.h):
// the set-ups a data set allows, each run once per (set-up, model, parameters) through
// runExperiment, and RecScope's figure set beside every published one. `recscope-cli
// reproduce` prints the result; runs on the caller's (worker) thread.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/common/Progress.h"
#include "core/common/Status.h"
#include "core/eval/PublishedFigures.h"

namespace recscope {

class Dataset;

struct ReproductionOptions {
    std::vector<std::string> tables;  // table ids to keep; empty = every table that applies
    std::vector<std::string> models;  // RecScope models to run; empty = all
    uint64_t seed = 42;               // split seed (ratio, strong), training and tie order
    std::string device = "cpu";
    // Also set RecScope on this data beside the NCF protocol's MovieLens 1M figures when the
    // data is a smaller MovieLens release (ML-100K, ml-latest-small): orientation, marked as
    // other data, never called a reproduction.
    bool orientationTables = true;
};

// One RecScope run and the published figures it answers.
struct ReproductionRun {
    std::string table;  // the first table it serves (for progress messages)
    FigureSetup setup;
    std::string model;
    std::map<std::string, std::string> params;
    std::vector<const PublishedFigure*> figures;  // catalogue order
};

struct ReproductionRow {
    const PublishedFigure* figure = nullptr;
    bool otherData = false;          // published on another release (orientation only)
    std::optional<double> recscope;  // empty: not run (no RecScope model) or failed
    std::string status;              // "", "no RecScope model", "failed: <message>"
    double seconds = 0.0;            // train + evaluation time of the run behind it
};

struct ReproductionReport {
    std::string family;                 // datasetFamily() of the data
    int64_t ratings = 0;                // ratings of the data (compare with releaseRatings(family))
    std::vector<ReproductionRow> rows;  // catalogue order, tables that apply only
};

// The tables that apply to a data set family, in catalogue order (own family first, then
// orientation tables), filtered by options.tables. Unknown table ids are an error.
Result<std::vector<std::string>> reproductionTables(const std::string& family,
                                                    const ReproductionOptions& options);

// The runs those tables need: figures with a RecScope model (filtered by options.models),
// grouped by (set-up, model, parameters) so that a shared run is made once.
std::vector<ReproductionRun> planReproduction(const std::vector<std::string>& tables,
                                              const ReproductionOptions& options);

// Plans and runs everything on `data`. A failed run fills its rows' status and the rest
// goes on; "cancelled" stops with an error. progress reports "<table>: <model>" stages.
Result<ReproductionReport> reproduce(const Dataset& data, const ReproductionOptions& options,
                                     const ProgressFn& progress = {},
                                     const CancelToken* cancel = nullptr);

// `figure.value` as the source reads: "0.7192", "> 0.65", "< 0.95".
std::string publishedText(const PublishedFigure& figure);
// For AtLeast / AtMost figures: whether `value` meets the bound; Value figures: nullopt.
std::optional<bool> meetsBound(const PublishedFigure& figure, double value);

}  // namespace recscope
