#include "core/nn/FastDropout.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "core/train/CounterRandom.h"

namespace recscope {

torch::Tensor fastDropout(const torch::Tensor& x, double p, bool training) {
    if (!training || !(p > 0.0))
        return x;
    if (!x.device().is_cpu() || x.scalar_type() != torch::kFloat || p >= 1.0)
        return torch::dropout(x, p, true);
    const auto seed = static_cast<uint64_t>(
        torch::randint(std::numeric_limits<int64_t>::max(), {1}, torch::kLong).item<int64_t>());
    auto mask = torch::empty(x.sizes(), torch::TensorOptions().dtype(torch::kFloat));
    float* m = mask.data_ptr<float>();
    const int64_t n = mask.numel();
    const auto scale = static_cast<float>(1.0 / (1.0 - p));
    // Dropped when a 32-bit draw is below p * 2^32.
    const auto threshold = static_cast<uint32_t>(
        std::min(std::ldexp(p, 32), static_cast<double>(std::numeric_limits<uint32_t>::max())));
    at::parallel_for(0, (n + 1) / 2, 1 << 14, [&](int64_t begin, int64_t end) {
        for (int64_t pair = begin; pair < end; ++pair) {
            // SplitMix64's stream `seed`, output `pair`: 64 bits, two mask elements.
            const uint64_t bits =
                CounterRandom::mix(seed + static_cast<uint64_t>(pair) * 0x9E3779B97F4A7C15ULL);
            const int64_t i = 2 * pair;
            m[i] = static_cast<uint32_t>(bits) >= threshold ? scale : 0.0f;
            if (i + 1 < n)
                m[i + 1] = static_cast<uint32_t>(bits >> 32) >= threshold ? scale : 0.0f;
        }
    });
    return x * mask;
}

}  // namespace recscope
