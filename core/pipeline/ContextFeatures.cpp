#include "core/pipeline/ContextFeatures.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/split/Split.h"

namespace recscope {

namespace {

constexpr int64_t kNone = std::numeric_limits<int64_t>::min();
constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

}  // namespace

ContextFeatures ContextFeatures::fromInteractions(const Interactions& part, int32_t numUsers,
                                                  int32_t numItems) {
    ContextFeatures f;
    f.userLast.assign(static_cast<size_t>(std::max(numUsers, 0)), kNone);
    f.userCount.assign(f.userLast.size(), 0);
    f.itemFirst.assign(static_cast<size_t>(std::max(numItems, 0)), kNever);
    f.bucketCounts.assign(f.itemFirst.size() * kBuckets, 0);
    std::vector<int64_t> times;
    times.reserve(part.size());
    for (size_t r = 0; r < part.size(); ++r) {
        const int32_t u = part.users[r];
        const int32_t i = part.items[r];
        if (u < 0 || u >= numUsers || i < 0 || i >= numItems)
            continue;
        const int64_t t = part.timestamps[r];
        auto& last = f.userLast[static_cast<size_t>(u)];
        last = std::max(last, t);
        ++f.userCount[static_cast<size_t>(u)];
        auto& first = f.itemFirst[static_cast<size_t>(i)];
        first = std::min(first, t);
        times.push_back(t);
    }
    std::sort(times.begin(), times.end());
    f.bucketStarts.assign(kBuckets, times.empty() ? 0 : times.front());
    for (int b = 0; b < kBuckets && !times.empty(); ++b)
        f.bucketStarts[static_cast<size_t>(b)] =
            times[times.size() * static_cast<size_t>(b) / kBuckets];
    for (size_t r = 0; r < part.size(); ++r) {
        const int32_t u = part.users[r];
        const int32_t i = part.items[r];
        if (u < 0 || u >= numUsers || i < 0 || i >= numItems)
            continue;
        const auto at =
            std::upper_bound(f.bucketStarts.begin(), f.bucketStarts.end(), part.timestamps[r]) -
            f.bucketStarts.begin();
        const auto b = std::max<int64_t>(0, at - 1);
        ++f.bucketCounts[static_cast<size_t>(i) * kBuckets + static_cast<size_t>(b)];
    }
    return f;
}

void ContextFeatures::fill(const int32_t* users, const int32_t* items, int64_t n,
                           float* out) const {
    std::fill(out, out + n * kCount, 0.0f);
    const auto numUsers = static_cast<int64_t>(userLast.size());
    const auto numItems = static_cast<int64_t>(itemFirst.size());
    for (int64_t k = 0; k < n; ++k) {
        float* o = out + k * kCount;
        const int32_t u = users[k];
        if (u < 0 || u >= numUsers || userLast[static_cast<size_t>(u)] == kNone)
            continue;
        const int64_t t = userLast[static_cast<size_t>(u)];
        o[0] = static_cast<float>(std::log1p(userCount[static_cast<size_t>(u)]) / 10.0);
        const int32_t i = items[k];
        const bool inRange = i >= 0 && i < numItems;
        const int64_t first = inRange ? itemFirst[static_cast<size_t>(i)] : kNever;
        if (first > t) {
            o[1] = 1.0f;
            continue;
        }
        // In double: a damaged model file's times must not overflow (issue 18).
        const double days = (static_cast<double>(t) - static_cast<double>(first)) / 86400.0;
        o[2] = static_cast<float>(std::log1p(days) / 10.0);
        const auto at =
            std::upper_bound(bucketStarts.begin(), bucketStarts.end(), t) - bucketStarts.begin();
        const auto b = std::max<int64_t>(0, at - 1);
        const int32_t* row = bucketCounts.data() + static_cast<size_t>(i) * kBuckets;
        const int64_t c = int64_t{row[b]} + (b > 0 ? row[b - 1] : 0);
        o[3] = static_cast<float>(std::log1p(c) / 5.0);
    }
}

}  // namespace recscope
