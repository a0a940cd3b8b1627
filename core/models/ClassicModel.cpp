#include "core/models/ClassicModel.h"

#include <algorithm>
#include <exception>

#include "core/models/FoldIn.h"

namespace recscope {

bool validCsr(const CsrMatrix& m) {
    if (m.rows < 0 || m.cols < 0 || m.offsets.size() != static_cast<size_t>(m.rows) + 1 ||
        m.offsets.front() != 0 || m.offsets.back() != m.nnz() ||
        m.values.size() != m.indices.size())
        return false;
    for (int32_t r = 0; r < m.rows; ++r)
        if (m.offsets[r] > m.offsets[r + 1])
            return false;
    for (int32_t c : m.indices)
        if (c < 0 || c >= m.cols)
            return false;
    return true;
}

Status ClassicModel::fit(const TrainData& data, const FitContext& context) {
    try {
        m_numUsers = data.numUsers;
        m_numItems = data.numItems;
        m_popularity.assign(data.itemPopularity.begin(), data.itemPopularity.end());
        m_userItems = data.positives;
        std::fill(m_userItems.values.begin(), m_userItems.values.end(), 1.0f);
        report(context.progress, "Fitting " + name(), 0.0);
        Status s = fitModel(data, context);
        if (s)
            report(context.progress, "Fitted " + name(), 1.0);
        return s;
    } catch (const std::bad_alloc&) {
        return makeError(name() + ": out of memory while fitting");
    } catch (const std::exception& e) {
        return makeError(name() + ": " + e.what());
    }
}

void ClassicModel::scoreUsers(const int32_t* users, int64_t n, float* out) const {
    const auto cols = static_cast<int64_t>(m_numItems);
    std::vector<int32_t> known;
    std::vector<int64_t> knownRows;
    for (int64_t r = 0; r < n; ++r) {
        if (hasTrainingData(users[r])) {
            known.push_back(users[r]);
            knownRows.push_back(r);
        } else {
            std::copy(m_popularity.begin(), m_popularity.end(), out + r * cols);
        }
    }
    if (known.empty())
        return;
    if (static_cast<int64_t>(known.size()) == n) {
        scoreKnownUsers(users, n, out);
        return;
    }
    std::vector<float> buffer(known.size() * static_cast<size_t>(cols));
    scoreKnownUsers(known.data(), static_cast<int64_t>(known.size()), buffer.data());
    for (size_t k = 0; k < known.size(); ++k)
        std::copy(buffer.begin() + static_cast<std::ptrdiff_t>(k * cols),
                  buffer.begin() + static_cast<std::ptrdiff_t>((k + 1) * cols),
                  out + knownRows[k] * cols);
}

Status ClassicModel::scoreHistory(const std::vector<HistoryEntry>& history, float* out) const {
    if (m_numItems <= 0 || m_popularity.size() != static_cast<size_t>(m_numItems))
        return notTrainedForFoldIn(name());
    const std::vector<int32_t> items = historyItems(history, m_numItems, true);
    if (items.empty()) {
        std::copy(m_popularity.begin(), m_popularity.end(), out);
        return {};
    }
    scoreItems(items.data(), static_cast<int64_t>(items.size()), out);
    return {};
}

Status ClassicModel::save(const std::string& path) const {
    auto file = ModelFile::create(path, name(), m_params.values());
    if (!file)
        return file.status();
    ModelFile& f = file.value();
    const int32_t shape[2] = {m_numUsers, m_numItems};
    for (Status s :
         {f.write("shape", std::vector<int32_t>(shape, shape + 2)),
          f.write("popularity", m_popularity), f.write("user_offsets", m_userItems.offsets),
          f.write("user_items", m_userItems.indices)})
        if (!s)
            return s;
    if (Status s = writeState(f); !s)
        return s;
    return f.finish();
}

Status ClassicModel::load(const std::string& path) {
    try {
        auto file = ModelFile::open(path, name());
        if (!file)
            return file.status();
        ModelFile& f = file.value();
        if (Status s = configure(f.params()); !s)
            return Status(makeError(s.error().message, path));
        std::vector<int32_t> shape;
        CsrMatrix items;
        std::vector<float> popularity;
        for (Status s :
             {f.read("shape", shape), f.read("popularity", popularity),
              f.read("user_offsets", items.offsets), f.read("user_items", items.indices)})
            if (!s)
                return s;
        if (shape.size() != 2 || shape[0] < 0 || shape[1] < 0 ||
            popularity.size() != static_cast<size_t>(shape[1]))
            return Status(makeError("inconsistent model shape", path));
        items.rows = shape[0];
        items.cols = shape[1];
        items.values.assign(items.indices.size(), 1.0f);
        if (!validCsr(items))
            return Status(makeError("corrupt user-item matrix", path));
        m_numUsers = shape[0];
        m_numItems = shape[1];
        m_popularity = std::move(popularity);
        m_userItems = std::move(items);
        return readState(f);
    } catch (const std::bad_alloc&) {
        return Status(makeError("out of memory while loading", path));
    }
}

}  // namespace recscope
