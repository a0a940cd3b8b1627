#pragma once
// What the distributions view plots from a run's per-user metric values: an equal-width
// histogram, the values split by user activity (the groups of ActivityBreakdown.h), box-plot
// statistics, and the per-user differences of two runs. Pure functions.

#include <cstdint>
#include <string>
#include <vector>

#include "core/common/Status.h"

namespace recscope {

struct EvalResult;
struct TrainData;

struct Histogram {
    double low = 0.0;    // left edge of the first bin
    double width = 0.0;  // of every bin (> 0)
    std::vector<int64_t> counts;
};

// `bins` equal bins over [low, high]; a value equal to high falls in the last bin, values
// outside are not counted. high <= low: one bin of width 1 at low.
Histogram histogram(const std::vector<double>& values, int bins, double low, double high);

struct ActivityValues {
    int64_t minTrain = 0;  // training ratings of the group's least and most active users
    int64_t maxTrain = 0;
    std::vector<double> values;  // the metric of the group's users
};

// The evaluated users ordered by training ratings (ties: evaluation order) and cut into
// `groups` groups of (nearly) equal size, exactly as activityBreakdown() does; empty groups
// dropped. Errors when the result has no per-user vector of `metric`.
Result<std::vector<ActivityValues>> valuesByActivity(const EvalResult& result,
                                                     const TrainData& train,
                                                     const std::string& metric, int groups = 4);

struct BoxStats {
    double min = 0.0, q1 = 0.0, median = 0.0, q3 = 0.0, max = 0.0, mean = 0.0;
    int64_t n = 0;
};
// Quartiles interpolate linearly (as Bootstrap.h's quantile). Empty: all zero, n = 0.
BoxStats boxStats(std::vector<double> values);

// A's value minus B's for every user both results evaluated (ascending user id). Errors when
// either lacks `metric`.
Result<std::vector<double>> pairedDifferences(const EvalResult& a, const EvalResult& b,
                                              const std::string& metric);

// One result's per-user values of `metric` as doubles; error when it has none.
Result<std::vector<double>> perUserValues(const EvalResult& result, const std::string& metric);

}  // namespace recscope
