#pragma once
// The (user, item, value) entries of a CSR matrix as contiguous columns, reshuffled once per
// epoch by a seeded Fisher-Yates permutation (counter-based, so identical on every platform).
// Batches are then plain slices [begin, end) of users() / items() / values().

#include <cstdint>
#include <vector>

#include "core/models/TrainData.h"

namespace recscope {

class ShuffledPairs {
public:
    explicit ShuffledPairs(const CsrMatrix& matrix);

    // Reorders the columns with the permutation for (seed, epoch).
    void shuffle(uint64_t seed, int epoch);

    int64_t size() const { return int64_t(m_baseUsers.size()); }
    // Before the first shuffle(): the matrix's own (user-major) order, with no copy made.
    const int32_t* users() const { return (m_users.empty() ? m_baseUsers : m_users).data(); }
    const int32_t* items() const { return (m_items.empty() ? m_baseItems : m_items).data(); }
    const float* values() const { return (m_values.empty() ? m_baseValues : m_values).data(); }

private:
    std::vector<int32_t> m_baseUsers, m_baseItems;
    std::vector<float> m_baseValues;
    // The shuffled columns, allocated by the first shuffle() (BPR's hogwild kernel never asks).
    std::vector<int32_t> m_users, m_items;
    std::vector<float> m_values;
    std::vector<int64_t> m_perm;
};

}  // namespace recscope
