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

    static DatasetSummary compute(const Dataset& dataset);
};

}  // namespace recscope::ui

Q_DECLARE_METATYPE(recscope::ui::DatasetSummary)
