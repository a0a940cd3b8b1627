#pragma once
// Softmax cross-entropy over the whole catalogue, with the product and its gradient fused: one
// P x N buffer serves as the logits in the forward pass and becomes their gradient in the
// backward pass. SASRec's full-softmax objective. Include only from core/nn/*.cpp (LibTorch
// translation units).

#include <torch/torch.h>

namespace recscope {

// hidden: P x d float, table: N x d float (the item embeddings), on one device.
// targets: P x H int64, a row's items to predict; real: P x H bool, which of them count (a false
// cell's target is ignored, whatever it holds). excluded: P x N bool on the same device, or
// undefined: items left out of that row's softmax (a row's real targets must not be excluded).
// Returns sum over cells with real true of -log softmax(hidden[p] . table^T)[targets[p][h]],
// the softmax taken over the items not excluded. It equals log_softmax + gather + sum with the
// same mask, differentiable in hidden and table (not twice: the backward pass reuses the logits'
// buffer in place, so a graph kept with retain_graph cannot run backward a second time).
torch::Tensor catalogueCrossEntropy(const torch::Tensor& hidden, const torch::Tensor& table,
                                    const torch::Tensor& targets, const torch::Tensor& real,
                                    const torch::Tensor& excluded = {});

}  // namespace recscope
