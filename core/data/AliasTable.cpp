#include "core/data/AliasTable.h"

namespace recscope {

void AliasTable::build(const std::vector<double>& weights, std::vector<int32_t> values) {
    const size_t n = weights.size();
    m_values = std::move(values);
    m_prob.assign(n, 1.0);
    m_alias.assign(n, 0);
    if (n == 0)
        return;
    double total = 0.0;
    for (double w : weights)
        total += w;
    std::vector<double> scaled(n);
    std::vector<uint32_t> small, large;
    for (size_t i = 0; i < n; ++i) {
        scaled[i] = weights[i] * static_cast<double>(n) / total;
        (scaled[i] < 1.0 ? small : large).push_back(static_cast<uint32_t>(i));
    }
    // Fixed processing order (stacks, back first): the table, and so every draw, is the same
    // on every platform.
    while (!small.empty() && !large.empty()) {
        const uint32_t s = small.back();
        small.pop_back();
        const uint32_t l = large.back();
        m_prob[s] = scaled[s];
        m_alias[s] = l;
        scaled[l] = (scaled[l] + scaled[s]) - 1.0;
        if (scaled[l] < 1.0) {
            large.pop_back();
            small.push_back(l);
        }
    }
    // Leftovers are 1 up to rounding.
    for (uint32_t i : small)
        m_prob[i] = 1.0;
    for (uint32_t i : large)
        m_prob[i] = 1.0;
}

}  // namespace recscope
