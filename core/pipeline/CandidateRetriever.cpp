#include "core/pipeline/CandidateRetriever.h"

#include <algorithm>

#include "core/index/VectorIndex.h"
#include "core/models/TrainData.h"

namespace recscope {

int32_t CandidateLists::rowLength(size_t k) const {
    const int32_t* r = row(k);
    int32_t len = 0;
    while (len < perUser && r[len] >= 0)
        ++len;
    return len;
}

Result<CandidateLists> retrieveCandidates(const VectorIndex& index, const float* queries,
                                          const int32_t* users, int64_t n, const CsrMatrix* exclude,
                                          int32_t topN, const CancelToken* cancel,
                                          int64_t chunkUsers) {
    if (topN <= 0)
        return makeError("candidate count must be positive, got " + std::to_string(topN));
    CandidateLists out;
    out.perUser = topN;
    out.users.assign(users, users + n);
    out.items.assign(static_cast<size_t>(n) * topN, -1);
    out.scores.assign(static_cast<size_t>(n) * topN, 0.0f);
    const int64_t total = index.size();
    const int d = index.dim();
    chunkUsers = std::max<int64_t>(1, chunkUsers);
    auto excludedRow = [&](int32_t u) -> std::pair<const int32_t*, const int32_t*> {
        if (!exclude || u < 0 || u >= exclude->rows)
            return {nullptr, nullptr};
        const int32_t* b = exclude->indices.data() + exclude->offsets[u];
        return {b, b + exclude->rowSize(u)};
    };
    std::vector<int64_t> ids;
    std::vector<float> sc;
    for (int64_t s = 0; s < n; s += chunkUsers) {
        if (isCancelled(cancel))
            return cancelledError();
        const int64_t e = std::min(n, s + chunkUsers);
        int64_t widest = 0;
        for (int64_t k = s; k < e; ++k) {
            auto [b, end] = excludedRow(users[k]);
            widest = std::max<int64_t>(widest, end - b);
        }
        const int k = static_cast<int>(std::min<int64_t>(total, topN + widest));
        ids.resize(static_cast<size_t>((e - s) * k));
        sc.resize(ids.size());
        if (auto st = index.search(queries + s * d, e - s, k, ids.data(), sc.data()); !st)
            return st.error();
        for (int64_t q = s; q < e; ++q) {
            auto [b, end] = excludedRow(users[q]);
            int32_t filled = 0;
            int32_t* rowItems = out.items.data() + q * topN;
            float* rowScores = out.scores.data() + q * topN;
            for (int j = 0; j < k && filled < topN; ++j) {
                const int64_t id = ids[static_cast<size_t>((q - s) * k + j)];
                if (id < 0)
                    break;
                const auto item = static_cast<int32_t>(id);
                if (b && std::binary_search(b, end, item))
                    continue;
                rowItems[filled] = item;
                rowScores[filled] = sc[static_cast<size_t>((q - s) * k + j)];
                ++filled;
            }
        }
    }
    return out;
}

}  // namespace recscope
