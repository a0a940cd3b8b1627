#pragma once
// Draws the never-seen items of sampled evaluation: uniformly or in proportion to training
// popularity, without replacement, from a fixed candidate pool. A draw depends only on the seed
// it is given, so results do not depend on batching or thread count. Const after construction:
// draw() may run from several threads at once.

#include <cstdint>
#include <vector>

#include "core/data/DeterministicRng.h"  // mixSeed: the one definition, shared with the splits

namespace recscope {

class NegativeItemSampler {
public:
    // pool: candidate items, ascending. weights (popularity mode): one per item id, >= 0;
    // empty = uniform. Pool items of weight 0 are never drawn in popularity mode.
    NegativeItemSampler(std::vector<int32_t> pool, const std::vector<int64_t>& weights);

    // Up to n distinct pool items not in `seen` (ascending ids), in draw order. Fewer than n
    // only when fewer are eligible.
    void draw(const std::vector<int32_t>& seen, int n, uint64_t seed,
              std::vector<int32_t>& out) const;

private:
    std::vector<int32_t> m_pool;
    std::vector<double> m_cumulative;  // popularity mode: prefix sums of pool weights
    std::vector<double> m_weight;      // popularity mode: weight per pool position
};

}  // namespace recscope
