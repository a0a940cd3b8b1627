#pragma once
// y = x w^T + b for CPU float tensors, forward and a hand-written backward (as a
// torch::autograd::Function), for the small linear layers of the NCF nets, the two-tower's
// tower MLPs and SASRec's blocks: each product runs in row chunks on
// LibTorch's intra-op threads, every chunk one single-threaded BLAS call. Measured faster than
// torch::linear for these small products (NeuMF's 4,100 x 64 -> 32 -> 16 layers: the BLAS's
// per-call threading costs more than the product), and than the same chunks in Eigen, whose
// kernels this baseline x86-64 build compiles for SSE2 only (bench_peer, NeuMF on an AVX-512
// machine: 2.05M samples/s chunked BLAS, 1.71M torch::linear, 1.44M Eigen).
// tests/core/tst_ncfgradients.cpp checks the gradients against torch::linear's autograd. CUDA
// tensors, other dtypes and layers without a bias use torch::linear. core/nn only.

#include <torch/torch.h>

namespace recscope {

// Differentiable; x is n x in.
torch::Tensor chunkedLinear(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b);
// The layer applied to the last dimension of x (any number of leading dimensions), as
// layer->forward(x) computes it.
torch::Tensor chunkedLinear(torch::nn::Linear layer, const torch::Tensor& x);
// The forward product only (no autograd), for scoring under NoGradGuard.
torch::Tensor chunkedLinearForward(const torch::Tensor& x, const torch::Tensor& w,
                                   const torch::Tensor& b);

}  // namespace recscope
