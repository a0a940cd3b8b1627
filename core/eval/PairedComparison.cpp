#include "core/eval/PairedComparison.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/eval/Evaluator.h"

namespace recscope {

WilcoxonResult wilcoxonSignedRank(const std::vector<double>& differences) {
    WilcoxonResult r;
    std::vector<double> d;
    for (double x : differences)
        if (x != 0.0 && !std::isnan(x))
            d.push_back(x);
    const auto n = static_cast<int64_t>(d.size());
    r.n = n;
    if (n == 0)
        return r;
    std::vector<size_t> order(d.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(),
              [&d](size_t a, size_t b) { return std::fabs(d[a]) < std::fabs(d[b]); });
    std::vector<double> ranks(d.size());
    double tieTerm = 0.0;  // sum of t^3 - t over groups of tied |d|
    for (size_t i = 0; i < order.size();) {
        size_t j = i;
        while (j + 1 < order.size() && std::fabs(d[order[j + 1]]) == std::fabs(d[order[i]]))
            ++j;
        const double avg = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
        for (size_t t = i; t <= j; ++t)
            ranks[order[t]] = avg;
        const auto t = static_cast<double>(j - i + 1);
        tieTerm += t * t * t - t;
        i = j + 1;
    }
    for (size_t i = 0; i < d.size(); ++i)
        (d[i] > 0 ? r.wPlus : r.wMinus) += ranks[i];
    if (n <= 50 && tieTerm == 0.0) {
        // Exact null distribution of W+: number of subsets of {1..n} with each rank sum.
        const int64_t maxSum = n * (n + 1) / 2;
        std::vector<double> counts(static_cast<size_t>(maxSum) + 1, 0.0);
        counts[0] = 1.0;
        for (int64_t k = 1; k <= n; ++k)
            for (int64_t s = maxSum; s >= k; --s)
                counts[static_cast<size_t>(s)] += counts[static_cast<size_t>(s - k)];
        const auto w = static_cast<int64_t>(std::min(r.wPlus, r.wMinus));
        double tail = 0.0;
        for (int64_t s = 0; s <= w; ++s)
            tail += counts[static_cast<size_t>(s)];
        r.pValue = std::min(1.0, 2.0 * tail / std::ldexp(1.0, static_cast<int>(n)));
        r.exact = true;
        return r;
    }
    const auto nn = static_cast<double>(n);
    const double mean = nn * (nn + 1.0) / 4.0;
    const double var = nn * (nn + 1.0) * (2.0 * nn + 1.0) / 24.0 - tieTerm / 48.0;
    if (var <= 0.0)
        return r;
    r.z = (r.wPlus - mean) / std::sqrt(var);
    r.pValue = std::min(1.0, std::erfc(std::fabs(r.z) / std::sqrt(2.0)));
    return r;
}

Result<std::vector<std::pair<double, double>>> pairedValues(const EvalResult& a,
                                                            const EvalResult& b,
                                                            const std::string& metric) {
    const auto ia = a.perUser.find(metric);
    const auto ib = b.perUser.find(metric);
    if (ia == a.perUser.end() || ib == b.perUser.end())
        return makeError("paired comparison: no per-user values of '" + metric +
                         "' in both results");
    std::vector<std::pair<double, double>> pairs;
    size_t i = 0;
    size_t j = 0;
    // Both user lists are ascending: a merge finds the common users.
    while (i < a.users.size() && j < b.users.size()) {
        if (a.users[i] < b.users[j]) {
            ++i;
        } else if (b.users[j] < a.users[i]) {
            ++j;
        } else {
            pairs.emplace_back(ia->second[i], ib->second[j]);
            ++i;
            ++j;
        }
    }
    return pairs;
}

Result<PairedComparison> comparePaired(const EvalResult& a, const EvalResult& b,
                                       const std::string& metric) {
    Result<std::vector<std::pair<double, double>>> pairs = pairedValues(a, b, metric);
    if (!pairs)
        return pairs.error();
    PairedComparison c;
    c.metric = metric;
    std::vector<double> diffs;
    double sumA = 0.0;
    double sumB = 0.0;
    for (const auto& [va, vb] : pairs.value()) {
        sumA += va;
        sumB += vb;
        ++c.users;
        if (va > vb)
            ++c.wins;
        else if (va < vb)
            ++c.losses;
        else
            ++c.ties;
        diffs.push_back(va - vb);
    }
    if (c.users > 0) {
        c.meanA = sumA / static_cast<double>(c.users);
        c.meanB = sumB / static_cast<double>(c.users);
    }
    c.wilcoxon = wilcoxonSignedRank(diffs);
    c.difference = bootstrapMean(diffs);
    return c;
}

}  // namespace recscope
