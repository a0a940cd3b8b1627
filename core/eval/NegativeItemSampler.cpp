#include "core/eval/NegativeItemSampler.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace recscope {

NegativeItemSampler::NegativeItemSampler(std::vector<int32_t> pool,
                                         const std::vector<int64_t>& weights)
    : m_pool(std::move(pool)) {
    if (weights.empty())
        return;
    m_cumulative.reserve(m_pool.size());
    m_weight.reserve(m_pool.size());
    double sum = 0.0;
    for (int32_t item : m_pool) {
        const double w =
            static_cast<double>(std::max<int64_t>(0, weights[static_cast<size_t>(item)]));
        m_weight.push_back(w);
        sum += w;
        m_cumulative.push_back(sum);
    }
}

void NegativeItemSampler::draw(const std::vector<int32_t>& seen, int n, uint64_t seed,
                               std::vector<int32_t>& out) const {
    out.clear();
    if (n <= 0 || m_pool.empty())
        return;
    std::mt19937_64 rng(seed);
    const bool weighted = !m_cumulative.empty();
    const auto isSeen = [&seen](int32_t item) {
        return std::binary_search(seen.begin(), seen.end(), item);
    };
    const auto taken = [&out](int32_t item) {
        return std::find(out.begin(), out.end(), item) != out.end();
    };
    // Rejection sampling is fast while most of the pool is eligible; the bounded number of tries
    // falls back to an exact method for users who have seen most of the catalogue.
    const int64_t maxTries = 20LL * n + 200;
    int64_t tries = 0;
    const double total = weighted ? m_cumulative.back() : 0.0;
    if (!weighted || total > 0.0) {
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        while (static_cast<int>(out.size()) < n && tries < maxTries) {
            ++tries;
            size_t pos = 0;
            if (weighted) {
                const double r = unit(rng) * total;
                pos = static_cast<size_t>(
                    std::upper_bound(m_cumulative.begin(), m_cumulative.end(), r) -
                    m_cumulative.begin());
                if (pos >= m_pool.size() || m_weight[pos] <= 0.0)
                    continue;
            } else {
                pos = static_cast<size_t>(rng() % m_pool.size());
            }
            const int32_t item = m_pool[pos];
            if (!isSeen(item) && !taken(item))
                out.push_back(item);
        }
    }
    if (static_cast<int>(out.size()) >= n || tries < maxTries)
        return;
    // Exact fallback: weighted sampling without replacement by exponential keys
    // (Efraimidis-Spirakis); uniform when unweighted.
    std::vector<std::pair<double, int32_t>> keyed;
    std::uniform_real_distribution<double> unit(1e-300, 1.0);
    for (size_t pos = 0; pos < m_pool.size(); ++pos) {
        const int32_t item = m_pool[pos];
        const double w = weighted ? m_weight[pos] : 1.0;
        if (w <= 0.0 || isSeen(item) || taken(item))
            continue;
        keyed.emplace_back(std::log(unit(rng)) / w, item);
    }
    const size_t need = std::min(keyed.size(), static_cast<size_t>(n) - out.size());
    std::partial_sort(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(need), keyed.end(),
                      [](const auto& a, const auto& b) {
                          return a.first > b.first || (a.first == b.first && a.second < b.second);
                      });
    for (size_t i = 0; i < need; ++i)
        out.push_back(keyed[i].second);
}

}  // namespace recscope
