#pragma once
// Figures the dataset view plots, computed once per loaded dataset (off the GUI thread, by
// DatasetLoadWorker) so that opening ML-32M does not stall the window on a histogram pass.

#include <QMetaType>
#include <cstdint>
#include <vector>

namespace recscope {
class Dataset;
}

namespace recscope::ui {

struct DatasetSummary {
    // One bar per rating value: every value of the dataset's scale (min..max by step), plus any
    // off-scale value that occurs. Ascending; ratingCounts sums to numRatings().
    std::vector<double> ratingValues;  // stars, e.g. 0.5 .. 5
    std::vector<int64_t> ratingCounts;

    // Number of ratings per item, sorted descending, items with at least one rating only (a log
    // axis cannot show zero). unratedItems counts the rest.
    std::vector<int64_t> itemPopularity;
    int32_t unratedItems = 0;

    // Share (0..1) of all ratings held by the most-rated 20 % of rated items.
    double headShare = 0;

    // User activity: users by number of ratings in logarithmic bins [2^b, 2^(b+1)) — 1, 2-3,
    // 4-7, ... — so the long tail of very active users stays visible. Users without ratings are
    // not counted. activityCounts[b] is the number of users in bin b.
    std::vector<int64_t> activityCounts;
    int64_t maxUserRatings = 0;

    // Ratings per calendar month (UTC), from the first rated month to the last, gaps included.
    // monthStarts[i] is the month's first second (Unix time); empty without timestamps.
    std::vector<int64_t> monthStarts;
    std::vector<int64_t> monthCounts;

    static DatasetSummary compute(const Dataset& dataset);
};

}  // namespace recscope::ui

Q_DECLARE_METATYPE(recscope::ui::DatasetSummary)
