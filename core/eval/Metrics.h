#pragma once
// Per-list ranking metrics, the tie order and catalogue-level statistics as docs/protocols.md
// defines them. Pure functions, no state: safe from any thread.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/data/DeterministicRng.h"

namespace recscope {

struct ListMetrics {
    double hit = 0.0;           // 1 if any relevant item is in the top K
    double recall = 0.0;        // hits / |relevant|
    double recallCapped = 0.0;  // hits / min(K, |relevant|) (Mult-VAE papers' Recall@K)
    double precision = 0.0;     // hits / K (K as asked, even when fewer items were ranked)
    double ndcg = 0.0;          // DCG (1/log2(rank+1) gains) / ideal DCG over min(|relevant|, K)
    double mrr = 0.0;           // 1 / rank of the first relevant item in the top K, else 0
    double map = 0.0;           // sum of precision at each hit rank / min(|relevant|, K)
};

// ranked: the recommended items, best first (may hold fewer or more than k; only the first k
// count). relevant: ascending item ids. numRelevant: |relevant| for the denominators (may exceed
// relevant.size() when relevant items cannot be ranked at all). No relevant item: all zeros.
ListMetrics listMetrics(const int32_t* ranked, int64_t rankedCount,
                        const std::vector<int32_t>& relevant, int k, int64_t numRelevant = -1);

// Metrics of a single relevant item found at 1-based rank `rank` (sampled evaluation).
ListMetrics singleItemMetrics(int64_t rank, int k);

// Equal scores, one rule everywhere (docs/protocols.md, "Ties"): tied items are ordered by a
// seeded random permutation per user, never by item id. Item a ranks before an equally scored
// b when key(a) < key(b). Full and sampled evaluation, the watch list and the inspector all
// build it from the run's seed, so a tie is broken the same way in each of them.
class TieOrder {
public:
    TieOrder(uint64_t seed, int32_t user)
        : m_userSeed(mixSeed(mixSeed(seed, kTieStream), static_cast<uint64_t>(user))) {}
    uint64_t key(int32_t item) const { return mixSeed(m_userSeed, static_cast<uint64_t>(item)); }
    // Strict order: higher score first, ties by key (then id, for 64-bit key collisions only).
    bool before(float scoreA, int32_t a, float scoreB, int32_t b) const {
        if (scoreA != scoreB)
            return scoreA > scoreB;
        const uint64_t ka = key(a), kb = key(b);
        return ka < kb || (ka == kb && a < b);
    }

private:
    static constexpr uint64_t kTieStream = 0x71E5B0A4D5EED001ULL;
    uint64_t m_userSeed;
};

// What a list may not hold besides -inf and NaN scores: items whose `allowed` entry is 0 (the
// catalogue mask, rankableItems()) and the ids in `excluded` (ascending; excludedItems()).
struct RankFilter {
    const char* allowed = nullptr;  // n entries, or null: every item
    const int32_t* excluded = nullptr;
    size_t numExcluded = 0;
};

// The k best items of scores[0..n) (highest first; equal scores in the order of `ties`),
// skipping -inf and NaN entries and what `filter` names; writes min(k, eligible count) ids to
// out and returns that count. One pass (scores are not modified) at about one comparison per item
// when k << n: candidates above the running k-th best collect in a buffer that a selection trims.
int64_t topK(const float* scores, int32_t n, int k, const TieOrder& ties, std::vector<int32_t>& out,
             const RankFilter& filter = {});

// Gini coefficient of non-negative counts (0 = even, -> 1 = concentrated); 0 when all are 0.
double giniCoefficient(std::vector<int64_t> counts);

// Mean pairwise Jaccard distance (1 - |A∩B| / |A∪B|) of the genre bit sets of a list; two empty
// sets have distance 0. Lists with fewer than two items give 0.
double intraListDiversity(const int32_t* items, int64_t count,
                          const std::vector<uint32_t>& genreMasks);
// The same for each prefix items[0, min(count, ks[j])) at once, into out[j]: one pass over the
// pairs of the longest prefix (the evaluator's K = 10, 20, 50, 100 share their pairs).
void intraListDiversityPrefixes(const int32_t* items, int64_t count,
                                const std::vector<uint32_t>& genreMasks, const int* ks, size_t numK,
                                double* out);

}  // namespace recscope
