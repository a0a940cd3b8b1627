#pragma once
// Percentile bootstrap of a mean: how far the mean over the evaluated users could move had
// other users of the same kind been evaluated. Used for the ± intervals of the leaderboard and
// for the paired difference of two runs (PairedComparison.h).

#include <cstdint>
#include <vector>

namespace recscope {

struct BootstrapInterval {
    double mean = 0.0;  // of the values themselves
    double low = 0.0;   // (1 - level) / 2 quantile of the resampled means
    double high = 0.0;  // (1 + level) / 2 quantile
    double level = 0.95;
    int resamples = 0;  // 0 when there were no values (then mean, low, high are NaN)
};

// `resamples` resamples of the n values, each n draws with replacement (std::mt19937_64 seeded
// with `seed`; draw index = floor(u * n) with u from the top 53 bits, so every build gives the
// same interval). Quantiles of the resampled means interpolate linearly between order
// statistics (numpy's default). O(resamples * n).
BootstrapInterval bootstrapMean(const std::vector<double>& values, int resamples = 2000,
                                double level = 0.95, uint64_t seed = 42);

// Quantile q (0..1) of `sorted` (ascending, non-empty) with linear interpolation.
double interpolatedQuantile(const std::vector<double>& sorted, double q);

}  // namespace recscope
