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
        const int32_t u = users[r];
        scoreItems(m_userItems.indices.data() + m_userItems.offsets[u], m_userItems.rowSize(u),
                   out + r * m_numItems);
    }
}

void ItemKnnModel::scoreItems(const int32_t* items, int64_t n, float* out) const {
    std::fill(out, out + m_numItems, 0.0f);
    for (int64_t k = 0; k < n; ++k) {
        const int32_t j = items[k];
        for (int64_t q = m_contrib.offsets[j]; q < m_contrib.offsets[j + 1]; ++q)
            out[m_contrib.indices[static_cast<size_t>(q)]] +=
                m_contrib.values[static_cast<size_t>(q)];
    }
}

bool ItemKnnModel::itemSimilarities(int32_t item, const int32_t* items, int64_t n,
                                    float* out) const {
    std::fill(out, out + n, 0.0f);
    if (item < 0 || item >= m_contrib.cols)
        return true;
    for (int64_t k = 0; k < n; ++k) {
        const int32_t j = items[k];
        if (j < 0 || j >= m_contrib.rows)
            continue;
        // Row j lists the items j contributes to, ascending.
        const int32_t* begin = m_contrib.indices.data() + m_contrib.offsets[j];
        const int32_t* end = m_contrib.indices.data() + m_contrib.offsets[j + 1];
        const int32_t* at = std::lower_bound(begin, end, item);
        if (at != end && *at == item)
            out[k] = m_contrib.values[static_cast<size_t>(at - m_contrib.indices.data())];
    }
    return true;
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
