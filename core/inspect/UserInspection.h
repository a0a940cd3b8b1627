#pragma once
// One user under the microscope (the explorer's inspector and what-if user): the user's history
// as the run split it, a stage's top-K with test hits, the rank of each item in another list,
// the user's own metrics, activity buckets, and "because you liked" evidence.
//
// Lists follow the evaluator's full-ranking rules (core/eval/Evaluator.h), so that a user's
// metrics here equal the run's per-user values (for runs evaluated by full ranking): candidates
// are the items with a training rating (rankableItems); the items of the run's list rule for
// the test part are removed (excludedItems, core/eval/Exclusion.h); ties follow the run's
// TieOrder. What-if lists remove the history's items under the same rule
// (excludedHistoryItems: its positives, or every item under --exclude rated).
//
// Thread rules: immutable after construction; every const call is safe from several threads.
// Users are dense ids of the run's dataset; items likewise.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/common/Status.h"
#include "core/eval/Metrics.h"
#include "core/inspect/LoadedRun.h"
#include "core/models/TrainData.h"

namespace recscope {

enum class HistoryPart { Train, Validation, Test };
std::string historyPartName(HistoryPart part);  // "train", "validation", "test"

struct HistoryRow {
    int32_t item = 0;
    float rating = 0.0f;
    int64_t timestamp = 0;  // Unix seconds
    HistoryPart part = HistoryPart::Train;
    bool positive = false;  // rating >= the split's threshold
};

struct RecommendedItem {
    int32_t item = 0;
    float score = 0.0f;  // the stage's score (two-stage final lists: the ranker's score)
    bool hit = false;    // one of the user's test positives
};

enum class ActivityBucket { Few, Median, Many };

struct Evidence {
    int32_t item = 0;         // a history item
    float similarity = 0.0f;  // to the recommended item
};

struct BecauseYouLiked {
    std::vector<Evidence> items;  // most similar first
    bool fromModel = false;       // the model's itemSimilarities(); else co-occurrence cosine
};

class UserInspection {
public:
    explicit UserInspection(std::shared_ptr<const LoadedRun> run);

    const LoadedRun& run() const { return *m_run; }
    int32_t numUsers() const;

    // Every rating of `user` in the split (train, validation, test), in time order (ties: part
    // order train < validation < test). Users outside the split give an empty list.
    std::vector<HistoryRow> history(int32_t user) const;
    // The user's test positives (relevant items of the evaluation), ascending.
    std::vector<int32_t> testPositives(int32_t user) const;
    // Items the evaluator removes from `user`'s test list (excludedItems for EvalPart::Test),
    // ascending.
    std::vector<int32_t> excludedItems(int32_t user) const;

    // Top-k of a known user (scoreUsers). Errors: user out of range, k < 1.
    Result<std::vector<RecommendedItem>> topK(RunStage stage, int32_t user, int k) const;
    // Top-k of a what-if user known only by `history` (the stage model's scoreHistory(); its
    // error, e.g. "ease cannot fold in a new user: ...", is passed through). History items are
    // removed under the run's rule (excludedHistoryItems). `hitsOf` >= 0 marks hits against
    // that user's test positives (and seeds the tie order with that user); -1: no hits.
    Result<std::vector<RecommendedItem>> topKForHistory(RunStage stage,
                                                        const std::vector<HistoryEntry>& history,
                                                        int k, int32_t hitsOf = -1) const;
    // HistoryEntry::positive judged by the run's split threshold.
    HistoryEntry entry(int32_t item, float rating) const;

    // Recall, NDCG, hit ... of a list for `user` at cut-off k against the user's test positives
    // (core listMetrics). All zeros when the user has none.
    ListMetrics metrics(const std::vector<RecommendedItem>& list, int32_t user, int k) const;

    // For each item of `list`, its 1-based rank in `other`, or 0 when absent ("new").
    static std::vector<int> ranksIn(const std::vector<RecommendedItem>& list,
                                    const std::vector<RecommendedItem>& other);

    // Users with at least one test positive, ordered by their number of training ratings
    // (ties: lower id first) and cut in thirds: Few = first third, Median = middle third,
    // Many = last third. Ascending ids within a bucket.
    std::vector<int32_t> bucketUsers(ActivityBucket bucket) const;
    // One user of the bucket, chosen by `seed` (same seed, same user); -1 when empty.
    int32_t pickUser(ActivityBucket bucket, uint64_t seed) const;
    // One user with a test positive, chosen by `seed`; -1 when none.
    int32_t pickRandomUser(uint64_t seed) const;
    // The user whose taste moved most ("does order matter?"): among users with a test positive
    // and at least 2 * recent training ratings, the one whose last `recent` training ratings
    // (time order, as history()) differ most in genre from their earlier ones. The distance
    // is the total variation between the two genre distributions (a film with g genres counts
    // 1/g for each). Ties: lower id. -1 when no user qualifies or the dataset has no genres.
    int32_t genreShiftUser(int recent = 10) const;
    // The distance genreShiftUser() maximises, for one user (0 when the user does not qualify).
    double genreShift(int32_t user, int recent = 10) const;
    // Number of training ratings of `user` in the data the model was fitted on.
    int64_t trainCount(int32_t user) const;

    // The positives of `likedItems` most similar to `item` according to the stage model
    // (itemSimilarities), else co-occurrence cosine over the training positives' item columns
    // (|users(i) ∩ users(j)| / sqrt(|users(i)| |users(j)|), zero similarities left out).
    // At most n items, most similar first (ties: lower item id first); `item` itself skipped.
    BecauseYouLiked becauseYouLiked(RunStage stage, int32_t item,
                                    const std::vector<int32_t>& likedItems, int n = 5) const;
    // The user's training positives (what "because you liked" draws from), ascending.
    std::vector<int32_t> likedItems(int32_t user) const;
    // Co-occurrence cosine of two items over the training positives.
    float cooccurrenceCosine(int32_t a, int32_t b) const;

private:
    std::vector<RecommendedItem> rank(std::vector<float>& scores,
                                      const std::vector<int32_t>& excluded, int k, int32_t tieUser,
                                      int32_t hitsOf) const;
    void useRankerScores(RunStage stage, int32_t user, std::vector<RecommendedItem>& list) const;

    std::shared_ptr<const LoadedRun> m_run;
    std::vector<char> m_candidate;      // item has a training rating
    CsrMatrix m_itemUsers;              // training positives transposed (items x users)
    std::vector<int32_t> m_byActivity;  // users with test positives, fewest training ratings first
};

}  // namespace recscope
