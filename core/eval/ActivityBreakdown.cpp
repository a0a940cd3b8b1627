#include "core/eval/ActivityBreakdown.h"

#include <algorithm>
#include <numeric>

#include "core/eval/Evaluator.h"
#include "core/models/TrainData.h"

namespace recscope {

std::vector<ActivitySlice> activitySlices(const EvalResult& result, const TrainData& train,
                                          int groups) {
    std::vector<ActivitySlice> out;
    const auto n = static_cast<int64_t>(result.users.size());
    if (n == 0 || groups <= 0)
        return out;
    const auto trainSize = [&](size_t e) {
        const int32_t u = result.users[e];
        return u < train.allRatings.rows ? train.allRatings.rowSize(u) : int64_t{0};
    };
    std::vector<size_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return trainSize(a) < trainSize(b); });
    for (int g = 0; g < groups; ++g) {
        const int64_t begin = n * g / groups;
        const int64_t end = n * (g + 1) / groups;
        if (begin >= end)
            continue;
        ActivitySlice slice;
        slice.minTrain = trainSize(order[static_cast<size_t>(begin)]);
        slice.maxTrain = trainSize(order[static_cast<size_t>(end - 1)]);
        slice.entries.assign(order.begin() + begin, order.begin() + end);
        out.push_back(std::move(slice));
    }
    return out;
}

std::vector<ActivityGroup> activityBreakdown(const EvalResult& result, const TrainData& train,
                                             int groups) {
    std::vector<ActivityGroup> out;
    for (const ActivitySlice& slice : activitySlices(result, train, groups)) {
        ActivityGroup group;
        group.users = static_cast<int64_t>(slice.entries.size());
        group.minTrain = slice.minTrain;
        group.maxTrain = slice.maxTrain;
        for (const auto& [metric, values] : result.perUser) {
            double sum = 0.0;
            for (size_t e : slice.entries)
                sum += values[e];
            group.means[metric] = sum / static_cast<double>(group.users);
        }
        out.push_back(std::move(group));
    }
    return out;
}

}  // namespace recscope
