#include "core/pipeline/Mmr.h"

#include <algorithm>
#include <bitset>
#include <cmath>
#include <limits>

namespace recscope {

double genreJaccard(uint32_t a, uint32_t b) {
    if (a == 0 || b == 0)
        return 0.0;
    const auto inter = std::bitset<32>(a & b).count();
    const auto uni = std::bitset<32>(a | b).count();
    return static_cast<double>(inter) / static_cast<double>(uni);
}

std::vector<int32_t> mmrRerank(const int32_t* items, const float* relevance, int32_t n,
                               const uint32_t* genreMasks, double lambda, int32_t k) {
    std::vector<int32_t> picked;
    if (n <= 0 || k <= 0)
        return picked;
    lambda = std::clamp(lambda, 0.0, 1.0);
    const int32_t take = std::min(k, n);
    picked.reserve(static_cast<size_t>(take));

    float lo = std::numeric_limits<float>::infinity();
    float hi = -std::numeric_limits<float>::infinity();
    for (int32_t i = 0; i < n; ++i) {
        if (!std::isfinite(relevance[i]))
            continue;
        lo = std::min(lo, relevance[i]);
        hi = std::max(hi, relevance[i]);
    }
    const double span = hi > lo ? static_cast<double>(hi) - lo : 1.0;
    std::vector<double> rel(static_cast<size_t>(n));
    for (int32_t i = 0; i < n; ++i)
        rel[static_cast<size_t>(i)] =
            std::isfinite(relevance[i]) ? (static_cast<double>(relevance[i]) - lo) / span : -1.0;

    // maxSim[i]: similarity of candidate i to its closest already-picked item; updated
    // incrementally so the whole re-ranking is O(n * k).
    std::vector<double> maxSim(static_cast<size_t>(n), 0.0);
    std::vector<char> used(static_cast<size_t>(n), 0);
    for (int32_t step = 0; step < take; ++step) {
        int32_t best = -1;
        double bestScore = -std::numeric_limits<double>::infinity();
        for (int32_t i = 0; i < n; ++i) {
            if (used[static_cast<size_t>(i)])
                continue;
            const double s = lambda * rel[static_cast<size_t>(i)] -
                             (1.0 - lambda) * maxSim[static_cast<size_t>(i)];
            if (s > bestScore) {
                bestScore = s;
                best = i;
            }
        }
        used[static_cast<size_t>(best)] = 1;
        picked.push_back(best);
        if (genreMasks && lambda < 1.0) {
            const uint32_t g = genreMasks[items[best]];
            for (int32_t i = 0; i < n; ++i)
                if (!used[static_cast<size_t>(i)])
                    maxSim[static_cast<size_t>(i)] = std::max(
                        maxSim[static_cast<size_t>(i)], genreJaccard(g, genreMasks[items[i]]));
        }
    }
    return picked;
}

}  // namespace recscope
