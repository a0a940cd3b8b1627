#pragma once
// Ranking evaluation as docs/protocols.md defines it.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/common/Progress.h"
#include "core/common/Status.h"
#include "core/eval/Exclusion.h"

namespace recscope {

class Recommender;
struct Split;
struct TrainData;

enum class EvalMode { Full, Sampled };
enum class NegativeSampler { Uniform, Popularity };

struct EvalConfig {
    std::vector<int> ks{10, 20, 50, 100};
    EvalMode mode = EvalMode::Full;
    int negatives = 99;  // Sampled: never-seen items per test item
    NegativeSampler sampler = NegativeSampler::Uniform;
    uint64_t seed = 42;          // sampled negatives and the tie order
    bool keepPerUser = true;     // fill EvalResult::perUser
    int batchUsers = 256;        // users scored per batch
    int threads = 2;             // rows ranked in parallel; <= 0: all cores
    bool beyondAccuracy = true;  // coverage, avgpop, novelty, gini, diversity (Full only)
    bool keepLists = false;      // fill EvalResult::lists (full ranking only)
};

struct EvalResult {
    // Keys: "hit@K", "recall@K", "recall_capped@K", "precision@K", "ndcg@K", "mrr@K", "map@K",
    // and in full ranking "coverage@K", "avgpop@K", "novelty@K", "gini@K", "diversity@K";
    // "mrr" (global) when Sampled; "rmse", "mae" for rating models.
    std::map<std::string, double> metrics;
    int32_t usersEvaluated = 0;
    std::vector<int32_t> users;                         // evaluated users, ascending
    std::map<std::string, std::vector<float>> perUser;  // metric -> value per users[i]
    // EvalConfig::keepLists (full ranking): users.size() rows of listWidth item ids, each the
    // ranked list of users[i] as the metrics saw it, best first, -1 padded.
    std::vector<int32_t> lists;
    int32_t listWidth = 0;  // the largest K asked
};

// Scores every evaluated user in batches (matrix products + partial top-K). Cancel returns an
// error "cancelled".
//
// Full ranking: candidates are the items with at least one training rating (the catalogue of
// Coverage@K) minus excludedItems(train, part, user) (core/eval/Exclusion.h: the one list
// rule). Relevant = the user's positives (rating >= threshold) in the part. Equal scores are
// ordered by TieOrder(config.seed, user) (core/eval/Metrics.h). Strong protocol: the held-out
// users are scored through Recommender::scoreHistory() of their fold-in rows; a model that
// cannot fold in is an error.
//
// Sampled: every relevant item is ranked among `negatives` catalogue items the user never
// interacted with (train, validation, test, fold-in), ties by the same TieOrder. Only what a
// list of negatives + 1 items can mean is reported: cut-offs K >= negatives + 1 are left out
// (every hit@K would be 1), and so are the catalogue statistics (coverage, popularity,
// novelty, Gini, diversity of random lists); no cut-off left is an error.
//
// Novelty@K = mean -log2(pop / users with training data) of recommended items (pop >= 1);
// diversity@K needs TrainData::dataset with genres and is omitted otherwise.
Result<EvalResult> evaluate(const Recommender& model, const TrainData& train, EvalPart part,
                            const EvalConfig& config, const CancelToken* cancel = nullptr);

}  // namespace recscope
