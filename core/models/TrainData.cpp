#include "core/models/TrainData.h"

#include <algorithm>
#include <numeric>

#include "core/split/Split.h"

namespace recscope {
namespace {

// Rows grouped by user, columns sorted; a repeated (user, item) keeps the last rating.
CsrMatrix buildCsr(const Interactions& part, int32_t rows, int32_t cols,
                   const std::vector<size_t>& selected) {
    CsrMatrix m;
    m.rows = rows;
    m.cols = cols;
    m.offsets.assign(static_cast<size_t>(rows) + 1, 0);
    for (size_t idx : selected)
        ++m.offsets[static_cast<size_t>(part.users[idx]) + 1];
    for (int32_t r = 0; r < rows; ++r)
        m.offsets[r + 1] += m.offsets[r];
    std::vector<std::pair<int32_t, float>> entries(selected.size());
    std::vector<int64_t> fill(m.offsets.begin(), m.offsets.end() - 1);
    for (size_t idx : selected) {
        const int64_t pos = fill[static_cast<size_t>(part.users[idx])]++;
        entries[static_cast<size_t>(pos)] = {part.items[idx], part.ratings[idx]};
    }
    m.indices.reserve(entries.size());
    m.values.reserve(entries.size());
    std::vector<int64_t> newOffsets(static_cast<size_t>(rows) + 1, 0);
    for (int32_t r = 0; r < rows; ++r) {
        auto first = entries.begin() + m.offsets[r];
        auto last = entries.begin() + m.offsets[r + 1];
        std::stable_sort(first, last,
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        for (auto it = first; it != last; ++it) {
            if (it + 1 != last && (it + 1)->first == it->first)
                continue;  // duplicate pair: the later (in time order) rating wins
            m.indices.push_back(it->first);
            m.values.push_back(it->second);
        }
        newOffsets[static_cast<size_t>(r) + 1] = static_cast<int64_t>(m.indices.size());
    }
    m.offsets = std::move(newOffsets);
    return m;
}

}  // namespace

CsrMatrix transposed(const CsrMatrix& m) {
    CsrMatrix t;
    t.rows = m.cols;
    t.cols = m.rows;
    t.offsets.assign(static_cast<size_t>(t.rows) + 1, 0);
    for (int32_t c : m.indices)
        ++t.offsets[static_cast<size_t>(c) + 1];
    for (int32_t r = 0; r < t.rows; ++r)
        t.offsets[r + 1] += t.offsets[r];
    t.indices.resize(m.indices.size());
    t.values.resize(m.indices.size());
    std::vector<int64_t> fill(t.offsets.begin(), t.offsets.end() - 1);
    // Visiting source rows in order keeps each transposed row's indices ascending.
    for (int32_t r = 0; r < m.rows; ++r) {
        for (int64_t p = m.offsets[r]; p < m.offsets[r + 1]; ++p) {
            const int32_t c = m.indices[static_cast<size_t>(p)];
            const int64_t pos = fill[static_cast<size_t>(c)]++;
            t.indices[static_cast<size_t>(pos)] = r;
            t.values[static_cast<size_t>(pos)] = m.values[static_cast<size_t>(p)];
        }
    }
    return t;
}

const CsrMatrix& TrainData::listExclusion() const {
    return split && split->config.exclude == ExcludeRule::Rated ? allRatings : positives;
}

TrainData TrainData::build(const Split& split, const Dataset* dataset) {
    TrainData data;
    data.split = &split;
    data.dataset = dataset;
    data.numUsers = split.numUsers;
    data.numItems = split.numItems;
    const Interactions& train = split.train;
    std::vector<size_t> all(train.size());
    std::iota(all.begin(), all.end(), size_t{0});
    std::vector<size_t> positive;
    positive.reserve(train.size());
    for (size_t i = 0; i < train.size(); ++i)
        if (split.isPositive(train.ratings[i]))
            positive.push_back(i);
    data.allRatings = buildCsr(train, data.numUsers, data.numItems, all);
    data.positives = buildCsr(train, data.numUsers, data.numItems, positive);
    data.itemPopularity.assign(static_cast<size_t>(data.numItems), 0);
    for (int32_t item : data.positives.indices)
        ++data.itemPopularity[static_cast<size_t>(item)];
    return data;
}

}  // namespace recscope
