#pragma once
// y = x w^T + b for CPU float tensors with the products in Eigen, forward and a hand-written
// backward (as a torch::autograd::Function), for the NCF nets' MLP layers. Measured faster than
// torch::linear on OpenBLAS for these small products (NeuMF's 4,100 x 64 -> 32 -> 16 layers:
// OpenBLAS's per-call threading costs more than the product); tests/core/tst_ncfgradients.cpp
// checks the gradients against torch::linear's autograd. CUDA tensors and other dtypes use
// torch::linear. core/nn only.

#include <torch/torch.h>

namespace recscope {

// Differentiable: the NCF forward pass.
torch::Tensor ncfLinear(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b);
// The forward product only (no autograd), for scoring under NoGradGuard.
torch::Tensor eigenLinearForward(const torch::Tensor& x, const torch::Tensor& w,
                                 const torch::Tensor& b);

}  // namespace recscope
