#include "core/nn/BagSum.h"

#include <ATen/Parallel.h>

#include <vector>

#include "core/common/CpuClones.h"

namespace recscope {
namespace {

// dst[0..d) += the sum over k < count of s_k * rows[index[k] * d ..), s_k = scales[index[k]]
// (1 without scales): a bag's sum, or a table row's gradient. Vectorised for the CPU at hand
// (the build targets baseline x86-64); one call per bag or row.
RECSCOPE_CPU_CLONES
void sumRows(float* dst, const float* rows, const int64_t* index, int64_t count,
             const float* scales, int64_t d) {
    for (int64_t k = 0; k < count; ++k) {
        const float* src = rows + static_cast<int64_t>(index[k]) * d;
        const float s = scales ? scales[index[k]] : 1.0f;
        for (int64_t j = 0; j < d; ++j)
            dst[j] += s * src[j];
    }
}

// Each bag's scale: 1, or 1 / size for a non-empty bag under `mean`.
std::vector<float> bagScales(const int64_t* offsets, int64_t bags, int64_t total, bool mean) {
    std::vector<float> scale(static_cast<size_t>(bags), 1.0f);
    if (mean)
        for (int64_t b = 0; b < bags; ++b) {
            const int64_t size = (b + 1 < bags ? offsets[b + 1] : total) - offsets[b];
            if (size > 0)
                scale[static_cast<size_t>(b)] = 1.0f / static_cast<float>(size);
        }
    return scale;
}

class BagSumFunction : public torch::autograd::Function<BagSumFunction> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& table,
                                 const torch::Tensor& items, const torch::Tensor& offsets,
                                 bool mean) {
        const auto t = table.contiguous();
        const int64_t d = t.size(1);
        const int64_t bags = offsets.size(0);
        const int64_t total = items.size(0);
        const float* w = t.data_ptr<float>();
        const int64_t* it = items.data_ptr<int64_t>();
        const int64_t* off = offsets.data_ptr<int64_t>();
        const std::vector<float> scale = bagScales(off, bags, total, mean);
        auto out = torch::zeros({bags, d}, t.options());
        float* o = out.data_ptr<float>();
        at::parallel_for(0, bags, 64, [&](int64_t begin, int64_t end) {
            for (int64_t b = begin; b < end; ++b) {
                float* row = o + b * d;
                const int64_t last = b + 1 < bags ? off[b + 1] : total;
                sumRows(row, w, it + off[b], last - off[b], nullptr, d);
                const float s = scale[static_cast<size_t>(b)];
                if (s != 1.0f)
                    for (int64_t j = 0; j < d; ++j)
                        row[j] *= s;
            }
        });
        ctx->save_for_backward({items, offsets});
        ctx->saved_data["rows"] = t.size(0);
        ctx->saved_data["mean"] = mean;
        return out;
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto& items = saved[0];
        const auto& offsets = saved[1];
        const int64_t rows = ctx->saved_data["rows"].toInt();
        const bool mean = ctx->saved_data["mean"].toBool();
        const auto g = grads[0].contiguous();
        const int64_t d = g.size(1);
        const int64_t bags = offsets.size(0);
        const int64_t total = items.size(0);
        const int64_t* it = items.data_ptr<int64_t>();
        const int64_t* off = offsets.data_ptr<int64_t>();
        const std::vector<float> scale = bagScales(off, bags, total, mean);
        // The bag of every index, bucketed by row (counting sort, stable: ascending bags).
        std::vector<int64_t> start(static_cast<size_t>(rows) + 1, 0);
        for (int64_t k = 0; k < total; ++k)
            ++start[static_cast<size_t>(it[k]) + 1];
        for (int64_t r = 0; r < rows; ++r)
            start[static_cast<size_t>(r) + 1] += start[static_cast<size_t>(r)];
        std::vector<int64_t> fill(start.begin(), start.end() - 1);
        std::vector<int64_t> bagOf(static_cast<size_t>(total));
        for (int64_t b = 0; b < bags; ++b) {
            const int64_t last = b + 1 < bags ? off[b + 1] : total;
            for (int64_t k = off[b]; k < last; ++k)
                bagOf[static_cast<size_t>(fill[static_cast<size_t>(it[k])]++)] = b;
        }
        auto grad = torch::zeros({rows, d}, g.options());
        float* out = grad.data_ptr<float>();
        const float* gp = g.data_ptr<float>();
        at::parallel_for(0, rows, 256, [&](int64_t begin, int64_t end) {
            for (int64_t r = begin; r < end; ++r) {
                const int64_t first = start[static_cast<size_t>(r)];
                sumRows(out + r * d, gp, bagOf.data() + first,
                        start[static_cast<size_t>(r) + 1] - first, scale.data(), d);
            }
        });
        return {grad, torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

}  // namespace

torch::Tensor bagSum(const torch::Tensor& table, const torch::Tensor& items,
                     const torch::Tensor& offsets, bool mean) {
    if (!table.is_cpu() || table.scalar_type() != torch::kFloat32 || table.dim() != 2) {
        const auto mode = mean ? 1 : 0;  // EmbeddingBag's modes: 0 sum, 1 mean
        return std::get<0>(torch::embedding_bag(table, items, offsets, false, mode));
    }
    TORCH_CHECK(items.dim() == 1 && offsets.dim() == 1, "bagSum: items and offsets are 1-D");
    const auto it = items.to(torch::kLong).contiguous();
    const auto off = offsets.to(torch::kLong).contiguous();
    const int64_t rows = table.size(0);
    const int64_t total = it.size(0);
    const int64_t* ip = it.data_ptr<int64_t>();
    for (int64_t k = 0; k < total; ++k)
        TORCH_CHECK(ip[k] >= 0 && ip[k] < rows, "bagSum: item ", ip[k], " outside the table");
    const int64_t* op = off.data_ptr<int64_t>();
    for (int64_t b = 0; b < off.size(0); ++b)
        TORCH_CHECK(op[b] >= 0 && op[b] <= total && (b == 0 ? op[b] == 0 : op[b] >= op[b - 1]),
                    "bagSum: offsets must ascend from 0 within the items");
    return BagSumFunction::apply(table, it, off, mean);
}

}  // namespace recscope
