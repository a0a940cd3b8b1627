#include "core/inspect/Pca.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <exception>
#include <string>

#include "core/index/VectorIndex.h"

namespace recscope {

namespace {
// Components this close in magnitude count as tied (the lower index decides the sign), so that
// rounding in the solver cannot flip an axis of a symmetric example.
constexpr double kSignTieTolerance = 1e-9;
}  // namespace

Pca::~Pca() = default;
Pca::Pca(Pca&&) noexcept = default;
Pca& Pca::operator=(Pca&&) noexcept = default;

Result<PcaProjection> Pca::project(const EmbeddingTable& table) {
    if (table.rows <= 0 || table.dim <= 0)
        return makeError("the model has no embeddings to project");
    const auto n = static_cast<int64_t>(table.rows);
    const auto d = static_cast<int64_t>(table.dim);
    if (static_cast<int64_t>(table.values.size()) != n * d)
        return makeError("embedding table holds " + std::to_string(table.values.size()) +
                         " values, expected rows x dim = " + std::to_string(n * d));
    for (int64_t r = 0; r < n; ++r)
        for (int64_t c = 0; c < d; ++c)
            if (!std::isfinite(table.values[static_cast<size_t>(r * d + c)]))
                return makeError("embedding row " + std::to_string(r) + ", column " +
                                 std::to_string(c) + " is not a finite number");
    try {
        using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
        const Eigen::Map<
            const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>
            raw(table.values.data(), n, d);
        RowMatrix x = raw.cast<double>();
        const Eigen::RowVectorXd mean = x.colwise().mean();
        x.rowwise() -= mean;
        // The divisor does not change the axes or the variance ratios; n - 1 keeps the
        // eigenvalues equal to the sample variances for anyone reading them.
        const Eigen::MatrixXd cov =
            (x.transpose() * x) / static_cast<double>(std::max<int64_t>(1, n - 1));
        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(cov);
        if (solver.info() != Eigen::Success)
            return makeError("the eigen-decomposition of the embeddings' covariance failed");
        const Eigen::VectorXd& values = solver.eigenvalues();  // ascending
        const double total = std::max(0.0, cov.trace());

        PcaProjection p;
        p.rows = table.rows;
        p.dim = table.dim;
        p.mean.assign(mean.data(), mean.data() + d);
        p.axes.assign(static_cast<size_t>(2 * d), 0.0);
        for (int a = 0; a < 2 && a < d; ++a) {
            Eigen::VectorXd v = solver.eigenvectors().col(d - 1 - a);
            Eigen::Index big = 0;
            for (Eigen::Index i = 1; i < v.size(); ++i)
                if (std::abs(v[i]) > std::abs(v[big]) + kSignTieTolerance)
                    big = i;
            if (v[big] < 0)
                v = -v;
            std::copy(v.data(), v.data() + d, p.axes.begin() + a * d);
            const double lambda = std::max(0.0, values[d - 1 - a]);
            p.explained[a] = total > 0 ? lambda / total : 0.0;
        }
        const Eigen::Map<const RowMatrix> axes(p.axes.data(), 2, d);
        const RowMatrix coords = x * axes.transpose();  // n x 2
        p.points.resize(static_cast<size_t>(2 * n));
        for (int64_t r = 0; r < n; ++r) {
            p.points[static_cast<size_t>(2 * r)] = static_cast<float>(coords(r, 0));
            p.points[static_cast<size_t>(2 * r + 1)] = static_cast<float>(coords(r, 1));
        }
        return p;
    } catch (const std::exception& e) {
        return makeError(std::string("PCA of the embeddings failed: ") + e.what());
    }
}

Result<Pca> Pca::build(EmbeddingTable table, const CancelToken* cancel) {
    Result<PcaProjection> projection = project(table);
    if (!projection.ok())
        return projection.error();
    if (isCancelled(cancel))
        return cancelledError();
    Pca pca;
    pca.m_projection = std::move(projection).value();
    pca.m_table = std::move(table);
    const int64_t n = pca.m_table.rows;
    const int64_t d = pca.m_table.dim;
    pca.m_unit = pca.m_table.values;
    for (int64_t r = 0; r < n; ++r) {
        float* row = pca.m_unit.data() + r * d;
        double norm = 0.0;
        for (int64_t c = 0; c < d; ++c)
            norm += double(row[c]) * double(row[c]);
        norm = std::sqrt(norm);
        if (norm > 0)
            for (int64_t c = 0; c < d; ++c)
                row[c] = static_cast<float>(row[c] / norm);
    }
    Result<VectorIndex> index = VectorIndex::create("Flat", static_cast<int>(d));
    if (!index.ok())
        return index.error();
    pca.m_index = std::make_unique<VectorIndex>(std::move(index).value());
    if (Status built = pca.m_index->build(pca.m_unit.data(), n); !built.ok())
        return built.error();
    return pca;
}

Result<std::vector<PcaNeighbour>> Pca::neighbours(int32_t row, int k) const {
    if (row < 0 || row >= m_table.rows)
        return makeError("row " + std::to_string(row) + " is outside the embedding table (0.." +
                         std::to_string(m_table.rows - 1) + ")");
    if (k < 1)
        return makeError("the number of neighbours must be at least 1, got " + std::to_string(k));
    const int want = static_cast<int>(std::min<int64_t>(int64_t(k) + 1, m_table.rows));
    std::vector<int64_t> ids(static_cast<size_t>(want));
    std::vector<float> scores(static_cast<size_t>(want));
    const float* query = m_unit.data() + static_cast<int64_t>(row) * m_table.dim;
    if (Status s = m_index->search(query, 1, want, ids.data(), scores.data()); !s.ok())
        return s.error();
    std::vector<PcaNeighbour> out;
    for (int i = 0; i < want && static_cast<int>(out.size()) < k; ++i) {
        // A duplicate vector may outrank the query itself, so drop the query wherever it lands.
        if (ids[static_cast<size_t>(i)] < 0 || ids[static_cast<size_t>(i)] == row)
            continue;
        out.push_back(
            {static_cast<int32_t>(ids[static_cast<size_t>(i)]), scores[static_cast<size_t>(i)]});
    }
    return out;
}

}  // namespace recscope
