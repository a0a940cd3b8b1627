#pragma once
// Tensor form of the InfoNCE loss defined in InfoNceLoss.h. Include only from core/nn/*.cpp
// (LibTorch translation units).

#include <torch/torch.h>

namespace recscope {

struct CsrMatrix;

// users, items: B x d float. userIds, itemIds: B (int64). itemLogQ: B float, or an undefined
// tensor for no correction. temperature: a positive scalar tensor (may require grad when
// learned). excluded: B x B bool, or undefined: pairs (row, column) that are no negative
// either (the diagonal must be false). Returns the mean loss (scalar), differentiable in
// users, items and temperature.
torch::Tensor infoNceLossTensor(const torch::Tensor& users, const torch::Tensor& items,
                                const torch::Tensor& userIds, const torch::Tensor& itemIds,
                                const torch::Tensor& itemLogQ, const torch::Tensor& temperature,
                                bool maskCollisions, const torch::Tensor& excluded = {});

// For mask_seen: B x B bool on the CPU, true at (r, c) when itemIds[c] is one of user
// userIds[r]'s items in `positives` (a row per user) other than itemIds[r] itself, so the
// diagonal is false. A row whose user is outside the matrix marks nothing.
torch::Tensor seenNegatives(const CsrMatrix& positives, const torch::Tensor& userIds,
                            const torch::Tensor& itemIds);

}  // namespace recscope
