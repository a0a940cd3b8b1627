#include "core/eval/Bootstrap.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

namespace recscope {

double interpolatedQuantile(const std::vector<double>& sorted, double q) {
    const double position = std::clamp(q, 0.0, 1.0) * static_cast<double>(sorted.size() - 1);
    const size_t below = static_cast<size_t>(std::floor(position));
    const size_t above = std::min(sorted.size() - 1, below + 1);
    const double t = position - static_cast<double>(below);
    return sorted[below] + t * (sorted[above] - sorted[below]);
}

BootstrapInterval bootstrapMean(const std::vector<double>& values, int resamples, double level,
                                uint64_t seed) {
    BootstrapInterval r;
    r.level = level;
    const size_t n = values.size();
    if (n == 0 || resamples < 1) {
        r.mean = r.low = r.high = std::numeric_limits<double>::quiet_NaN();
        return r;
    }
    r.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(n);
    r.resamples = resamples;
    std::mt19937_64 rng(seed);
    std::vector<double> means(static_cast<size_t>(resamples));
    const double scale = static_cast<double>(n) * 0x1.0p-53;
    for (double& m : means) {
        double sum = 0.0;
        for (size_t i = 0; i < n; ++i) {
            const auto index =
                std::min(n - 1, static_cast<size_t>(static_cast<double>(rng() >> 11) * scale));
            sum += values[index];
        }
        m = sum / static_cast<double>(n);
    }
    std::sort(means.begin(), means.end());
    r.low = interpolatedQuantile(means, (1.0 - level) / 2.0);
    r.high = interpolatedQuantile(means, (1.0 + level) / 2.0);
    return r;
}

}  // namespace recscope
