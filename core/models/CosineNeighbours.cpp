#include "core/models/CosineNeighbours.h"

#include <algorithm>
#include <atomic>
#include <cmath>

#include <omp.h>

namespace recscope {

Result<CsrMatrix> cosineNeighbours(const CsrMatrix& rows, const CsrMatrix& columns, int k,
                                   double shrink, const CancelToken* cancel,
                                   const ProgressFn& progress) {
    const int32_t n = rows.rows;
    std::vector<double> norms(static_cast<size_t>(n));
    for (int32_t r = 0; r < n; ++r)
        norms[static_cast<size_t>(r)] = std::sqrt(static_cast<double>(rows.rowSize(r)));
    std::vector<std::vector<std::pair<int32_t, float>>> lists(static_cast<size_t>(n));
    std::atomic<bool> stop{false};
    std::atomic<int64_t> done{0};
#pragma omp parallel
    {
        std::vector<float> counts(static_cast<size_t>(n), 0.0f);
        std::vector<int32_t> touched;
        std::vector<std::pair<int32_t, float>> cand;
        int64_t ownRows = 0;
#pragma omp for schedule(dynamic, 16)
        for (int32_t a = 0; a < n; ++a) {
            if (stop.load(std::memory_order_relaxed))
                continue;
            if (isCancelled(cancel)) {
                stop = true;
                continue;
            }
            touched.clear();
            for (int64_t p = rows.offsets[a]; p < rows.offsets[a + 1]; ++p) {
                const int32_t f = rows.indices[static_cast<size_t>(p)];
                for (int64_t q = columns.offsets[f]; q < columns.offsets[f + 1]; ++q) {
                    const int32_t b = columns.indices[static_cast<size_t>(q)];
                    if (counts[static_cast<size_t>(b)] == 0.0f)
                        touched.push_back(b);
                    counts[static_cast<size_t>(b)] += 1.0f;
                }
            }
            cand.clear();
            for (int32_t b : touched) {
                const float c = counts[static_cast<size_t>(b)];
                counts[static_cast<size_t>(b)] = 0.0f;
                if (b == a)
                    continue;
                const double denom =
                    norms[static_cast<size_t>(a)] * norms[static_cast<size_t>(b)] + shrink;
                if (denom > 0.0)
                    cand.emplace_back(b, static_cast<float>(c / denom));
            }
            const auto better = [](const auto& x, const auto& y) {
                return x.second > y.second || (x.second == y.second && x.first < y.first);
            };
            const size_t keep = std::min(cand.size(), static_cast<size_t>(std::max(0, k)));
            if (keep < cand.size())
                std::nth_element(cand.begin(), cand.begin() + static_cast<std::ptrdiff_t>(keep),
                                 cand.end(), better);
            cand.resize(keep);
            std::sort(cand.begin(), cand.end());
            lists[static_cast<size_t>(a)] = cand;
            const int64_t d = ++done;
            // The sink belongs to the calling thread: only OpenMP's master thread reports.
            if (omp_get_thread_num() == 0 && (++ownRows & 63) == 0)
                report(progress, "Neighbours", static_cast<double>(d) / n);
        }
    }
    if (stop || isCancelled(cancel))
        return cancelledError();
    CsrMatrix out;
    out.rows = n;
    out.cols = n;
    out.offsets.assign(static_cast<size_t>(n) + 1, 0);
    for (int32_t a = 0; a < n; ++a) {
        for (const auto& [b, s] : lists[static_cast<size_t>(a)]) {
            out.indices.push_back(b);
            out.values.push_back(s);
        }
        out.offsets[static_cast<size_t>(a) + 1] = out.nnz();
    }
    return out;
}

}  // namespace recscope
