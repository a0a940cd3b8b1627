#include "core/eval/ActivityBreakdown.h"

#include <algorithm>
#include <numeric>

#include "core/eval/Evaluator.h"
#include "core/models/TrainData.h"

namespace recscope {

std::vector<ActivityGroup> activityBreakdown(const EvalResult& result, const TrainData& train,
                                             int groups) {
    std::vector<ActivityGroup> out;
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
        ActivityGroup group;
        group.users = end - begin;
        group.minTrain = trainSize(order[static_cast<size_t>(begin)]);
        group.maxTrain = trainSize(order[static_cast<size_t>(end - 1)]);
        for (const auto& [metric, values] : result.perUser) {
            double sum = 0.0;
            for (int64_t r = begin; r < end; ++r)
                sum += values[order[static_cast<size_t>(r)]];
            group.means[metric] = sum / static_cast<double>(group.users);
        }
        out.push_back(std::move(group));
    }
    return out;
}

}  // namespace recscope
