#pragma once
// Ranking evaluation as ../shared/docs/protocols.md defines it.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/common/Progress.h"
#include "core/common/Status.h"

namespace recscope {

class Recommender;
struct Split;
struct TrainData;

enum class EvalPart { Validation, Test };
enum class EvalMode { Full, Sampled };
enum class NegativeSampler { Uniform, Popularity };

struct EvalConfig {
    std::vector<int> ks{10, 20, 50, 100};
    EvalMode mode = EvalMode::Full;
    int negatives = 99;  // Sampled: never-seen items per test item
    NegativeSampler sampler = NegativeSampler::Uniform;
    uint64_t seed = 42;
    bool keepPerUser = true;     // fill EvalResult::perUser
    int batchUsers = 256;        // users scored per batch
    int threads = 2;             // rows ranked in parallel; <= 0: all cores
    bool beyondAccuracy = true;  // coverage, avgpop, novelty, gini, diversity
    // Non-empty: only these users are evaluated (those of them with a relevant item), e.g. the
    // seeded validation sample of a large dataset (EpochTrainer::validationUsers). Ascending.
    std::vector<int32_t> users;
};

struct EvalResult {
    // Keys: "hit@K", "recall@K", "precision@K", "ndcg@K", "mrr@K", "map@K", "coverage@K",
    // "avgpop@K", "novelty@K", "gini@K", "diversity@K"; "mrr" (global) when Sampled;
    // "rmse", "mae" for rating models.
    std::map<std::string, double> metrics;
    int32_t usersEvaluated = 0;
    std::vector<int32_t> users;                         // evaluated users, ascending
    std::map<std::string, std::vector<float>> perUser;  // metric -> value per users[i]
};

// Scores every evaluated user in batches (matrix products + partial top-K). Cancel returns an
// error "cancelled".
//
// Full ranking: candidates are the items with at least one training rating (the catalogue of
// Coverage@K); the user's training positives are removed, and for EvalPart::Test also the
// user's validation items. Relevant = the user's positives (rating >= threshold) in the part.
// Equal scores rank the lower item id first. Sampled: every relevant item is ranked among
// `negatives` catalogue items the user never interacted with (train, validation or test).
// Novelty@K = mean -log2(pop / users with training data) of recommended items (pop >= 1);
// diversity@K needs TrainData::dataset with genres and is omitted otherwise.
Result<EvalResult> evaluate(const Recommender& model, const TrainData& train, EvalPart part,
                            const EvalConfig& config, const CancelToken* cancel = nullptr);

}  // namespace recscope
