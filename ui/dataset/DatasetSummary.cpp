#include "ui/dataset/DatasetSummary.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <numeric>

#include "core/common/CivilDate.h"
#include "core/data/Dataset.h"

namespace recscope::ui {

namespace {

// Months since 1970-01 (UTC), and the first second of such a month.
int64_t monthIndex(int64_t seconds) {
    const CivilDate d = civilDate(seconds);
    return (d.year - 1970) * 12 + (d.month - 1);
}

int64_t monthStart(int64_t index) {
    const int64_t year = 1970 + (index >= 0 ? index / 12 : (index - 11) / 12);
    return unixSeconds(CivilDate{year, int(index - (year - 1970) * 12 + 1), 1});
}

}  // namespace

DatasetSummary DatasetSummary::compute(const Dataset& dataset) {
    DatasetSummary summary;

    // Ratings are stored as half-stars in a uint8, so a 256-slot table is exact.
    std::array<int64_t, 256> halfCounts{};
    for (uint8_t half : dataset.halfStars())
        ++halfCounts[half];

    const RatingScale scale = dataset.ratingScale();
    const int scaleMin = static_cast<int>(std::lround(scale.min * 2));
    const int scaleMax = static_cast<int>(std::lround(scale.max * 2));
    const int scaleStep = std::max(1, static_cast<int>(std::lround(scale.step * 2)));
    for (int half = 0; half < 256; ++half) {
        const bool onScale =
            half >= scaleMin && half <= scaleMax && (half - scaleMin) % scaleStep == 0;
        if (onScale || halfCounts[static_cast<size_t>(half)] > 0) {
            summary.ratingValues.push_back(half * 0.5);
            summary.ratingCounts.push_back(halfCounts[static_cast<size_t>(half)]);
        }
    }

    std::vector<int64_t> perItem(static_cast<size_t>(dataset.numItems()), 0);
    for (int32_t item : dataset.items())
        ++perItem[static_cast<size_t>(item)];
    std::sort(perItem.begin(), perItem.end(), std::greater<>());
    const auto firstZero = std::find(perItem.begin(), perItem.end(), 0);
    summary.unratedItems = static_cast<int32_t>(perItem.end() - firstZero);
    perItem.erase(firstZero, perItem.end());
    summary.itemPopularity = std::move(perItem);

    const auto& pop = summary.itemPopularity;
    const int64_t total = std::accumulate(pop.begin(), pop.end(), int64_t{0});
    if (total > 0) {
        const size_t head = static_cast<size_t>(std::ceil(0.2 * static_cast<double>(pop.size())));
        const int64_t headSum = std::accumulate(pop.begin(), pop.begin() + head, int64_t{0});
        summary.headShare = static_cast<double>(headSum) / static_cast<double>(total);
    }
    const auto& offsets = dataset.userOffsets();
    for (size_t u = 0; u + 1 < offsets.size(); ++u) {
        const int64_t n = offsets[u + 1] - offsets[u];
        if (n <= 0)
            continue;
        size_t bin = 0;
        while ((int64_t{2} << bin) <= n)
            ++bin;
        if (summary.activityCounts.size() <= bin)
            summary.activityCounts.resize(bin + 1, 0);
        ++summary.activityCounts[bin];
        summary.maxUserRatings = std::max(summary.maxUserRatings, n);
    }

    if (dataset.numRatings() > 0 && dataset.maxTimestamp() > 0) {
        const int64_t first = monthIndex(dataset.minTimestamp());
        const int64_t last = monthIndex(dataset.maxTimestamp());
        if (last - first < 12 * 200) {  // a corrupt timestamp must not allocate millions of bars
            summary.monthCounts.assign(static_cast<size_t>(last - first + 1), 0);
            for (int64_t t : dataset.timestamps()) {
                const int64_t m = monthIndex(t) - first;
                if (m >= 0 && m <= last - first)
                    ++summary.monthCounts[static_cast<size_t>(m)];
            }
            for (int64_t m = first; m <= last; ++m)
                summary.monthStarts.push_back(monthStart(m));
        }
    }
    return summary;
}

}  // namespace recscope::ui
