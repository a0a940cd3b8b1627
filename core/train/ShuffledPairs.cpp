#include "core/train/ShuffledPairs.h"

#include <cstddef>
#include <numeric>
#include <utility>

#include "core/train/CounterRandom.h"

namespace recscope {

ShuffledPairs::ShuffledPairs(const CsrMatrix& matrix) {
    const std::size_t nnz = std::size_t(matrix.nnz());
    m_baseUsers.resize(nnz);
    m_baseItems.assign(matrix.indices.begin(), matrix.indices.end());
    m_baseValues.resize(nnz, 1.0f);
    for (int32_t r = 0; r < matrix.rows; ++r)
        for (int64_t k = matrix.offsets[std::size_t(r)]; k < matrix.offsets[std::size_t(r) + 1];
             ++k)
            m_baseUsers[std::size_t(k)] = r;
    if (matrix.values.size() == nnz)
        m_baseValues = matrix.values;
}

void ShuffledPairs::shuffle(uint64_t seed, int epoch) {
    const std::size_t n = m_baseUsers.size();
    m_perm.resize(n);
    std::iota(m_perm.begin(), m_perm.end(), int64_t(0));
    const uint64_t stream = CounterRandom::mix(seed ^ (uint64_t(epoch) * 0x9e3779b97f4a7c15ULL));
    for (std::size_t k = n; k > 1; --k) {
        const std::size_t r = std::size_t(CounterRandom::below(CounterRandom::at(stream, k), k));
        std::swap(m_perm[k - 1], m_perm[r]);
    }
    m_users.resize(n);
    m_items.resize(n);
    m_values.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t p = std::size_t(m_perm[k]);
        m_users[k] = m_baseUsers[p];
        m_items[k] = m_baseItems[p];
        m_values[k] = m_baseValues[p];
    }
}

}  // namespace recscope
