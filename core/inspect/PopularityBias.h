#pragma once
// Popularity bias of a trained model: how often each item appears in the users' top-K lists
// against how popular it was in training, and the catalogue statistics of those lists.
//
// The lists are made as the evaluator makes them (core/eval/Evaluator.h, full ranking): the
// candidates are the catalogue (items with at least one training rating) minus the run's list
// rule (core/eval/Exclusion.h; the test part's for Evaluated users), ties in the run's
// TieOrder (config.seed). The statistics use the
// evaluator's definitions, so with PopularityBiasUsers::Evaluated the numbers equal the
// leaderboard's coverage@K, gini@K and avgpop@K of a full-ranking run:
//   coverage  = distinct recommended items / catalogue size
//   gini      = giniCoefficient (core/eval/Metrics.h) of the recommendation counts of the
//               catalogue items
//   avgPop    = mean training popularity (TrainData::itemPopularity) over all recommendation
//               entries
//   tailShare = list entries of long-tail items / all entries; the head is the most popular 20%
//               of the catalogue by training popularity (ceil(0.2 x catalogue), ties: lower
//               item id first) and the tail every other catalogue item.
//
// Runs on the caller's (worker) thread; scores every chosen user in batches, reporting progress
// and polling `cancel` once per batch ("cancelled" error).

#include <cstdint>
#include <vector>

#include "core/common/Progress.h"
#include "core/common/Status.h"

namespace recscope {

class Recommender;
struct TrainData;

enum class PopularityBiasUsers {
    All,       // every user with at least one training rating
    Evaluated  // the evaluator's test users (a test positive), with the test part's rule
};

struct PopularityBiasConfig {
    int k = 10;
    PopularityBiasUsers users = PopularityBiasUsers::All;
    int batchUsers = 256;
    double headFraction = 0.2;  // share of the catalogue counted as the popular head
    uint64_t seed = 42;         // tie order (TieOrder): the run's seed
};

struct PopularityBias {
    int k = 0;
    int32_t usersScored = 0;
    int64_t entries = 0;                        // recommendations made (<= usersScored x k)
    std::vector<int64_t> recommendationCounts;  // per item (numItems): lists it appears in
    std::vector<int64_t> trainingPopularity;    // per item: TrainData::itemPopularity
    std::vector<char> inCatalogue;              // per item: 1 when it has a training rating
    std::vector<char> inHead;                   // per item: 1 for the popular head (see above)
    int32_t catalogueSize = 0;
    int32_t headSize = 0;
    int32_t recommendedItems = 0;  // distinct items recommended at least once

    double coverage = 0.0;
    double gini = 0.0;
    double tailShare = 0.0;
    double avgPopularity = 0.0;
};

// Errors: k < 1, a model that scores a different number of items than the data has, a TrainData
// without its split (Evaluated needs it), "cancelled".
Result<PopularityBias> measurePopularityBias(const Recommender& model, const TrainData& train,
                                             const PopularityBiasConfig& config,
                                             const ProgressFn& progress = {},
                                             const CancelToken* cancel = nullptr);

}  // namespace recscope
