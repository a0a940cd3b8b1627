#include "core/models/UserKnnModel.h"

#include <algorithm>
#include <cmath>

#include "core/models/CosineNeighbours.h"

namespace recscope {

std::vector<ParamSpec> UserKnnModel::paramSpecs() const {
    return {{"neighbours",
             ParamType::Int,
             "100",
             1,
             100000,
             {},
             "How many most similar users vote for each user's items"},
            {"shrink",
             ParamType::Float,
             "10",
             0,
             1e6,
             {},
             "Added to the cosine denominator: damps similarities built on few shared items"}};
}

Status UserKnnModel::fitModel(const TrainData& data, const FitContext& context) {
    const CsrMatrix itemUsers = transposed(m_userItems);
    auto neighbours =
        cosineNeighbours(m_userItems, itemUsers, static_cast<int>(params().getInt("neighbours")),
                         params().getFloat("shrink"), context.cancel, context.progress);
    if (!neighbours)
        return neighbours.status();
    m_neighbours = std::move(neighbours.value());
    m_itemUsers = itemUsers;
    return {};
}

void UserKnnModel::scoreKnownUsers(const int32_t* users, int64_t n, float* out) const {
#pragma omp parallel for schedule(dynamic, 8)
    for (int64_t r = 0; r < n; ++r) {
        float* row = out + r * m_numItems;
        std::fill(row, row + m_numItems, 0.0f);
        const int32_t u = users[r];
        for (int64_t p = m_neighbours.offsets[u]; p < m_neighbours.offsets[u + 1]; ++p) {
            const int32_t v = m_neighbours.indices[static_cast<size_t>(p)];
            const float s = m_neighbours.values[static_cast<size_t>(p)];
            for (int64_t q = m_userItems.offsets[v]; q < m_userItems.offsets[v + 1]; ++q)
                row[m_userItems.indices[static_cast<size_t>(q)]] += s;
        }
    }
}

void UserKnnModel::scoreItems(const int32_t* items, int64_t n, float* out) const {
    // Same arithmetic as cosineNeighbours(): float co-counts, double denominators.
    std::vector<float> counts(static_cast<size_t>(m_numUsers), 0.0f);
    std::vector<int32_t> touched;
    for (int64_t k = 0; k < n; ++k) {
        const int32_t i = items[k];
        for (int64_t q = m_itemUsers.offsets[i]; q < m_itemUsers.offsets[i + 1]; ++q) {
            const int32_t v = m_itemUsers.indices[static_cast<size_t>(q)];
            if (counts[static_cast<size_t>(v)] == 0.0f)
                touched.push_back(v);
            counts[static_cast<size_t>(v)] += 1.0f;
        }
    }
    const double shrink = params().getFloat("shrink");
    const double norm = std::sqrt(static_cast<double>(n));
    std::vector<std::pair<int32_t, float>> cand;
    for (int32_t v : touched) {
        const double denom = norm * std::sqrt(static_cast<double>(m_userItems.rowSize(v))) + shrink;
        if (denom > 0.0)
            cand.emplace_back(v, static_cast<float>(counts[static_cast<size_t>(v)] / denom));
    }
    const auto better = [](const auto& x, const auto& y) {
        return x.second > y.second || (x.second == y.second && x.first < y.first);
    };
    const size_t keep = std::min(
        cand.size(), static_cast<size_t>(std::max<int64_t>(0, params().getInt("neighbours"))));
    if (keep < cand.size())
        std::nth_element(cand.begin(), cand.begin() + static_cast<std::ptrdiff_t>(keep), cand.end(),
                         better);
    cand.resize(keep);
    std::sort(cand.begin(), cand.end());
    std::fill(out, out + m_numItems, 0.0f);
    for (const auto& [v, s] : cand)
        for (int64_t q = m_userItems.offsets[v]; q < m_userItems.offsets[v + 1]; ++q)
            out[m_userItems.indices[static_cast<size_t>(q)]] += s;
}

Status UserKnnModel::writeState(ModelFile& file) const {
    for (Status s : {file.write("neighbour_offsets", m_neighbours.offsets),
                     file.write("neighbour_users", m_neighbours.indices),
                     file.write("neighbour_values", m_neighbours.values)})
        if (!s)
            return s;
    return {};
}

Status UserKnnModel::readState(ModelFile& file) {
    CsrMatrix m;
    for (Status s :
         {file.read("neighbour_offsets", m.offsets), file.read("neighbour_users", m.indices),
          file.read("neighbour_values", m.values)})
        if (!s)
            return s;
    m.rows = m_numUsers;
    m.cols = m_numUsers;
    if (!validCsr(m))
        return Status(makeError("userknn: corrupt neighbour matrix"));
    m_neighbours = std::move(m);
    m_itemUsers = transposed(m_userItems);
    return {};
}

}  // namespace recscope
