#pragma once
// Maximal marginal relevance re-ranking for genre diversity (Carbonell & Goldstein 1998):
// repeatedly pick the candidate maximising
//     lambda * rel(i) - (1 - lambda) * max_{j already picked} sim(i, j)
// where rel is the candidate's relevance min-max scaled to [0, 1] over the list and sim is the
// Jaccard similarity of the two items' genre sets (0 when either has no genre). lambda = 1 keeps
// the input order; lambda = 0 ignores relevance after the first pick. Ties go to the earlier
// input position, so the result is deterministic.

#include <cstdint>
#include <vector>

namespace recscope {

// Jaccard similarity of two genre bit masks; 0 when either mask is empty.
double genreJaccard(uint32_t a, uint32_t b);

// items, relevance: n candidates in descending relevance order (the order lambda = 1 keeps).
// genreMasks: indexed by item id, covering every id in items (may be null: no diversity term).
// Returns the positions 0..n-1 of the first min(k, n) picks, in pick order. Pure function,
// safe from any thread. lambda outside [0, 1] is clamped.
std::vector<int32_t> mmrRerank(const int32_t* items, const float* relevance, int32_t n,
                               const uint32_t* genreMasks, double lambda, int32_t k);

}  // namespace recscope
