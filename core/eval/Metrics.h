#pragma once
// Per-list ranking metrics and catalogue-level statistics as ../shared/docs/protocols.md
// defines them. Pure functions, no state: safe from any thread.

#include <cstdint>
#include <vector>

namespace recscope {

struct ListMetrics {
    double hit = 0.0;        // 1 if any relevant item is in the top K
    double recall = 0.0;     // hits / |relevant|
    double precision = 0.0;  // hits / K (K as asked, even when fewer items were ranked)
    double ndcg = 0.0;       // DCG (1/log2(rank+1) gains) / ideal DCG over min(|relevant|, K)
    double mrr = 0.0;        // 1 / rank of the first relevant item in the top K, else 0
    double map = 0.0;        // sum of precision at each hit rank / min(|relevant|, K)
};

// ranked: the recommended items, best first (may hold fewer or more than k; only the first k
// count). relevant: ascending item ids. numRelevant: |relevant| for the denominators (may exceed
// relevant.size() when relevant items cannot be ranked at all). No relevant item: all zeros.
ListMetrics listMetrics(const int32_t* ranked, int64_t rankedCount,
                        const std::vector<int32_t>& relevant, int k, int64_t numRelevant = -1);

// Metrics of a single relevant item found at 1-based rank `rank` (sampled evaluation).
ListMetrics singleItemMetrics(int64_t rank, int k);

// The k best items of scores[0..n) (highest first; equal scores: lower item id first), skipping
// -inf and NaN entries; writes min(k, valid count) ids to out and returns that count.
int64_t topK(const float* scores, int32_t n, int k, std::vector<int32_t>& out);

// Gini coefficient of non-negative counts (0 = even, -> 1 = concentrated); 0 when all are 0.
double giniCoefficient(std::vector<int64_t> counts);

// Mean pairwise Jaccard distance (1 - |A∩B| / |A∪B|) of the genre bit sets of a list; two empty
// sets have distance 0. Lists with fewer than two items give 0.
double intraListDiversity(const int32_t* items, int64_t count,
                          const std::vector<uint32_t>& genreMasks);

}  // namespace recscope
