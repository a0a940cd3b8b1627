#pragma once
// Tensor form of the InfoNCE loss defined in InfoNceLoss.h. Include only from core/nn/*.cpp
// (LibTorch translation units).

#include <torch/torch.h>

namespace recscope {

// users, items: B x d float. userIds, itemIds: B (int64). itemLogQ: B float, or an undefined
// tensor for no correction. temperature: a positive scalar tensor (may require grad when
// learned). Returns the mean loss (scalar), differentiable in users, items and temperature.
torch::Tensor infoNceLossTensor(const torch::Tensor& users, const torch::Tensor& items,
                                const torch::Tensor& userIds, const torch::Tensor& itemIds,
                                const torch::Tensor& itemLogQ, const torch::Tensor& temperature,
                                bool maskCollisions);

}  // namespace recscope
