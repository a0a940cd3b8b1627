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
    // Candidates collect in a buffer of a few k; when it fills, a selection keeps the k best and
    // raises the bar to the k-th best score. Each item costs one comparison with the bar, and
    // the selections cost O(buffer) each, far fewer than a heap's log k moves per accepted item.
    const size_t bufferCap = std::max<size_t>(4 * cap, 64);
    out.reserve(bufferCap);
    const auto better = [scores, &ties](int32_t a, int32_t b) {
        return ties.before(scores[a], a, scores[b], b);
    };
    float bar = -INFINITY;  // the k-th best score kept so far, once k are kept
    const auto keepBest = [&] {
        std::nth_element(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(cap - 1), out.end(),
                         better);
        out.resize(cap);
        bar = scores[out.back()];
    };
    size_t ex = 0;
    for (int32_t i = 0; i < n; ++i) {
        const float s = scores[i];
        // Hot path: most items fall below the bar; -inf and NaN fail this too. An item equal to
        // the bar may still win on the tie order, so it is kept for the next selection.
        if (!(s >= bar) || s == -INFINITY)
            continue;
        if (filter.allowed && !filter.allowed[i])
            continue;
        while (ex < filter.numExcluded && filter.excluded[ex] < i)
            ++ex;
        if (ex < filter.numExcluded && filter.excluded[ex] == i)
            continue;
        out.push_back(i);
        if (out.size() == bufferCap)
            keepBest();
    }
    if (out.size() > cap)
        keepBest();
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

namespace {

// 1 - |A∩B| / |A∪B| by the two counts (|A∪B| <= 32 for 32-bit masks); 0 when both are empty.
struct JaccardTable {
    double distance[33][33] = {};
    JaccardTable() {
        for (int inter = 0; inter <= 32; ++inter)
            for (int uni = 1; uni <= 32; ++uni)
                distance[inter][uni] = 1.0 - static_cast<double>(inter) / uni;
    }
};

inline int bitCount(uint32_t v) {
    // Portable (the build targets baseline x86-64, where __builtin_popcount is a libgcc call).
    v = v - ((v >> 1) & 0x55555555u);
    v = (v & 0x33333333u) + ((v >> 2) & 0x33333333u);
    return static_cast<int>((((v + (v >> 4)) & 0x0F0F0F0Fu) * 0x01010101u) >> 24);
}

}  // namespace

double intraListDiversity(const int32_t* items, int64_t count,
                          const std::vector<uint32_t>& genreMasks) {
    double value = 0.0;
    const int k = static_cast<int>(std::min<int64_t>(count, INT32_MAX));
    intraListDiversityPrefixes(items, count, genreMasks, &k, 1, &value);
    return value;
}

void intraListDiversityPrefixes(const int32_t* items, int64_t count,
                                const std::vector<uint32_t>& genreMasks, const int* ks, size_t numK,
                                double* out) {
    static const JaccardTable table;
    int64_t longest = 0;
    for (size_t j = 0; j < numK; ++j)
        longest = std::max<int64_t>(longest, std::min<int64_t>(count, ks[j]));
    // Pair sums of each prefix, grown one item at a time: prefixSum[r] covers items [0, r).
    std::vector<uint32_t> masks(static_cast<size_t>(longest));
    std::vector<int> bits(static_cast<size_t>(longest));
    std::vector<double> prefixSum(static_cast<size_t>(longest) + 1, 0.0);
    for (int64_t b = 0; b < longest; ++b) {
        const uint32_t mb = genreMasks[static_cast<size_t>(items[b])];
        const int nb = bitCount(mb);
        double add = 0.0;
        for (int64_t a = 0; a < b; ++a) {
            const int inter = bitCount(masks[static_cast<size_t>(a)] & mb);
            add += table.distance[inter][bits[static_cast<size_t>(a)] + nb - inter];
        }
        masks[static_cast<size_t>(b)] = mb;
        bits[static_cast<size_t>(b)] = nb;
        prefixSum[static_cast<size_t>(b) + 1] = prefixSum[static_cast<size_t>(b)] + add;
    }
    for (size_t j = 0; j < numK; ++j) {
        const int64_t c = std::min<int64_t>(count, ks[j]);
        out[j] = c < 2 ? 0.0
                       : prefixSum[static_cast<size_t>(c)] /
                             (static_cast<double>(c) * static_cast<double>(c - 1) / 2.0);
    }
}

}  // namespace recscope
