#pragma once
// The sum or the mean of bags of embedding rows, as torch::embedding_bag (mode sum / mean, no
// per-sample weights) computes it, with a backward pass that buckets the bags' items by a
// counting sort instead of ATen's comparison sort of every index: the two-tower's history bags
// (about 64 items a user, 1,024 users a batch) spent 2.9 ms of an 11 ms batch in that sort
// (LibTorch profiler, ML-100K, 2 threads). CPU float tables; other devices and dtypes use
// torch::embedding_bag. Include only from core/nn/*.cpp.

#include <torch/torch.h>

namespace recscope {

// table: N x d; items: flat int64 row ids (each in [0, N)); offsets: B int64 bag starts
// (ascending, offsets[0] = 0, the last bag ends at items.size(0)). Returns B x d: each bag's
// sum, or with `mean` its sum / size (an empty bag gives zeros). Differentiable in table; the
// gradient is dense (N x d).
torch::Tensor bagSum(const torch::Tensor& table, const torch::Tensor& items,
                     const torch::Tensor& offsets, bool mean);

}  // namespace recscope
