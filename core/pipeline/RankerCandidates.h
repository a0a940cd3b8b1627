#pragma once
// The ranker's candidate lists with their dense pair inputs, built by one function for training
// (from the holdout first stage) and for serving, so that the ranker sees the same inputs in both:
//   entries   the retriever's top-N in its order, then the second model's top-M items that the
//             retriever did not propose, in the second model's order;
//   inputs    per entry kInputs floats:
//             0  the retriever's score (inner product of the user and item vectors),
//             1  the retriever rank: position in its top-N / N, 1 for an item it did not propose,
//             2  the second model's score,
//             3  the second rank: position in the second model's top-M / M, 1 beyond it,
//             4  the second model's score from the user's latest positives alone (see below).
// Scores 2 and 4 are divided by the user's best such score over the items not excluded (a
// row's scale grows with the history's length; positive best scores only).
// The second model is any scorer of whole rows (an item-item model such as EASE: see
// PipelineModel.h). Without one the lists are the retriever's alone and inputs 2, 3, 4 are 0,
// 1, 0. Under a temporal split the next items a user rates follow the latest ones more than the
// whole history: input 4 is the second model's fold-in of the user's latest positives only.
// Excluded items (a user's row of `exclude`) never enter a list from either source.

#include <cstdint>
#include <functional>
#include <vector>

#include "core/common/Progress.h"
#include "core/common/Status.h"

namespace recscope {

struct CandidateLists;
struct CsrMatrix;
struct Interactions;

struct RankerCandidates {
    static constexpr int kInputs = 5;
    static constexpr int kSecondInputs = 3;  // inputs 2, 3, 4

    int32_t perUser = 0;         // row width: N + M
    bool hasSecond = false;      // inputs 2 and 3 come from a second model
    std::vector<int32_t> users;  // as in the first stage's lists
    std::vector<int32_t> items;  // users.size() x perUser, row-major; -1 pads a short row
    std::vector<float> inputs;   // users.size() x perUser x kInputs

    const int32_t* row(size_t k) const { return items.data() + k * static_cast<size_t>(perUser); }
    const float* input(size_t k, int32_t j) const {
        return inputs.data() +
               (k * static_cast<size_t>(perUser) + static_cast<size_t>(j)) * kInputs;
    }
    int32_t rowLength(size_t k) const;
};

// Fills out[0 .. n x numItems) with the second model's scores of every item for users[0 .. n).
using ScoreRowsFn = std::function<void(const int32_t* users, int64_t n, float* out)>;

struct SecondSource {
    ScoreRowsFn scores;    // null: no second model
    ScoreRowsFn recent;    // the same from each user's latest positives only (null: input 4 = 0)
    int32_t topM = 0;      // its best items that join the candidates (0: its scores only)
    int32_t numItems = 0;  // row width of `scores`
};

// first: the retriever's top-N (scores = inner products). queries: one user vector per list row
// (first.users order), dim floats each; itemVectors: the retriever's, numItems x dim. An item
// the second model scores at or below kUnscored (or not finite) never joins a list from it.
// Cancel between chunks returns "cancelled".
constexpr float kUnscored = -1e8f;
Result<RankerCandidates> rankerCandidates(const CandidateLists& first, const float* queries,
                                          const float* itemVectors, int dim, int32_t numItems,
                                          const SecondSource& second, const CsrMatrix* exclude,
                                          const CancelToken* cancel = nullptr,
                                          int64_t chunkUsers = 256);

// Each user's latest `count` positives of `part` (rows grouped by user, in time order, as a
// Split keeps them), oldest first; numUsers rows.
std::vector<std::vector<int32_t>> latestPositives(const Interactions& part, double threshold,
                                                  int32_t numUsers, int count);

}  // namespace recscope
