#include "core/nn/RowSparseAdam.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace recscope {

RowSparseAdam::RowSparseAdam(std::vector<torch::Tensor> tables, Options options)
    : m_tables(std::move(tables)), m_options(options) {
    torch::NoGradGuard noGrad;
    for (const auto& t : m_tables) {
        if (t.dim() != 2)
            throw std::invalid_argument("RowSparseAdam: a table must be 2-D");
        m_avg.push_back(torch::zeros_like(t));
        m_avgSq.push_back(torch::zeros_like(t));
    }
}

void RowSparseAdam::zeroGrad() {
    for (auto& t : m_tables)
        t.mutable_grad().reset();
}

void RowSparseAdam::step() {
    torch::NoGradGuard noGrad;
    ++m_steps;
    const Options& o = m_options;
    const double correction1 = 1.0 - std::pow(o.beta1, double(m_steps));
    const double correction2 = 1.0 - std::pow(o.beta2, double(m_steps));
    for (size_t i = 0; i < m_tables.size(); ++i) {
        torch::Tensor& table = m_tables[i];
        torch::Tensor& grad = table.mutable_grad();
        if (!grad.defined())
            continue;
        // The touched rows and their gradients: from a sparse gradient (an embedding's, rows
        // listed once each after coalescing), or from a dense one (data-parallel sums them
        // dense), by its non-zero rows. A listed row whose gradient is zero is left alone
        // either way.
        torch::Tensor rows, g;
        if (grad.is_sparse()) {
            const auto merged = grad.coalesce();
            const auto values = merged.values();
            const auto nonZero = values.ne(0).any(1);
            rows = merged.indices()[0].index({nonZero});
            g = values.index({nonZero});
        } else {
            rows = grad.ne(0).any(1).nonzero().squeeze(1);
            g = grad.index_select(0, rows);
        }
        if (rows.numel() > 0) {
            auto w = table.index_select(0, rows);
            if (o.weightDecay != 0.0)
                g.add_(w, o.weightDecay);
            auto m = m_avg[i].index_select(0, rows).mul_(o.beta1).add_(g, 1.0 - o.beta1);
            auto v = m_avgSq[i].index_select(0, rows).mul_(o.beta2).addcmul_(g, g, 1.0 - o.beta2);
            const auto denom = (v.sqrt() / std::sqrt(correction2)).add_(o.eps);
            w.addcdiv_(m, denom, -o.lr / correction1);
            m_avg[i].index_copy_(0, rows, m);
            m_avgSq[i].index_copy_(0, rows, v);
            table.index_copy_(0, rows, w);
        }
        grad.reset();
    }
}

TableAwareAdam::TableAwareAdam(const std::vector<torch::Tensor>& params,
                               const std::vector<torch::Tensor>& tables, double lr,
                               double weightDecay)
    : m_dense(std::make_unique<torch::optim::Adam>(
          withoutTables(params, tables), torch::optim::AdamOptions(lr).weight_decay(weightDecay))),
      m_tables(tables, RowSparseAdam::Options{lr, 0.9, 0.999, 1e-8, weightDecay}) {}

void TableAwareAdam::zeroGrad() {
    m_dense->zero_grad();
    m_tables.zeroGrad();
}

void TableAwareAdam::step() {
    m_dense->step();
    m_tables.step();
}

torch::nn::Embedding sparseTable(int64_t rows, int64_t dim) {
    torch::nn::Embedding table(torch::nn::EmbeddingOptions(rows, dim).sparse(true));
    torch::nn::init::normal_(table->weight, 0.0, 0.1);
    return table;
}

std::vector<torch::Tensor> withoutTables(const std::vector<torch::Tensor>& all,
                                         const std::vector<torch::Tensor>& tables) {
    std::vector<torch::Tensor> kept;
    for (const auto& p : all)
        if (std::none_of(tables.begin(), tables.end(),
                         [&](const torch::Tensor& t) { return t.is_same(p); }))
            kept.push_back(p);
    return kept;
}

}  // namespace recscope
