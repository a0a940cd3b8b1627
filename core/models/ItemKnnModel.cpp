#include "core/models/ItemKnnModel.h"

#include <algorithm>

#include "core/models/CosineNeighbours.h"

namespace recscope {

std::vector<ParamSpec> ItemKnnModel::paramSpecs() const {
    return {{"neighbours",
             ParamType::Int,
             "100",
             1,
             100000,
             {},
             "How many most similar items each item keeps"},
            {"shrink",
             ParamType::Float,
             "10",
             0,
             1e6,
             {},
             "Added to the cosine denominator: damps similarities built on few co-ratings"}};
}

Status ItemKnnModel::fitModel(const TrainData& data, const FitContext& context) {
    const CsrMatrix itemUsers = transposed(m_userItems);
    auto neighbours =
        cosineNeighbours(itemUsers, m_userItems, static_cast<int>(params().getInt("neighbours")),
                         params().getFloat("shrink"), context.cancel, context.progress);
    if (!neighbours)
        return neighbours.status();
    m_contrib = transposed(neighbours.value());
    return {};
}

void ItemKnnModel::scoreKnownUsers(const int32_t* users, int64_t n, float* out) const {
#pragma omp parallel for schedule(dynamic, 8)
    for (int64_t r = 0; r < n; ++r) {
        float* row = out + r * m_numItems;
        std::fill(row, row + m_numItems, 0.0f);
        const int32_t u = users[r];
        for (int64_t p = m_userItems.offsets[u]; p < m_userItems.offsets[u + 1]; ++p) {
            const int32_t j = m_userItems.indices[static_cast<size_t>(p)];
            for (int64_t q = m_contrib.offsets[j]; q < m_contrib.offsets[j + 1]; ++q)
                row[m_contrib.indices[static_cast<size_t>(q)]] +=
                    m_contrib.values[static_cast<size_t>(q)];
        }
    }
}

Status ItemKnnModel::writeState(ModelFile& file) const {
    for (Status s : {file.write("contrib_offsets", m_contrib.offsets),
                     file.write("contrib_items", m_contrib.indices),
                     file.write("contrib_values", m_contrib.values)})
        if (!s)
            return s;
    return {};
}

Status ItemKnnModel::readState(ModelFile& file) {
    CsrMatrix m;
    for (Status s : {file.read("contrib_offsets", m.offsets), file.read("contrib_items", m.indices),
                     file.read("contrib_values", m.values)})
        if (!s)
            return s;
    m.rows = m_numItems;
    m.cols = m_numItems;
    if (!validCsr(m))
        return Status(makeError("itemknn: corrupt neighbour matrix"));
    m_contrib = std::move(m);
    return {};
}

}  // namespace recscope
