#include "core/nn/NcfFoldIn.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "core/nn/NcfNet.h"

namespace recscope {
namespace {

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

RowMatrixF hostMatrix(const torch::Tensor& t) {
    const auto c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    const int64_t cols = c.dim() == 2 ? c.size(1) : 1;
    return Eigen::Map<const RowMatrixF>(c.data_ptr<float>(), c.size(0), cols);
}

}  // namespace

NcfFoldIn::NcfFoldIn(const NcfNetImpl& net) {
    const NcfShape& shape = net.shape();
    m_g = shape.gmfDim;
    m_m = net.hasMlp() ? shape.mlpDim : 0;
    m_items = int32_t(shape.items);
    const RowMatrixF outW = hostMatrix(net.outLayer()->weight);  // 1 x (g + last)
    m_outBias = hostMatrix(net.outLayer()->bias)(0, 0);
    if (m_g > 0) {
        m_gmfRows = hostMatrix(net.gmfItemWeight());
        const Eigen::RowVectorXf wGmf = outW.leftCols(m_g);
        m_gmfRows.array().rowwise() *= wGmf.array();
    }
    if (m_m > 0) {
        for (const auto& layer : net.layers()) {
            m_w.push_back(hostMatrix(layer->weight));
            m_b.push_back(hostMatrix(layer->bias).transpose());
        }
        m_w0User = m_w[0].leftCols(m_m);
        m_itemPart = hostMatrix(net.mlpItemWeight()) * m_w[0].rightCols(m_m).transpose();
        m_itemPart.rowwise() += m_b[0];
        m_wMlp = outW.rightCols(outW.cols() - m_g);
    }
    m_pre.resize(m_w.size());
}

double NcfFoldIn::lossAndGradient(const Eigen::VectorXf& theta, const int32_t* items,
                                  const float* labels, int64_t rows, Eigen::VectorXf& grad) {
    Eigen::VectorXf logits = Eigen::VectorXf::Constant(rows, m_outBias);
    if (m_g > 0)
        for (int64_t r = 0; r < rows; ++r)
            logits[r] += m_gmfRows.row(items[r]).dot(theta.head(m_g).transpose());
    RowMatrixF hidden;
    if (m_m > 0) {
        const Eigen::RowVectorXf userPart = (m_w0User * theta.tail(m_m)).transpose();
        m_pre[0].resize(rows, m_itemPart.cols());
        for (int64_t r = 0; r < rows; ++r)
            m_pre[0].row(r) = m_itemPart.row(items[r]) + userPart;
        hidden = m_pre[0].cwiseMax(0.0f);
        for (size_t l = 1; l < m_w.size(); ++l) {
            m_pre[l] = hidden * m_w[l].transpose();
            m_pre[l].rowwise() += m_b[l];
            hidden = m_pre[l].cwiseMax(0.0f);
        }
        logits += hidden * m_wMlp.transpose();
    }
    const Eigen::Map<const Eigen::VectorXf> y(labels, rows);
    // BCE with logits, stable: max(x, 0) - x y + log(1 + exp(-|x|)).
    const double loss = (logits.array().max(0.0f) - logits.array() * y.array() +
                         (-logits.array().abs()).exp().log1p())
                            .cast<double>()
                            .sum() /
                        double(rows);
    // d(mean BCE)/d logit = (sigmoid(logit) - label) / rows.
    const Eigen::VectorXf delta =
        ((1.0f + (-logits.array()).exp()).inverse() - y.array()).matrix() / float(rows);
    grad = Eigen::VectorXf::Zero(m_g + m_m);
    if (m_g > 0)
        for (int64_t r = 0; r < rows; ++r)
            grad.head(m_g) += delta[r] * m_gmfRows.row(items[r]).transpose();
    if (m_m > 0) {
        RowMatrixF up = delta * m_wMlp;  // rows x last
        for (size_t l = m_w.size(); l-- > 0;) {
            up = up.cwiseProduct((m_pre[l].array() > 0.0f).cast<float>().matrix());
            if (l > 0)
                up = up * m_w[l];
        }
        grad.tail(m_m) = m_w0User.transpose() * up.colwise().sum().transpose();
    }
    return loss;
}

void NcfFoldIn::fit(const std::vector<int32_t>& positives, int negatives, int steps,
                    int64_t batchPositives, float lr, Eigen::VectorXf& gmfUser,
                    Eigen::VectorXf& mlpUser) {
    // Long histories train on a fresh sample of batchPositives positives per step, so a call
    // costs the same for every history length.
    std::vector<int32_t> pool(positives);
    const int64_t np = std::min<int64_t>(int64_t(pool.size()), batchPositives);
    const int64_t rows = np * (1 + negatives);
    std::vector<int32_t> batch(static_cast<size_t>(rows));
    std::vector<float> labels(static_cast<size_t>(rows), 0.0f);
    std::fill(labels.begin(), labels.begin() + np, 1.0f);
    std::mt19937_64 rng(0x6e6366ULL);  // fixed: the same history always gives the same scores
    std::uniform_int_distribution<int32_t> anyItem(0, m_items - 1);

    Eigen::VectorXf theta = Eigen::VectorXf::Zero(m_g + m_m);  // [gmf user ; mlp user]
    Eigen::VectorXf adamM = Eigen::VectorXf::Zero(m_g + m_m), adamV = adamM, grad;
    for (int step = 1; step <= steps; ++step) {
        for (int64_t k = 0; k < np; ++k) {  // partial Fisher-Yates: np distinct positives
            if (np < int64_t(pool.size())) {
                std::uniform_int_distribution<size_t> pick(size_t(k), pool.size() - 1);
                std::swap(pool[size_t(k)], pool[pick(rng)]);
            }
            batch[size_t(k)] = pool[size_t(k)];
        }
        for (int64_t k = np; k < rows; ++k) {
            int32_t j = anyItem(rng);
            while (std::binary_search(positives.begin(), positives.end(), j))
                j = anyItem(rng);
            batch[size_t(k)] = j;
        }
        lossAndGradient(theta, batch.data(), labels.data(), rows, grad);
        adamM = 0.9f * adamM + 0.1f * grad;
        adamV = 0.999f * adamV + 0.001f * grad.cwiseProduct(grad);
        const float c1 = 1.0f - std::pow(0.9f, float(step));
        const float c2 = 1.0f - std::pow(0.999f, float(step));
        theta.array() -= lr * (adamM.array() / c1) / ((adamV.array() / c2).sqrt() + 1e-8f);
    }
    gmfUser = theta.head(m_g);
    mlpUser = theta.tail(m_m);
}

}  // namespace recscope
