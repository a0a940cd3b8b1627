#include "core/models/EaseModel.h"

#include <Eigen/Core>
#include <algorithm>
#include <cstring>

#include "core/common/CpuClones.h"
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
    m_weights.reset();
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
    // One n x n float matrix, the Gram matrix inverted in place; then the weights, copied out
    // of it tile by tile while its read rows are given back.
    const double needed = 4.0 * double(n) * double(n);
    const int64_t available = availableMemoryBytes();
    if (available >= 0 && needed > 0.9 * double(available))
        return makeError("ease: " + std::to_string(n) + " items need " + formatGigabytes(needed) +
                         " for the item x item matrix; " + formatGigabytes(double(available)) +
                         " of memory is available (fewer items, e.g. a minimum item count, "
                         "would fit)");
    std::vector<float> gram(static_cast<size_t>(n) * static_cast<size_t>(n), 0.0f);
    float* g = gram.data();
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
    // B(a, c) = -P(a, c) / P(c, c), B(c, c) = 0. Tile t holds columns c of B, which are rows c
    // of P (it is symmetric): once copied, those rows are given back.
    m_weights = allocateTiles(n);
    const int64_t tiles = tileCount(n);
    float* weights = m_weights.get();
#pragma omp parallel for schedule(dynamic, 1)
    for (int64_t t = 0; t < tiles; ++t) {
        const int64_t first = t * kTile;
        const int64_t width = std::min(kTile, n - first);
        float scale[kTile] = {};
        for (int64_t j = 0; j < width; ++j)
            scale[j] = -1.0f / g[(first + j) * n + first + j];
        float* tile = weights + t * n * kTile;
        for (int64_t a = 0; a < n; ++a) {
            float* out = tile + a * kTile;
            for (int64_t j = 0; j < width; ++j)
                out[j] = g[(first + j) * n + a] * scale[j];
            for (int64_t j = width; j < kTile; ++j)
                out[j] = 0.0f;
            if (a >= first && a < first + width)
                out[a - first] = 0.0f;
        }
        releasePages(g + first * n, static_cast<size_t>(width * n) * sizeof(float));
    }
    return {};
}

std::unique_ptr<float[]> EaseModel::allocateTiles(int64_t n) {
    // Not value-initialised: every element is written, and untouched pages cost no memory
    // while the fit still holds the inverse.
    return std::unique_ptr<float[]>(new float[static_cast<size_t>(tileCount(n) * n * kTile)]);
}

float EaseModel::weight(int64_t a, int64_t c) const {
    const auto n = static_cast<int64_t>(m_active.size());
    return m_weights[static_cast<size_t>(((c / kTile) * n + a) * kTile + c % kTile)];
}

namespace {
typedef float Lanes16 __attribute__((vector_size(64)));
static_assert(EaseModel::kTile == 32, "sumFullTile adds two vectors of 16 floats a row");

// A function returning Lanes16 would have a different ABI in each clone: add in place instead.
inline void addLanes(Lanes16& sum, const float* p) {
    Lanes16 v;
    std::memcpy(&v, p, sizeof v);
    sum += v;
}

// out[0..32) = the sum of weights[rows[k] * stride + 0..32) over k < count.
RECSCOPE_CPU_CLONES
void sumFullTile(const float* weights, int64_t stride, const int32_t* rows, int64_t count,
                 float* out) {
    Lanes16 a0{}, a1{};
    for (int64_t k = 0; k < count; ++k) {
        const float* w = weights + static_cast<int64_t>(rows[k]) * stride;
        addLanes(a0, w);
        addLanes(a1, w + 16);
    }
    std::memcpy(out, &a0, sizeof a0);
    std::memcpy(out + 16, &a1, sizeof a1);
}

}  // namespace

int64_t EaseModel::preferredScoreBatch() const {
    // Scores of up to 512 MB a call: each tile of the weights is then read once for thousands
    // of users.
    return std::max<int64_t>(256, (int64_t{512} << 20) / (4 * std::max<int64_t>(1, m_numItems)));
}

void EaseModel::scoreKnownUsers(const int32_t* users, int64_t n, float* out) const {
    std::vector<int64_t> offsets(static_cast<size_t>(n) + 1, 0);
    std::vector<int32_t> rows;
    for (int64_t r = 0; r < n; ++r) {
        const int32_t u = users[r];
        for (int64_t p = m_userItems.offsets[u]; p < m_userItems.offsets[u + 1]; ++p) {
            const int32_t a =
                m_index[static_cast<size_t>(m_userItems.indices[static_cast<size_t>(p)])];
            if (a >= 0)
                rows.push_back(a);
        }
        offsets[static_cast<size_t>(r) + 1] = static_cast<int64_t>(rows.size());
    }
    scoreRows(offsets.data(), rows.data(), n, out);
}

void EaseModel::scoreItems(const int32_t* items, int64_t n, float* out) const {
    std::vector<int32_t> rows;
    for (int64_t k = 0; k < n; ++k) {
        const int32_t a = m_index[static_cast<size_t>(items[k])];
        if (a >= 0)
            rows.push_back(a);
    }
    const int64_t offsets[2] = {0, static_cast<int64_t>(rows.size())};
    scoreRows(offsets, rows.data(), 1, out);
}

void EaseModel::scoreRows(const int64_t* offsets, const int32_t* rows, int64_t n,
                          float* out) const {
    const auto active = static_cast<int64_t>(m_active.size());
    const int64_t cols = m_numItems;
    std::vector<int32_t> inactive;
    for (int32_t i = 0; i < m_numItems; ++i)
        if (m_index[static_cast<size_t>(i)] < 0)
            inactive.push_back(i);
    const int64_t tiles = tileCount(active);
    // Tile by tile, each for every user of the call: the tile (3.5 MB at 27,000 items, contiguous)
    // stays in the cache while thousands of users sum its rows.
#pragma omp parallel if (n * active > 262144)
    {
#pragma omp for schedule(static)
        for (int64_t r = 0; r < n; ++r)
            for (int32_t i : inactive)
                out[r * cols + i] = kInactiveScore;
#pragma omp for schedule(dynamic, 1)
        for (int64_t t = 0; t < tiles; ++t) {
            const int64_t first = t * kTile;
            const int64_t width = std::min(kTile, active - first);
            const float* tile = m_weights.get() + t * active * kTile;
            // A full tile of consecutive item ids is summed straight into the rows.
            const int32_t firstItem = m_active[static_cast<size_t>(first)];
            const bool direct =
                width == kTile && m_active[static_cast<size_t>(first + width - 1)] - firstItem ==
                                      static_cast<int32_t>(width - 1);
            float sums[kTile];
            for (int64_t r = 0; r < n; ++r) {
                const int32_t* userRows = rows + offsets[r];
                const int64_t count = offsets[r + 1] - offsets[r];
                float* row = out + r * cols;
                if (direct) {
                    sumFullTile(tile, kTile, userRows, count, row + firstItem);
                    continue;
                }
                sumFullTile(tile, kTile, userRows, count, sums);
                for (int64_t j = 0; j < width; ++j)
                    row[m_active[static_cast<size_t>(first + j)]] = sums[j];
            }
        }
    }
}

bool EaseModel::itemSimilarities(int32_t item, const int32_t* items, int64_t n, float* out) const {
    std::fill(out, out + n, 0.0f);
    if (item < 0 || item >= static_cast<int32_t>(m_index.size()) || m_index[item] < 0)
        return true;
    const int64_t target = m_index[static_cast<size_t>(item)];
    for (int64_t k = 0; k < n; ++k) {
        if (items[k] < 0 || items[k] >= static_cast<int32_t>(m_index.size()))
            continue;
        const int64_t a = m_index[static_cast<size_t>(items[k])];
        if (a >= 0)
            out[k] = weight(a, target);
    }
    return true;
}

Status EaseModel::writeState(ModelFile& file) const {
    if (Status s = file.write("active_items", m_active); !s)
        return s;
    // Row-major n x n, a row at a time (the file's layout does not depend on the tiles).
    const auto n = static_cast<int64_t>(m_active.size());
    if (Status s = file.beginSection("weights", static_cast<uint64_t>(n * n), sizeof(float)); !s)
        return s;
    std::vector<float> row(static_cast<size_t>(n));
    for (int64_t a = 0; a < n; ++a) {
        for (int64_t c = 0; c < n; ++c)
            row[static_cast<size_t>(c)] = weight(a, c);
        if (Status s = file.writePiece(row.data(), row.size() * sizeof(float)); !s)
            return s;
    }
    return {};
}

Status EaseModel::readState(ModelFile& file) {
    std::vector<int32_t> active;
    if (Status s = file.read("active_items", active); !s)
        return s;
    uint64_t count = 0;
    if (Status s = file.openSection("weights", sizeof(float), count); !s)
        return s;
    if (count != active.size() * active.size())
        return Status(makeError("ease: weight matrix does not match the active items"));
    std::vector<int32_t> index(static_cast<size_t>(m_numItems), -1);
    for (size_t a = 0; a < active.size(); ++a) {
        if (active[a] < 0 || active[a] >= m_numItems)
            return Status(makeError("ease: item id out of range in the model file"));
        index[static_cast<size_t>(active[a])] = static_cast<int32_t>(a);
    }
    // Row-major in the file, a row at a time into the tiles; the model changes only once all
    // of it is read.
    const auto n = static_cast<int64_t>(active.size());
    std::unique_ptr<float[]> weights = allocateTiles(n);
    const int64_t tiles = tileCount(n);
    std::vector<float> row(static_cast<size_t>(n));
    for (int64_t a = 0; a < n; ++a) {
        if (Status s = file.readPiece(row.data(), row.size() * sizeof(float)); !s)
            return s;
        for (int64_t t = 0; t < tiles; ++t) {
            float* out = weights.get() + (t * n + a) * kTile;
            const int64_t first = t * kTile;
            const int64_t width = std::min(kTile, n - first);
            std::copy(row.begin() + first, row.begin() + first + width, out);
            std::fill(out + width, out + kTile, 0.0f);
        }
    }
    m_index = std::move(index);
    m_active = std::move(active);
    m_weights = std::move(weights);
    return {};
}

}  // namespace recscope
