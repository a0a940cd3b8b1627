#include "core/eval/Metrics.h"

#include <algorithm>
#include <cmath>

namespace recscope {

ListMetrics listMetrics(const int32_t* ranked, int64_t rankedCount,
                        const std::vector<int32_t>& relevant, int k, int64_t numRelevant) {
    ListMetrics m;
    if (numRelevant < 0)
        numRelevant = static_cast<int64_t>(relevant.size());
    if (numRelevant == 0 || k <= 0)
        return m;
    const int64_t n = std::min<int64_t>(rankedCount, k);
    int64_t hits = 0;
    double dcg = 0.0;
    double apSum = 0.0;
    for (int64_t r = 0; r < n; ++r) {
        if (!std::binary_search(relevant.begin(), relevant.end(), ranked[r]))
            continue;
        ++hits;
        dcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
        apSum += static_cast<double>(hits) / static_cast<double>(r + 1);
        if (hits == 1)
            m.mrr = 1.0 / static_cast<double>(r + 1);
    }
    const int64_t idealCount = std::min<int64_t>(numRelevant, k);
    double idcg = 0.0;
    for (int64_t r = 0; r < idealCount; ++r)
        idcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
    m.hit = hits > 0 ? 1.0 : 0.0;
    m.recall = static_cast<double>(hits) / static_cast<double>(numRelevant);
    m.recallCapped = static_cast<double>(hits) / static_cast<double>(idealCount);
    m.precision = static_cast<double>(hits) / static_cast<double>(k);
    m.ndcg = dcg / idcg;
    m.map = apSum / static_cast<double>(idealCount);
    return m;
}

ListMetrics singleItemMetrics(int64_t rank, int k) {
    ListMetrics m;
    if (rank < 1 || rank > k)
        return m;
    m.hit = 1.0;
    m.recall = 1.0;
    m.recallCapped = 1.0;
    m.precision = 1.0 / k;
    m.ndcg = 1.0 / std::log2(static_cast<double>(rank) + 1.0);
    m.mrr = 1.0 / static_cast<double>(rank);
    m.map = m.mrr;
    return m;
}

int64_t topK(const float* scores, int32_t n, int k, const TieOrder& ties, std::vector<int32_t>& out,
             const RankFilter& filter) {
    out.clear();
    if (k <= 0 || n <= 0)
        return 0;
    const auto cap = static_cast<size_t>(std::min(k, n));
    out.reserve(cap);
    // A heap whose front is the worst item kept: `better` as the heap's "less".
    const auto better = [scores, &ties](int32_t a, int32_t b) {
        return ties.before(scores[a], a, scores[b], b);
    };
    float worst = -INFINITY;  // score of the front once the heap is full
    size_t ex = 0;
    for (int32_t i = 0; i < n; ++i) {
        const float s = scores[i];
        // Hot path: most items fall below the k-th best; -inf and NaN fail this too.
        if (!(s >= worst) || s == -INFINITY)
            continue;
        if (filter.allowed && !filter.allowed[i])
            continue;
        while (ex < filter.numExcluded && filter.excluded[ex] < i)
            ++ex;
        if (ex < filter.numExcluded && filter.excluded[ex] == i)
            continue;
        if (out.size() < cap) {
            out.push_back(i);
            std::push_heap(out.begin(), out.end(), better);
            if (out.size() == cap)
                worst = scores[out.front()];
            continue;
        }
        if (!better(i, out.front()))
            continue;
        std::pop_heap(out.begin(), out.end(), better);
        out.back() = i;
        std::push_heap(out.begin(), out.end(), better);
        worst = scores[out.front()];
    }
    std::sort(out.begin(), out.end(), better);
    return static_cast<int64_t>(out.size());
}

double giniCoefficient(std::vector<int64_t> counts) {
    const auto n = static_cast<double>(counts.size());
    if (counts.empty())
        return 0.0;
    std::sort(counts.begin(), counts.end());
    double total = 0.0;
    double weighted = 0.0;
    for (size_t i = 0; i < counts.size(); ++i) {
        total += static_cast<double>(counts[i]);
        weighted += (2.0 * static_cast<double>(i + 1) - n - 1.0) * static_cast<double>(counts[i]);
    }
    return total > 0.0 ? weighted / (n * total) : 0.0;
}

double intraListDiversity(const int32_t* items, int64_t count,
                          const std::vector<uint32_t>& genreMasks) {
    if (count < 2)
        return 0.0;
    double sum = 0.0;
    for (int64_t a = 0; a < count; ++a) {
        const uint32_t ma = genreMasks[static_cast<size_t>(items[a])];
        for (int64_t b = a + 1; b < count; ++b) {
            const uint32_t mb = genreMasks[static_cast<size_t>(items[b])];
            const int uni = __builtin_popcount(ma | mb);
            if (uni > 0)
                sum += 1.0 - static_cast<double>(__builtin_popcount(ma & mb)) / uni;
        }
    }
    return sum / (static_cast<double>(count) * static_cast<double>(count - 1) / 2.0);
}

}  // namespace recscope
