#include "core/eval/PerUserDistribution.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "core/eval/ActivityBreakdown.h"
#include "core/eval/Bootstrap.h"
#include "core/eval/Evaluator.h"
#include "core/eval/PairedComparison.h"
#include "core/models/TrainData.h"

namespace recscope {

namespace {

Error noMetric(const std::string& metric) {
    return makeError("no per-user values of '" + metric + "' in the run");
}

}  // namespace

Histogram histogram(const std::vector<double>& values, int bins, double low, double high) {
    Histogram h;
    h.low = low;
    if (!(high > low) || bins < 1) {
        h.width = 1.0;
        h.counts.assign(1, 0);
        for (double v : values)
            h.counts[0] += v >= low && v < low + 1.0 ? 1 : 0;
        return h;
    }
    h.width = (high - low) / bins;
    h.counts.assign(static_cast<size_t>(bins), 0);
    for (double v : values) {
        if (!(v >= low && v <= high))
            continue;
        const auto bin =
            std::min(static_cast<size_t>(bins - 1), static_cast<size_t>((v - low) / h.width));
        ++h.counts[bin];
    }
    return h;
}

Result<std::vector<double>> perUserValues(const EvalResult& result, const std::string& metric) {
    const auto it = result.perUser.find(metric);
    if (it == result.perUser.end())
        return noMetric(metric);
    return std::vector<double>(it->second.begin(), it->second.end());
}

Result<std::vector<ActivityValues>> valuesByActivity(const EvalResult& result,
                                                     const TrainData& train,
                                                     const std::string& metric, int groups) {
    const auto it = result.perUser.find(metric);
    if (it == result.perUser.end())
        return noMetric(metric);
    std::vector<ActivityValues> out;
    for (const ActivitySlice& slice : activitySlices(result, train, groups)) {
        ActivityValues group;
        group.minTrain = slice.minTrain;
        group.maxTrain = slice.maxTrain;
        for (size_t e : slice.entries)
            group.values.push_back(it->second[e]);
        out.push_back(std::move(group));
    }
    return out;
}

BoxStats boxStats(std::vector<double> values) {
    BoxStats b;
    if (values.empty())
        return b;
    std::sort(values.begin(), values.end());
    b.n = static_cast<int64_t>(values.size());
    b.min = values.front();
    b.max = values.back();
    b.q1 = interpolatedQuantile(values, 0.25);
    b.median = interpolatedQuantile(values, 0.5);
    b.q3 = interpolatedQuantile(values, 0.75);
    b.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(b.n);
    return b;
}

Result<std::vector<double>> pairedDifferences(const EvalResult& a, const EvalResult& b,
                                              const std::string& metric) {
    Result<std::vector<std::pair<double, double>>> pairs = pairedValues(a, b, metric);
    if (!pairs)
        return pairs.error();
    std::vector<double> diffs;
    diffs.reserve(pairs->size());
    for (const auto& [va, vb] : pairs.value())
        diffs.push_back(va - vb);
    return diffs;
}

}  // namespace recscope
