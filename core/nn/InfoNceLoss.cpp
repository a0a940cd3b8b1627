#include "core/nn/InfoNceLoss.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/models/TrainData.h"
#include "core/nn/CatalogueSoftmax.h"
#include "core/nn/InfoNceTensor.h"

namespace recscope {

torch::Tensor infoNceLossTensor(const torch::Tensor& users, const torch::Tensor& items,
                                const torch::Tensor& userIds, const torch::Tensor& itemIds,
                                const torch::Tensor& itemLogQ, const torch::Tensor& temperature,
                                bool maskCollisions, const torch::Tensor& excluded) {
    const int64_t b = users.size(0);
    const auto boolOptions = torch::TensorOptions().dtype(torch::kBool).device(users.device());
    torch::Tensor mask;
    if (maskCollisions) {
        const auto sameItem = itemIds.unsqueeze(1) == itemIds.unsqueeze(0);
        const auto sameUser = userIds.unsqueeze(1) == userIds.unsqueeze(0);
        mask = (sameItem | sameUser) & ~torch::eye(b, boolOptions);
    }
    if (excluded.defined())
        mask = mask.defined() ? mask | excluded : excluded;
    // logits = users items^T / T - logQ as one product of [users / T, 1] and [items, -logQ],
    // through the fused softmax cross-entropy (CatalogueSoftmax.h): the B x B logits are one
    // buffer that the backward pass turns into their gradient, not a dozen elementwise passes.
    auto hidden = users / temperature;
    auto table = items;
    if (itemLogQ.defined()) {
        hidden = torch::cat({hidden, torch::ones({b, 1}, hidden.options())}, 1);
        table = torch::cat({table, -itemLogQ.to(table.scalar_type()).unsqueeze(1)}, 1);
    }
    const auto targets =
        torch::arange(b, torch::TensorOptions().dtype(torch::kLong).device(users.device()))
            .unsqueeze(1);
    const auto real = torch::ones({b, 1}, boolOptions);
    return catalogueCrossEntropy(hidden, table, targets, real, mask) / static_cast<double>(b);
}

torch::Tensor seenNegatives(const CsrMatrix& positives, const torch::Tensor& userIds,
                            const torch::Tensor& itemIds) {
    const auto users = userIds.to(torch::kCPU, torch::kLong).contiguous();
    const auto items = itemIds.to(torch::kCPU, torch::kLong).contiguous();
    const int64_t n = items.size(0);
    const int64_t* u = users.data_ptr<int64_t>();
    const int64_t* it = items.data_ptr<int64_t>();
    // The batch's columns ordered by item, for equal_range.
    std::vector<std::pair<int64_t, int64_t>> byItem;
    byItem.reserve(static_cast<size_t>(n));
    for (int64_t c = 0; c < n; ++c)
        byItem.emplace_back(it[c], c);
    std::sort(byItem.begin(), byItem.end());
    auto columnsOf = [&](int64_t item) {
        return std::equal_range(byItem.begin(), byItem.end(), std::make_pair(item, int64_t(0)),
                                [](const auto& a, const auto& b) { return a.first < b.first; });
    };
    auto mask = torch::zeros({n, n}, torch::kBool);
    bool* out = mask.data_ptr<bool>();
    // Every column of an item the row's user liked: read from the matrix once per user (the
    // attention tower's rows come in windows of one user), copied to the user's other rows.
    std::unordered_map<int64_t, int64_t> firstRow;
    for (int64_t r = 0; r < n; ++r) {
        if (u[r] < 0 || u[r] >= positives.rows)
            continue;
        const auto [first, fresh] = firstRow.emplace(u[r], r);
        bool* row = out + r * n;
        if (!fresh) {
            std::copy_n(out + first->second * n, n, row);
            continue;
        }
        for (int64_t k = positives.offsets[u[r]]; k < positives.offsets[u[r] + 1]; ++k) {
            const auto [begin, end] = columnsOf(positives.indices[static_cast<size_t>(k)]);
            for (auto e = begin; e != end; ++e)
                row[e->second] = true;
        }
    }
    // Then no row's own item is excluded.
    for (int64_t r = 0; r < n; ++r) {
        const auto [begin, end] = columnsOf(it[r]);
        for (auto e = begin; e != end; ++e)
            out[r * n + e->second] = false;
    }
    return mask;
}

Result<double> infoNceLoss(const float* userVecs, const float* itemVecs, int64_t batch, int dim,
                           const int32_t* userIds, const int32_t* itemIds, const float* itemLogQ,
                           const InfoNceOptions& options) {
    if (batch <= 0 || dim <= 0)
        return makeError("InfoNCE needs a non-empty batch and dim > 0");
    if (!(options.temperature > 0.0) || !std::isfinite(options.temperature))
        return makeError("InfoNCE temperature must be positive and finite");
    if (options.logQ && !itemLogQ)
        return makeError("InfoNCE logQ correction needs the items' log sampling probabilities");
    try {
        torch::NoGradGuard noGrad;
        const auto f = torch::TensorOptions().dtype(torch::kFloat);
        const auto i32 = torch::TensorOptions().dtype(torch::kInt);
        auto u = torch::from_blob(const_cast<float*>(userVecs), {batch, dim}, f).clone();
        auto v = torch::from_blob(const_cast<float*>(itemVecs), {batch, dim}, f).clone();
        auto uid = torch::from_blob(const_cast<int32_t*>(userIds), {batch}, i32).to(torch::kLong);
        auto iid = torch::from_blob(const_cast<int32_t*>(itemIds), {batch}, i32).to(torch::kLong);
        torch::Tensor lq;
        if (options.logQ)
            lq = torch::from_blob(const_cast<float*>(itemLogQ), {batch}, f).clone();
        const auto t = torch::tensor(options.temperature, f);
        return infoNceLossTensor(u, v, uid, iid, lq, t, options.maskCollisions).item<double>();
    } catch (const std::exception& e) {
        return makeError(std::string("InfoNCE: ") + e.what());
    }
}

}  // namespace recscope
