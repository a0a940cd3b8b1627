#include "core/models/AlsModel.h"

#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <chrono>
#include <cmath>
#include <random>

#include "core/common/CpuClones.h"
#include "core/models/Blas.h"
#include "core/models/FoldIn.h"

namespace recscope {
namespace {

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixD = Eigen::MatrixXd;

// F^T F of a row-major rows x cols matrix, through the BLAS (Blas.h says why not Eigen).
RowMatrixF gramOf(const float* data, Eigen::Index rows, Eigen::Index cols) {
    RowMatrixF g(cols, cols);
    blas::gram(rows, cols, data, cols, g.data());
    return g;
}

// One half-step: every row of `solve` from the fixed factors. rows: entity -> interacted ids.
// A = F^T F + lambda I + alpha F_r^T F_r, b = (1 + alpha) F_r^T 1, where F_r gathers the fixed
// rows the entity interacted with; the gathered product keeps the work in matrix-matrix form.
void solveSide(const CsrMatrix& rows, const Eigen::Map<RowMatrixF>& fixed,
               Eigen::Map<RowMatrixF>& solve, double alpha, double lambda) {
    const Eigen::Index f = fixed.cols();
    Eigen::MatrixXf base = gramOf(fixed.data(), fixed.rows(), fixed.cols());
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

// The conjugate-gradient half-step for rows [begin, end) (Takacs, Pilaszy, Tikk, RecSys 2011;
// the solver implicit uses on the CPU): `steps` CG iterations on the same normal equation
// A x = b as solveSide, started from the row's current value (the previous iteration's), so a
// few steps per iteration track the exact solution. A p costs gram p (f x f) plus two passes
// over the row's fixed vectors; nothing of size f x f is factorised. Plain loops that the
// compiler vectorises for the CPU found at run time (core/common/CpuClones.h).
RECSCOPE_CPU_CLONES
double cgRows(const int64_t* offsets, const int32_t* indices, const float* fixed, const float* gram,
              float* solve, int f, float alpha, int steps, int32_t begin, int32_t end,
              bool positiveLoss) {
    double lossSum = 0.0;
    constexpr int64_t kAhead = 4;
    std::vector<float> buffer(static_cast<size_t>(3 * f));
    float* r = buffer.data();
    float* p = r + f;
    float* ap = p + f;
    const float confidence = 1.0f + alpha;
    // out = gram v, gram symmetric: a sum of its rows scaled by v.
    const auto gramTimes = [&](const float* v, float* out) {
        for (int k = 0; k < f; ++k)
            out[k] = 0.0f;
        for (int j = 0; j < f; ++j) {
            const float vj = v[j];
            const float* g = gram + static_cast<int64_t>(j) * f;
#pragma omp simd
            for (int k = 0; k < f; ++k)
                out[k] += vj * g[k];
        }
    };
    const auto dot = [f](const float* a, const float* b) {
        float s = 0.0f;
#pragma omp simd reduction(+ : s)
        for (int k = 0; k < f; ++k)
            s += a[k] * b[k];
        return s;
    };
    for (int32_t row = begin; row < end; ++row) {
        float* x = solve + static_cast<int64_t>(row) * f;
        const int32_t* items = indices + offsets[row];
        const int64_t count = offsets[row + 1] - offsets[row];
        if (count == 0) {
            for (int k = 0; k < f; ++k)
                x[k] = 0.0f;
            continue;
        }
        // r = b - A x = sum_i ((1 + a) - a y_i.x) y_i - gram x
        gramTimes(x, ap);
        for (int k = 0; k < f; ++k)
            r[k] = -ap[k];
        for (int64_t e = 0; e < count; ++e) {
            const float* y = fixed + static_cast<int64_t>(items[e]) * f;
            if (e + kAhead < count)  // the fixed rows are scattered: fetch ahead
                __builtin_prefetch(fixed + static_cast<int64_t>(items[e + kAhead]) * f);
            const float c = confidence - alpha * dot(y, x);
#pragma omp simd
            for (int k = 0; k < f; ++k)
                r[k] += c * y[k];
        }
        for (int k = 0; k < f; ++k)
            p[k] = r[k];
        float rsOld = dot(r, r);
        for (int step = 0; step < steps && rsOld > 1e-20f; ++step) {
            gramTimes(p, ap);  // A p = gram p + a sum_i (y_i.p) y_i
            for (int64_t e = 0; e < count; ++e) {
                const float* y = fixed + static_cast<int64_t>(items[e]) * f;
                if (e + kAhead < count)
                    __builtin_prefetch(fixed + static_cast<int64_t>(items[e + kAhead]) * f);
                const float c = alpha * dot(y, p);
#pragma omp simd
                for (int k = 0; k < f; ++k)
                    ap[k] += c * y[k];
            }
            const float pap = dot(p, ap);
            if (!(pap > 0.0f))
                break;
            const float a = rsOld / pap;
#pragma omp simd
            for (int k = 0; k < f; ++k) {
                x[k] += a * p[k];
                r[k] -= a * ap[k];
            }
            const float rsNew = dot(r, r);
            const float beta = rsNew / rsOld;
#pragma omp simd
            for (int k = 0; k < f; ++k)
                p[k] = r[k] + beta * p[k];
            rsOld = rsNew;
        }
        if (positiveLoss)  // the row's positive terms of the loss, while its rows are cached
            for (int64_t e = 0; e < count; ++e) {
                const double v = dot(fixed + static_cast<int64_t>(items[e]) * f, x);
                lossSum += (1.0 + alpha) * (1.0 - v) * (1.0 - v) - v * v;
            }
    }
    return lossSum;
}

// Returns sum over the rows' positives of (1+a)(1-s)^2 - s^2 at the new values when
// positiveLoss, else 0.
double solveSideCg(const CsrMatrix& rows, const Eigen::Map<RowMatrixF>& fixed,
                   Eigen::Map<RowMatrixF>& solve, double alpha, double lambda, int steps,
                   bool positiveLoss) {
    const auto f = static_cast<int>(fixed.cols());
    RowMatrixF gram = gramOf(fixed.data(), fixed.rows(), fixed.cols());
    gram.diagonal().array() += static_cast<float>(lambda);
    constexpr int32_t kChunk = 256;
    const int32_t chunks = (rows.rows + kChunk - 1) / kChunk;
    double loss = 0.0;
#pragma omp parallel for schedule(dynamic, 1) reduction(+ : loss)
    for (int32_t c = 0; c < chunks; ++c)
        loss += cgRows(rows.offsets.data(), rows.indices.data(), fixed.data(), gram.data(),
                       solve.data(), f, static_cast<float>(alpha), steps, c * kChunk,
                       std::min(rows.rows, (c + 1) * kChunk), positiveLoss);
    return loss;
}

// Weighted squared error + L2 of the factors (what both solvers decrease):
// sum_all s^2 + sum_pos [(1+a)(1-s)^2 - s^2] + lambda (|U|^2 + |V|^2), s = u.v; the first
// term is trace(U^T U V^T V).
// The terms over all pairs and the regulariser: sum_all s^2 = trace(U^T U V^T V).
double alsDenseLoss(const Eigen::Map<RowMatrixF>& users, const Eigen::Map<RowMatrixF>& items,
                    double lambda) {
    const MatrixD uu = gramOf(users.data(), users.rows(), users.cols()).cast<double>();
    const MatrixD vv = gramOf(items.data(), items.rows(), items.cols()).cast<double>();
    return (uu.cwiseProduct(vv)).sum() + lambda * (uu.trace() + vv.trace());
}

double alsLoss(const CsrMatrix& userItems, const Eigen::Map<RowMatrixF>& users,
               const Eigen::Map<RowMatrixF>& items, double alpha, double lambda) {
    const double loss = alsDenseLoss(users, items, lambda);
    double positives = 0.0;
#pragma omp parallel for schedule(dynamic, 1024) reduction(+ : positives)
    for (int32_t u = 0; u < userItems.rows; ++u)
        for (int64_t p = userItems.offsets[u]; p < userItems.offsets[u + 1]; ++p) {
            const double s = users.row(u).dot(items.row(userItems.indices[static_cast<size_t>(p)]));
            positives += (1.0 + alpha) * (1.0 - s) * (1.0 - s) - s * s;
        }
    return loss + positives;
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
        {"iterations", ParamType::Int, "15", 1, 1000, {}, "Alternating passes (users then items)"},
        {"solver",
         ParamType::Choice,
         "cg",
         0,
         0,
         {"cg", "cholesky"},
         "cg: a few conjugate-gradient steps per row from its last value (fast); cholesky: the "
         "exact solve"},
        {"cg_steps",
         ParamType::Int,
         "3",
         1,
         64,
         {},
         "Conjugate-gradient steps per row and half-iteration (solver cg)"}};
}

Status AlsModel::fitModel(const TrainData& data, const FitContext& context) {
    const int32_t f = static_cast<int32_t>(params().getInt("factors"));
    const double alpha = params().getFloat("alpha");
    const double lambda = params().getFloat("lambda");
    const int iterations = static_cast<int>(params().getInt("iterations"));
    const bool cg = params().getString("solver") == "cg";
    const int cgSteps = static_cast<int>(params().getInt("cg_steps"));
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
            return cancelledError();
        const auto start = std::chrono::steady_clock::now();
        double loss = 0.0;
        if (cg) {
            solveSideCg(m_userItems, items, users, alpha, lambda, cgSteps, false);
            if (isCancelled(context.cancel))
                return cancelledError();
            // The item half-step also sums the loss's positive terms (the same pairs, seen
            // from the items, at the final values).
            loss = solveSideCg(itemUsers, users, items, alpha, lambda, cgSteps, true) +
                   alsDenseLoss(users, items, lambda);
        } else {
            solveSide(m_userItems, items, users, alpha, lambda);
            if (isCancelled(context.cancel))
                return cancelledError();
            solveSide(itemUsers, users, items, alpha, lambda);
            loss = alsLoss(m_userItems, users, items, alpha, lambda);
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
    m_itemGram.resize(static_cast<size_t>(m_factors) * m_factors);
    blas::gram(m_numItems, m_factors, m_itemFactors.data(), m_factors, m_itemGram.data());
    Eigen::Map<RowMatrixF> gram(m_itemGram.data(), m_factors, m_factors);
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
    // The users' factor rows gathered (n x f, small), then one BLAS product straight into out.
    std::vector<float> batch(static_cast<size_t>(n) * m_factors);
    for (int64_t r = 0; r < n; ++r)
        std::copy_n(m_userFactors.data() + static_cast<int64_t>(users[r]) * m_factors, m_factors,
                    batch.data() + r * m_factors);
    blas::gemmNT(n, m_numItems, m_factors, 1.0f, batch.data(), m_factors, m_itemFactors.data(),
                 m_factors, 0.0f, out, m_numItems);
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
