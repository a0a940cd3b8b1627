#include "core/models/EaseModel.h"

#include <Eigen/Core>
#include <algorithm>

#include "core/common/SystemMemory.h"
#include "core/models/Blas.h"

namespace recscope {
namespace {
// Items without training positives are never worth recommending over any scored item.
constexpr float kInactiveScore = -1e9f;
constexpr int64_t kMaxActiveItems = 46340;  // n * n within a 32-bit LAPACK index
}  // namespace

std::vector<ParamSpec> EaseModel::paramSpecs() const {
    return {{"lambda",
             ParamType::Float,
             "300",
             0.001,
             1e7,
             {},
             "L2 regularisation of the item-item weights (larger = closer to popularity)"}};
}

Status EaseModel::fitModel(const TrainData& data, const FitContext& context) {
    m_index.assign(static_cast<size_t>(m_numItems), -1);
    m_active.clear();
    m_weights.clear();
    for (int32_t i = 0; i < m_numItems; ++i) {
        if (m_popularity[static_cast<size_t>(i)] > 0) {
            m_index[static_cast<size_t>(i)] = static_cast<int32_t>(m_active.size());
            m_active.push_back(i);
        }
    }
    const auto n = static_cast<int64_t>(m_active.size());
    if (n > kMaxActiveItems)
        return makeError("ease: " + std::to_string(n) + " items with positives; EASE's dense " +
                         "inverse is limited to " + std::to_string(kMaxActiveItems) +
                         " (a 32-bit LAPACK index)");
    // One n x n float matrix: the Gram matrix, inverted and turned into the weights in place.
    const double needed = 4.0 * double(n) * double(n);
    const int64_t available = availableMemoryBytes();
    if (available >= 0 && needed > 0.9 * double(available))
        return makeError("ease: " + std::to_string(n) + " items need " + formatGigabytes(needed) +
                         " for the item x item matrix; " + formatGigabytes(double(available)) +
                         " of memory is available (fewer items, e.g. a minimum item count, "
                         "would fit)");
    m_weights.assign(static_cast<size_t>(n) * static_cast<size_t>(n), 0.0f);
    float* g = m_weights.data();
    // Lower triangle (column-major; the matrix is symmetric) of X^T X from each user's pairs.
    std::vector<int32_t> row;
    for (int32_t u = 0; u < m_numUsers; ++u) {
        if ((u & 1023) == 0 && isCancelled(context.cancel))
            return cancelledError();
        row.clear();
        for (int64_t p = m_userItems.offsets[u]; p < m_userItems.offsets[u + 1]; ++p)
            row.push_back(
                m_index[static_cast<size_t>(m_userItems.indices[static_cast<size_t>(p)])]);
        std::sort(row.begin(), row.end());
        for (size_t a = 0; a < row.size(); ++a) {
            float* col = g + static_cast<int64_t>(row[a]) * n;
            for (size_t b = a; b < row.size(); ++b)
                col[row[b]] += 1.0f;
        }
    }
    report(context.progress, "EASE: inverting the Gram matrix", 0.2);
    if (isCancelled(context.cancel))
        return cancelledError();
    const auto lambda = static_cast<float>(params().getFloat("lambda"));
    for (int64_t i = 0; i < n; ++i)
        g[i * n + i] += lambda;
    if (!blas::invertSpd(g, n))
        return makeError("ease: X^T X + lambda I is not positive definite (lambda too small?)");
    if (isCancelled(context.cancel))
        return cancelledError();
    // B(i, j) = -P(i, j) / P(j, j), B(i, i) = 0, in place: row i of P is its column i.
    std::vector<float> invDiag(static_cast<size_t>(n));
    for (int64_t j = 0; j < n; ++j)
        invDiag[static_cast<size_t>(j)] = 1.0f / g[j * n + j];
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) {
        float* out = g + i * n;
        for (int64_t j = 0; j < n; ++j)
            out[j] = -out[j] * invDiag[static_cast<size_t>(j)];
        out[i] = 0.0f;
    }
    return {};
}

void EaseModel::scoreKnownUsers(const int32_t* users, int64_t n, float* out) const {
#pragma omp parallel for schedule(dynamic, 8)
    for (int64_t r = 0; r < n; ++r) {
        const int32_t u = users[r];
        scoreItems(m_userItems.indices.data() + m_userItems.offsets[u], m_userItems.rowSize(u),
                   out + r * m_numItems);
    }
}

void EaseModel::scoreItems(const int32_t* items, int64_t n, float* out) const {
    const auto active = static_cast<Eigen::Index>(m_active.size());
    Eigen::VectorXf acc = Eigen::VectorXf::Zero(active);
    for (int64_t k = 0; k < n; ++k) {
        const int32_t a = m_index[static_cast<size_t>(items[k])];
        if (a >= 0)
            acc += Eigen::Map<const Eigen::VectorXf>(m_weights.data() + a * active, active);
    }
    std::fill(out, out + m_numItems, kInactiveScore);
    for (Eigen::Index a = 0; a < active; ++a)
        out[m_active[static_cast<size_t>(a)]] = acc[a];
}

bool EaseModel::itemSimilarities(int32_t item, const int32_t* items, int64_t n, float* out) const {
    std::fill(out, out + n, 0.0f);
    const auto active = static_cast<int64_t>(m_active.size());
    if (item < 0 || item >= static_cast<int32_t>(m_index.size()) || m_index[item] < 0)
        return true;
    const int64_t target = m_index[static_cast<size_t>(item)];
    for (int64_t k = 0; k < n; ++k) {
        if (items[k] < 0 || items[k] >= static_cast<int32_t>(m_index.size()))
            continue;
        const int64_t a = m_index[static_cast<size_t>(items[k])];
        if (a >= 0)
            out[k] = m_weights[static_cast<size_t>(a * active + target)];
    }
    return true;
}

Status EaseModel::writeState(ModelFile& file) const {
    if (Status s = file.write("active_items", m_active); !s)
        return s;
    return file.write("weights", m_weights);
}

Status EaseModel::readState(ModelFile& file) {
    std::vector<int32_t> active;
    std::vector<float> weights;
    if (Status s = file.read("active_items", active); !s)
        return s;
    if (Status s = file.read("weights", weights); !s)
        return s;
    if (weights.size() != active.size() * active.size())
        return Status(makeError("ease: weight matrix does not match the active items"));
    m_index.assign(static_cast<size_t>(m_numItems), -1);
    for (size_t a = 0; a < active.size(); ++a) {
        if (active[a] < 0 || active[a] >= m_numItems)
            return Status(makeError("ease: item id out of range in the model file"));
        m_index[static_cast<size_t>(active[a])] = static_cast<int32_t>(a);
    }
    m_active = std::move(active);
    m_weights = std::move(weights);
    return {};
}

}  // namespace recscope
