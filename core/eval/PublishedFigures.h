#pragma once
// The catalogue of published figures RecScope's numbers can be set beside: every number of
// docs/protocols.md, compiled into the program (no file to find at run time), each with its
// source, the protocol and data set family it was measured on, the metric and K, and the
// RecScope set-up that reproduces its protocol. `recscope-cli reproduce` runs those set-ups;
// the leaderboard shows the figures that compare with a run as reference rows.
//
// Stable interface: other views read these fields; figures may be added, fields are not
// renamed. Plain data, built once on first use, read-only afterwards: safe from any thread.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/eval/Evaluator.h"
#include "core/split/Split.h"

namespace recscope {

// How a published number reads: a measured value, or a bound the source expects.
enum class FigureKind {
    Value,    // as published
    AtLeast,  // "HR@10 > 0.65": a floor a reproduction should clear
    AtMost    // "RMSE < 0.95": a ceiling a reproduction should stay under
};

// How much of the split the source states, i.e. which SplitConfig fields a run must share to
// compare (see setupMatches).
enum class SetupDetail {
    Full,     // every field that shapes the split and the lists
    Partial,  // protocol, threshold, test size, row filters (validation/min-train not stated)
    Protocol  // only the protocol (the source does not state its split)
};

// The evaluation set-up of a figure, as a RecScope run reproduces it.
struct FigureSetup {
    SplitConfig split;  // protocol, options, exclusion rule, row filters
    int negatives = 0;  // sampled evaluation: negatives per test item; 0 = full ranking
    NegativeSampler sampler = NegativeSampler::Uniform;
    SetupDetail detail = SetupDetail::Full;
};

struct PublishedFigure {
    std::string id;              // stable key, e.g. "ncf-loo-ml1m/ease/hit@10"
    std::string table;           // the published table it belongs to, e.g. "ncf-loo-ml1m"
    std::string source;          // who published it: "Dacrema et al., RecSys 2019", "seed 002"
    std::string datasetFamily;   // "ml-100k", "ml-1m", "ml-20m" (see datasetFamily())
    std::string publishedModel;  // the model as the source names it
    std::string model;           // the RecScope registry name that corresponds; "" = none
    std::map<std::string, std::string> params;  // RecScope parameters that match it, if any
    std::string metric;  // RecScope metric key: "hit@10", "ndcg@10", "mrr", "rmse", ...
    int k = 0;           // the metric's cut-off; 0 for rmse, mae and the global "mrr"
    double value = 0.0;
    FigureKind kind = FigureKind::Value;
    FigureSetup setup;
    std::string note;  // caveat shown beside it; may be empty
};

// Every figure of docs/protocols.md, grouped by table in the document's order.
const std::vector<PublishedFigure>& publishedFigures();

// One line per table id: "NCF protocol (He et al. 2017; Dacrema et al. 2019), MovieLens 1M,
// leave-one-out, 99 uniform negatives". Empty for an unknown id.
std::string figureTableTitle(const std::string& table);

// The MovieLens release a data set is, from its reader format ("100k", "1m", "10m", "csv",
// "synthetic": formatName()) and its rating count: "ml-100k", "ml-1m", "ml-10m", "ml-20m",
// "ml-25m", "ml-32m", "ml-latest-small" or "ml-latest"; "" for the demo, synthetic or unknown
// data. The three older formats name their release whatever the count (a subset keeps its
// family; callers may compare the count with releaseRatings()).
std::string datasetFamily(const std::string& formatName, int64_t ratings);
// Ratings of the official release of a family (100000 for "ml-100k", ...); 0 when unknown.
int64_t releaseRatings(const std::string& family);

// True when a run split with `split` and evaluated with `negatives` (0 = full ranking) and
// `sampler` measures what `figure` measured, as far as the source states it (SetupDetail).
// The exclusion rule counts only in full ranking (sampled negatives are never-seen items);
// seeds never count (no two programs draw the same random split).
bool setupMatches(const FigureSetup& figure, const SplitConfig& split, int negatives,
                  NegativeSampler sampler);

// The figures a run compares with: same data set family, setupMatches, and the figure's K is
// `k` (figures without a K -- rmse, mae, global mrr -- match any k). Every model is returned;
// the caller picks rows (e.g. figure.model == run's model). Catalogue order.
std::vector<const PublishedFigure*> matchingFigures(const SplitConfig& split, int negatives,
                                                    NegativeSampler sampler,
                                                    const std::string& datasetFamily, int k);

}  // namespace recscope
