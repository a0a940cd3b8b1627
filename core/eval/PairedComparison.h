#pragma once
// Paired comparison of two evaluation results on the users both evaluated: wins / ties /
// losses of A over B on one per-user metric and the two-sided Wilcoxon signed-rank p-value.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/common/Status.h"
#include "core/eval/Bootstrap.h"

namespace recscope {

struct EvalResult;

struct WilcoxonResult {
    int64_t n = 0;        // non-zero differences used
    double wPlus = 0.0;   // sum of ranks of positive differences
    double wMinus = 0.0;  // sum of ranks of negative differences
    double z = 0.0;       // normal statistic (0 when the exact distribution was used)
    double pValue = 1.0;  // two-sided
    bool exact = false;   // exact null distribution (n <= 50, no tied |differences|)
};

// Zero differences are dropped (Wilcoxon's method, scipy's default zero_method="wilcox");
// tied |differences| get average ranks. Exact for n <= 50 without ties, otherwise the normal
// approximation with the tie-corrected variance and no continuity correction (scipy's
// defaults). No non-zero difference: p = 1.
WilcoxonResult wilcoxonSignedRank(const std::vector<double>& differences);

struct PairedComparison {
    std::string metric;
    int64_t users = 0;  // users in both results
    int64_t wins = 0;   // A > B
    int64_t ties = 0;
    int64_t losses = 0;
    double meanA = 0.0;
    double meanB = 0.0;
    WilcoxonResult wilcoxon;
    // Mean of A - B over the common users with its percentile bootstrap 95% interval
    // (Bootstrap.h, 2000 resamples, seed 42): an interval without 0 agrees with a small p.
    BootstrapInterval difference;
};

// (A's value, B's value) of `metric` for every user both results evaluated, ascending user id.
// Errors when either result lacks the per-user vector of `metric`.
Result<std::vector<std::pair<double, double>>> pairedValues(const EvalResult& a,
                                                            const EvalResult& b,
                                                            const std::string& metric);

// Errors when either result lacks the per-user vector of `metric`.
Result<PairedComparison> comparePaired(const EvalResult& a, const EvalResult& b,
                                       const std::string& metric);

}  // namespace recscope
