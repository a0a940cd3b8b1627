#include "core/models/AlsModel.h"

#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <chrono>
#include <cmath>
#include <random>

#include "core/models/FoldIn.h"

namespace recscope {
namespace {

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixD = Eigen::MatrixXd;

// One half-step: every row of `solve` from the fixed factors. rows: entity -> interacted ids.
// A = F^T F + lambda I + alpha F_r^T F_r, b = (1 + alpha) F_r^T 1, where F_r gathers the fixed
// rows the entity interacted with; the gathered product keeps the work in matrix-matrix form.
void solveSide(const CsrMatrix& rows, const Eigen::Map<RowMatrixF>& fixed,
               Eigen::Map<RowMatrixF>& solve, double alpha, double lambda) {
    const Eigen::Index f = fixed.cols();
    Eigen::MatrixXf base = fixed.transpose() * fixed;
    base.diagonal().array() += static_cast<float>(lambda);
#pragma omp parallel
    {
        RowMatrixF gathered;
        Eigen::MatrixXf a(f, f);
#pragma omp for schedule(dynamic, 16)
        for (int32_t r = 0; r < rows.rows; ++r) {
            const int64_t count = rows.rowSize(r);
            if (count == 0) {
                solve.row(r).setZero();
                continue;
            }
            gathered.resize(count, f);
            for (int64_t p = 0; p < count; ++p)
                gathered.row(p) = fixed.row(rows.indices[static_cast<size_t>(rows.offsets[r] + p)]);
            a = base;
            a.noalias() += static_cast<float>(alpha) * (gathered.transpose() * gathered);
            const Eigen::VectorXf b =
                static_cast<float>(1.0 + alpha) * gathered.colwise().sum().transpose();
            Eigen::LLT<Eigen::MatrixXf> llt(a);
            solve.row(r) = llt.solve(b).transpose();
        }
    }
}

}  // namespace

std::vector<ParamSpec> AlsModel::paramSpecs() const {
    return {
        {"factors", ParamType::Int, "64", 1, 1024, {}, "Latent factors per user and item"},
        {"alpha",
         ParamType::Float,
         "5",
         0,
         1e6,
         {},
         "Confidence weight of a training positive (1 + alpha vs 1 for the rest)"},
        {"lambda", ParamType::Float, "30", 0, 1e7, {}, "L2 regularisation of the factors"},
        {"iterations", ParamType::Int, "15", 1, 1000, {}, "Alternating passes (users then items)"}};
}

Status AlsModel::fitModel(const TrainData& data, const FitContext& context) {
    const int32_t f = static_cast<int32_t>(params().getInt("factors"));
    const double alpha = params().getFloat("alpha");
    const double lambda = params().getFloat("lambda");
    const int iterations = static_cast<int>(params().getInt("iterations"));
    m_factors = f;
    m_userFactors.assign(static_cast<size_t>(m_numUsers) * f, 0.0f);
    m_itemFactors.resize(static_cast<size_t>(m_numItems) * f);
    std::mt19937_64 rng(context.seed);
    std::normal_distribution<float> normal(0.0f, 0.01f);
    for (float& v : m_itemFactors)
        v = normal(rng);
    Eigen::Map<RowMatrixF> users(m_userFactors.data(), m_numUsers, f);
    Eigen::Map<RowMatrixF> items(m_itemFactors.data(), m_numItems, f);
    const CsrMatrix itemUsers = transposed(m_userItems);
    m_loss.clear();
    for (int it = 1; it <= iterations; ++it) {
        if (isCancelled(context.cancel))
            return makeError("cancelled");
        const auto start = std::chrono::steady_clock::now();
        solveSide(m_userItems, items, users, alpha, lambda);
        if (isCancelled(context.cancel))
            return makeError("cancelled");
        solveSide(itemUsers, users, items, alpha, lambda);
        // Loss = sum_all s^2 + sum_pos [(1+a)(1-s)^2 - s^2] + lambda (|U|^2 + |V|^2), s = u.v;
        // the first term is trace(U^T U V^T V).
        const MatrixD uu = (users.transpose() * users).cast<double>();
        const MatrixD vv = (items.transpose() * items).cast<double>();
        double loss = (uu.cwiseProduct(vv)).sum() + lambda * (uu.trace() + vv.trace());
        for (int32_t u = 0; u < m_numUsers; ++u)
            for (int64_t p = m_userItems.offsets[u]; p < m_userItems.offsets[u + 1]; ++p) {
                const double s =
                    users.row(u).dot(items.row(m_userItems.indices[static_cast<size_t>(p)]));
                loss += (1.0 + alpha) * (1.0 - s) * (1.0 - s) - s * s;
            }
        if (!std::isfinite(loss))
            return makeError("ials: loss became NaN/Inf at iteration " + std::to_string(it) +
                             " — raise lambda");
        m_loss.push_back(loss);
        if (context.observer) {
            EpochReport rep;
            rep.epoch = it;
            rep.trainLoss = loss;
            rep.seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            context.observer->onEpoch(rep);
        }
        report(context.progress,
               "ALS iteration " + std::to_string(it) + "/" + std::to_string(iterations),
               static_cast<double>(it) / iterations);
    }
    updateItemGram();
    return {};
}

void AlsModel::updateItemGram() {
    const Eigen::Map<const RowMatrixF> items(m_itemFactors.data(), m_numItems, m_factors);
    m_itemGram.assign(static_cast<size_t>(m_factors) * m_factors, 0.0f);
    Eigen::Map<RowMatrixF> gram(m_itemGram.data(), m_factors, m_factors);
    gram.noalias() = items.transpose() * items;
    gram.diagonal().array() += static_cast<float>(params().getFloat("lambda"));
}

void AlsModel::scoreItems(const int32_t* items, int64_t n, float* out) const {
    const float alpha = static_cast<float>(params().getFloat("alpha"));
    const std::vector<int32_t> rows(items, items + n);
    const std::vector<float> x = solveUserVector(m_itemFactors.data(), m_factors, m_itemGram.data(),
                                                 rows, std::vector<float>(rows.size(), alpha),
                                                 std::vector<float>(rows.size(), 1.0f + alpha));
    const Eigen::Map<const RowMatrixF> y(m_itemFactors.data(), m_numItems, m_factors);
    Eigen::Map<Eigen::VectorXf>(out, m_numItems).noalias() =
        y * Eigen::Map<const Eigen::VectorXf>(x.data(), m_factors);
}

EmbeddingTable AlsModel::itemEmbeddings() const {
    return {m_factors > 0 ? m_numItems : 0, m_factors, m_itemFactors};
}

EmbeddingTable AlsModel::userEmbeddings() const {
    return {m_factors > 0 ? m_numUsers : 0, m_factors, m_userFactors};
}

bool AlsModel::itemSimilarities(int32_t item, const int32_t* items, int64_t n, float* out) const {
    embeddingCosines(m_itemFactors.data(), m_factors > 0 ? m_numItems : 0, m_factors, item, items,
                     n, out);
    return true;
}

void AlsModel::scoreKnownUsers(const int32_t* users, int64_t n, float* out) const {
    const Eigen::Map<const RowMatrixF> all(m_userFactors.data(), m_numUsers, m_factors);
    const Eigen::Map<const RowMatrixF> items(m_itemFactors.data(), m_numItems, m_factors);
    RowMatrixF batch(n, m_factors);
    for (int64_t r = 0; r < n; ++r)
        batch.row(r) = all.row(users[r]);
    Eigen::Map<RowMatrixF> scores(out, n, m_numItems);
    scores.noalias() = batch * items.transpose();
}

Status AlsModel::writeState(ModelFile& file) const {
    for (Status s : {file.write("factors", m_factors), file.write("user_factors", m_userFactors),
                     file.write("item_factors", m_itemFactors)})
        if (!s)
            return s;
    return {};
}

Status AlsModel::readState(ModelFile& file) {
    int32_t f = 0;
    std::vector<float> u;
    std::vector<float> v;
    for (Status s :
         {file.read("factors", f), file.read("user_factors", u), file.read("item_factors", v)})
        if (!s)
            return s;
    if (f <= 0 || u.size() != static_cast<size_t>(m_numUsers) * f ||
        v.size() != static_cast<size_t>(m_numItems) * f)
        return Status(makeError("ials: factor matrices do not match the model shape"));
    m_factors = f;
    m_userFactors = std::move(u);
    m_itemFactors = std::move(v);
    updateItemGram();
    return {};
}

}  // namespace recscope
