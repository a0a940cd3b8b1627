#pragma once
// Walker / Vose alias table: O(1) draws from a fixed discrete distribution. Built once, then
// read-only: sample() may be called from many threads, each with its own rng.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/data/DeterministicRng.h"

namespace recscope {

class AliasTable {
public:
    // weights[i] > 0 is the relative probability of values[i]; both the same length.
    void build(const std::vector<double>& weights, std::vector<int32_t> values);

    bool empty() const { return m_values.empty(); }

    // One of the values; consumes exactly one rng draw. Not for an empty table.
    int32_t sample(DeterministicRng& rng) const {
        const uint64_t r = rng.next();
        // High 32 bits pick the column, low 32 bits the coin.
        const uint64_t column = ((r >> 32) * m_values.size()) >> 32;
        const double coin = static_cast<double>(r & 0xFFFFFFFFULL) * 0x1.0p-32;
        return m_values[coin < m_prob[column] ? column : m_alias[column]];
    }

private:
    std::vector<double> m_prob;
    std::vector<uint32_t> m_alias;
    std::vector<int32_t> m_values;
};

}  // namespace recscope
