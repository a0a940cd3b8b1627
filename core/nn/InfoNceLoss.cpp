#include "core/nn/InfoNceLoss.h"

#include <cmath>
#include <unordered_map>
#include <vector>

#include "core/models/TrainData.h"
#include "core/nn/InfoNceTensor.h"

namespace recscope {

torch::Tensor infoNceLossTensor(const torch::Tensor& users, const torch::Tensor& items,
                                const torch::Tensor& userIds, const torch::Tensor& itemIds,
                                const torch::Tensor& itemLogQ, const torch::Tensor& temperature,
                                bool maskCollisions, const torch::Tensor& excluded) {
    auto logits = torch::matmul(users, items.t()) / temperature;
    if (itemLogQ.defined())
        logits = logits - itemLogQ.unsqueeze(0);
    if (maskCollisions) {
        const auto sameItem = itemIds.unsqueeze(1) == itemIds.unsqueeze(0);
        const auto sameUser = userIds.unsqueeze(1) == userIds.unsqueeze(0);
        const auto eye = torch::eye(
            users.size(0), torch::TensorOptions().dtype(torch::kBool).device(users.device()));
        const auto mask = (sameItem | sameUser) & ~eye;
        logits = logits.masked_fill(mask, -std::numeric_limits<float>::infinity());
    }
    if (excluded.defined())
        logits = logits.masked_fill(excluded, -std::numeric_limits<float>::infinity());
    const auto target = torch::arange(users.size(0), userIds.options().dtype(torch::kLong));
    return torch::nn::functional::cross_entropy(logits, target);
}

torch::Tensor seenNegatives(const CsrMatrix& positives, const torch::Tensor& userIds,
                            const torch::Tensor& itemIds) {
    const auto users = userIds.to(torch::kCPU, torch::kLong).contiguous();
    const auto items = itemIds.to(torch::kCPU, torch::kLong).contiguous();
    const int64_t n = items.size(0);
    const int64_t* u = users.data_ptr<int64_t>();
    const int64_t* it = items.data_ptr<int64_t>();
    // The batch's columns of each item.
    std::unordered_map<int64_t, std::vector<int64_t>> columns;
    for (int64_t c = 0; c < n; ++c)
        columns[it[c]].push_back(c);
    auto mask = torch::zeros({n, n}, torch::kBool);
    bool* out = mask.data_ptr<bool>();
    for (int64_t r = 0; r < n; ++r) {
        if (u[r] < 0 || u[r] >= positives.rows)
            continue;
        for (int64_t k = positives.offsets[u[r]]; k < positives.offsets[u[r] + 1]; ++k) {
            const int64_t item = positives.indices[static_cast<size_t>(k)];
            if (item == it[r])
                continue;
            const auto found = columns.find(item);
            if (found != columns.end())
                for (int64_t c : found->second)
                    out[r * n + c] = true;
        }
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
