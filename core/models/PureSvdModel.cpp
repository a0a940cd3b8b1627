#include "core/models/PureSvdModel.h"

#include <Eigen/Dense>
#include <Eigen/Sparse>
#include <algorithm>
#include <random>

#include "core/models/Blas.h"
#include "core/models/FoldIn.h"

namespace recscope {
namespace {

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

Eigen::SparseMatrix<double, Eigen::RowMajor> toSparse(const CsrMatrix& m) {
    std::vector<Eigen::Triplet<double>> triplets;
    triplets.reserve(static_cast<size_t>(m.nnz()));
    for (int32_t r = 0; r < m.rows; ++r)
        for (int64_t p = m.offsets[r]; p < m.offsets[r + 1]; ++p)
            triplets.emplace_back(r, m.indices[static_cast<size_t>(p)], 1.0);
    Eigen::SparseMatrix<double, Eigen::RowMajor> s(m.rows, m.cols);
    s.setFromTriplets(triplets.begin(), triplets.end());
    return s;
}

// Orthonormal basis of span(y) by Cholesky QR applied twice (CholQR2): two small Gram matrices
// and triangular solves instead of a Householder QR, whose many small blocked products are
// slow when the OpenMP threads compete for cores. A tiny ridge keeps rank-deficient inputs
// (fewer users than columns) factorisable.
Eigen::MatrixXd orthonormalised(Eigen::MatrixXd y) {
    for (int pass = 0; pass < 2; ++pass) {
        Eigen::MatrixXd gram = y.transpose() * y;
        const double ridge = 1e-12 * std::max(1.0, gram.diagonal().maxCoeff());
        gram.diagonal().array() += ridge;
        Eigen::LLT<Eigen::MatrixXd> llt(gram);
        // y <- y R^-1 with R = L^T.
        llt.matrixU().solveInPlace<Eigen::OnTheRight>(y);
    }
    return y;
}

}  // namespace

std::vector<ParamSpec> PureSvdModel::paramSpecs() const {
    return {{"rank",
             ParamType::Int,
             "50",
             1,
             2000,
             {},
             "Number of singular vectors kept (latent factors)"},
            {"iterations",
             ParamType::Int,
             "6",
             1,
             100,
             {},
             "Power iterations of the randomized SVD (more = closer to the exact top vectors)"}};
}

Status PureSvdModel::fitModel(const TrainData& data, const FitContext& context) {
    const auto x = toSparse(m_userItems);
    const auto n = static_cast<Eigen::Index>(m_numItems);
    const auto rank = static_cast<Eigen::Index>(std::min<int64_t>(params().getInt("rank"), n));
    // Oversampling makes the subspace iteration converge on the top `rank` directions.
    const Eigen::Index width =
        std::min<Eigen::Index>(n, rank + std::max<Eigen::Index>(10, rank / 2));
    std::mt19937_64 rng(context.seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    Eigen::MatrixXd q(n, width);
    for (Eigen::Index j = 0; j < width; ++j)
        for (Eigen::Index i = 0; i < n; ++i)
            q(i, j) = normal(rng);
    const int iterations = static_cast<int>(params().getInt("iterations"));
    for (int it = 0; it <= iterations; ++it) {
        if (isCancelled(context.cancel))
            return cancelledError();
        const Eigen::MatrixXd xq = x * q;              // users x width
        const Eigen::MatrixXd y = x.transpose() * xq;  // (X^T X) q
        q = orthonormalised(y);
        report(context.progress, "PureSVD: power iteration",
               0.1 + 0.8 * (it + 1) / (iterations + 1));
    }
    // Rayleigh-Ritz: eigenvectors of Q^T X^T X Q give the top directions inside span(Q).
    const Eigen::MatrixXd xq = x * q;
    const Eigen::MatrixXd small = xq.transpose() * xq;
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(small);
    if (eig.info() != Eigen::Success)
        return makeError("puresvd: eigen decomposition failed");
    // Eigenvalues ascend: the last `rank` columns are the top ones.
    const Eigen::MatrixXd v = q * eig.eigenvectors().rightCols(rank).rowwise().reverse();
    m_rank = static_cast<int32_t>(rank);
    m_itemFactors.resize(static_cast<size_t>(n * rank));
    Eigen::Map<RowMatrixF>(m_itemFactors.data(), n, rank) = v.cast<float>();
    return {};
}

void PureSvdModel::scoreKnownUsers(const int32_t* users, int64_t n, float* out) const {
    const Eigen::Map<const RowMatrixF> v(m_itemFactors.data(), m_numItems, m_rank);
    RowMatrixF proj = RowMatrixF::Zero(n, m_rank);  // x_u V
    for (int64_t r = 0; r < n; ++r) {
        const int32_t u = users[r];
        for (int64_t p = m_userItems.offsets[u]; p < m_userItems.offsets[u + 1]; ++p)
            proj.row(r) += v.row(m_userItems.indices[static_cast<size_t>(p)]);
    }
    // x_u V V^T through the BLAS, as iALS scores: Eigen's parallel product spins under load.
    blas::gemmNT(n, m_numItems, m_rank, 1.0f, proj.data(), m_rank, m_itemFactors.data(), m_rank,
                 0.0f, out, m_numItems);
}

void PureSvdModel::scoreItems(const int32_t* items, int64_t n, float* out) const {
    const Eigen::Map<const RowMatrixF> v(m_itemFactors.data(), m_numItems, m_rank);
    Eigen::RowVectorXf proj = Eigen::RowVectorXf::Zero(m_rank);
    for (int64_t k = 0; k < n; ++k)
        proj += v.row(items[k]);
    blas::gemmNT(1, m_numItems, m_rank, 1.0f, proj.data(), m_rank, m_itemFactors.data(), m_rank,
                 0.0f, out, m_numItems);
}

EmbeddingTable PureSvdModel::itemEmbeddings() const {
    return {m_rank > 0 ? m_numItems : 0, m_rank, m_rank > 0 ? m_itemFactors : std::vector<float>{}};
}

EmbeddingTable PureSvdModel::userEmbeddings() const {
    if (m_rank <= 0)
        return {};
    const Eigen::Map<const RowMatrixF> v(m_itemFactors.data(), m_numItems, m_rank);
    EmbeddingTable t{m_numUsers, m_rank,
                     std::vector<float>(static_cast<size_t>(m_numUsers) * m_rank, 0.0f)};
    Eigen::Map<RowMatrixF> proj(t.values.data(), m_numUsers, m_rank);
    for (int32_t u = 0; u < m_numUsers; ++u)
        for (int64_t p = m_userItems.offsets[u]; p < m_userItems.offsets[u + 1]; ++p)
            proj.row(u) += v.row(m_userItems.indices[static_cast<size_t>(p)]);
    return t;
}

bool PureSvdModel::itemSimilarities(int32_t item, const int32_t* items, int64_t n,
                                    float* out) const {
    embeddingCosines(m_itemFactors.data(), m_rank > 0 ? m_numItems : 0, m_rank, item, items, n,
                     out);
    return true;
}

Status PureSvdModel::writeState(ModelFile& file) const {
    if (Status s = file.write("rank", m_rank); !s)
        return s;
    return file.write("item_factors", m_itemFactors);
}

Status PureSvdModel::readState(ModelFile& file) {
    int32_t rank = 0;
    std::vector<float> factors;
    if (Status s = file.read("rank", rank); !s)
        return s;
    if (Status s = file.read("item_factors", factors); !s)
        return s;
    if (rank < 0 || factors.size() != static_cast<size_t>(rank) * static_cast<size_t>(m_numItems))
        return Status(makeError("puresvd: factor matrix does not match the item count"));
    m_rank = rank;
    m_itemFactors = std::move(factors);
    return {};
}

}  // namespace recscope
