#include "core/pipeline/RankerCandidates.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/models/TrainData.h"
#include "core/pipeline/CandidateRetriever.h"
#include "core/split/Split.h"

namespace recscope {

namespace {

bool scored(float s) {
    return std::isfinite(s) && s > kUnscored;
}

}  // namespace

int32_t RankerCandidates::rowLength(size_t k) const {
    const int32_t* r = row(k);
    int32_t len = 0;
    while (len < perUser && r[len] >= 0)
        ++len;
    return len;
}

Result<RankerCandidates> rankerCandidates(const CandidateLists& first, const float* queries,
                                          const float* itemVectors, int dim, int32_t numItems,
                                          const SecondSource& second, const CsrMatrix* exclude,
                                          const CancelToken* cancel, int64_t chunkUsers) {
    const bool withSecond = static_cast<bool>(second.scores);
    if (withSecond && second.numItems != numItems)
        return makeError("second model scores " + std::to_string(second.numItems) +
                         " items, the retriever " + std::to_string(numItems));
    const int32_t n1 = first.perUser;
    const int32_t m = withSecond ? std::max(0, second.topM) : 0;
    const auto numRows = static_cast<int64_t>(first.users.size());
    RankerCandidates out;
    out.perUser = n1 + m;
    out.hasSecond = withSecond;
    out.users = first.users;
    out.items.assign(static_cast<size_t>(numRows) * out.perUser, -1);
    out.inputs.assign(out.items.size() * RankerCandidates::kInputs, 0.0f);
    chunkUsers = std::max<int64_t>(1, chunkUsers);
    std::vector<float> rows, recentRows;
    std::vector<int32_t> order, secondRank(static_cast<size_t>(numItems), -1);
    for (int64_t s = 0; s < numRows; s += chunkUsers) {
        if (isCancelled(cancel))
            return cancelledError();
        const int64_t e = std::min(numRows, s + chunkUsers);
        if (withSecond) {
            rows.assign(static_cast<size_t>(e - s) * numItems, 0.0f);
            second.scores(first.users.data() + s, e - s, rows.data());
            if (second.recent) {
                recentRows.assign(rows.size(), 0.0f);
                second.recent(first.users.data() + s, e - s, recentRows.data());
            }
        }
        for (int64_t q = s; q < e; ++q) {
            const auto k = static_cast<size_t>(q);
            const int32_t u = first.users[k];
            const float* sr = withSecond ? rows.data() + (q - s) * numItems : nullptr;
            const float* rr =
                second.recent && sr ? recentRows.data() + (q - s) * numItems : nullptr;
            // The second model's top-M among the items it scores that are not excluded.
            order.clear();
            float top = 0.0f, recentTop = 0.0f;
            if (sr) {
                const int32_t* xb = nullptr;
                const int32_t* xe = nullptr;
                if (exclude && u >= 0 && u < exclude->rows) {
                    xb = exclude->indices.data() + exclude->offsets[u];
                    xe = xb + exclude->rowSize(u);
                }
                for (int32_t i = 0; i < numItems; ++i) {
                    if (!scored(sr[i]) || (xb && std::binary_search(xb, xe, i)))
                        continue;
                    order.push_back(i);
                    top = std::max(top, sr[i]);
                    if (rr && scored(rr[i]))
                        recentTop = std::max(recentTop, rr[i]);
                }
                const size_t take = std::min(order.size(), static_cast<size_t>(m));
                std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(take),
                                  order.end(), [sr](int32_t a, int32_t b) {
                                      return sr[a] > sr[b] || (sr[a] == sr[b] && a < b);
                                  });
                order.resize(take);
                for (size_t r = 0; r < order.size(); ++r)
                    secondRank[static_cast<size_t>(order[r])] = static_cast<int32_t>(r);
            }
            const float scale = top > 0.0f ? 1.0f / top : 1.0f;
            const float recentScale = recentTop > 0.0f ? 1.0f / recentTop : 1.0f;
            int32_t* items = out.items.data() + k * static_cast<size_t>(out.perUser);
            auto fill = [&](int32_t j, int32_t item, float score, float rank) {
                items[j] = item;
                float* in = out.inputs.data() +
                            (k * static_cast<size_t>(out.perUser) + static_cast<size_t>(j)) *
                                RankerCandidates::kInputs;
                in[0] = score;
                in[1] = rank;
                const int32_t r2 = secondRank[static_cast<size_t>(item)];
                in[2] = sr && scored(sr[item]) ? sr[item] * scale : 0.0f;
                in[4] = rr && scored(rr[item]) ? rr[item] * recentScale : 0.0f;
                in[3] = r2 >= 0 ? static_cast<float>(r2) / static_cast<float>(m) : 1.0f;
            };
            const int32_t len = first.rowLength(k);
            const int32_t* fi = first.row(k);
            int32_t j = 0;
            for (; j < len; ++j)
                fill(j, fi[j], first.scores[k * static_cast<size_t>(n1) + static_cast<size_t>(j)],
                     static_cast<float>(j) / static_cast<float>(n1));
            // The second model's items the retriever did not propose, scored by its vectors.
            for (int32_t item : order) {
                if (std::find(fi, fi + len, item) != fi + len)
                    continue;
                const float* a = queries + q * dim;
                const float* b = itemVectors + static_cast<int64_t>(item) * dim;
                fill(j++, item, std::inner_product(a, a + dim, b, 0.0f), 1.0f);
            }
            for (int32_t item : order)
                secondRank[static_cast<size_t>(item)] = -1;
        }
    }
    return out;
}

std::vector<std::vector<int32_t>> latestPositives(const Interactions& part, double threshold,
                                                  int32_t numUsers, int count) {
    std::vector<std::vector<int32_t>> out(static_cast<size_t>(std::max(0, numUsers)));
    for (size_t r = 0; r < part.size(); ++r) {
        const int32_t u = part.users[r];
        if (u < 0 || u >= numUsers || part.ratings[r] < threshold)
            continue;
        auto& l = out[static_cast<size_t>(u)];
        l.push_back(part.items[r]);
        if (static_cast<int>(l.size()) > count)
            l.erase(l.begin());
    }
    return out;
}

}  // namespace recscope
