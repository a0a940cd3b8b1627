#pragma once
// InfoNCE over in-batch negatives, the two-tower retriever's loss (seed 000). Row i of a batch
// is a (user, item) positive; every other row's item is a negative for it. For row i:
//     logit(i, j) = <u_i, v_j> / temperature  -  (logQ ? log q(item_j) : 0)
//     loss_i      = -logit(i, i) + log sum_{j not masked} exp(logit(i, j))
// With collision masking, column j != i is masked for row i when item_j == item_i (the same
// item is not its own negative) or user_j == user_i (another positive of the same user is not
// a negative either). The batch loss is the mean of loss_i. The logQ correction (Yi et al.,
// RecSys 2019) subtracts the log sampling probability of each column's item from every logit
// of that column, the positive included, so popular items are not over-penalised.
//
// This header is torch-free: the float version below exists for tests and tools; the trainer
// uses the tensor version in InfoNceTensor.h, which computes the same value.

#include <cstdint>

#include "core/common/Status.h"

namespace recscope {

struct InfoNceOptions {
    double temperature = 0.05;  // > 0
    bool maskCollisions = true;
    bool logQ = false;  // needs itemLogQ
};

// userVecs, itemVecs: batch x dim row-major, used as given (the towers normalise them).
// userIds, itemIds: batch ids. itemLogQ: batch values log q(item of row j), or null when
// options.logQ is off. Returns the mean loss.
Result<double> infoNceLoss(const float* userVecs, const float* itemVecs, int64_t batch, int dim,
                           const int32_t* userIds, const int32_t* itemIds, const float* itemLogQ,
                           const InfoNceOptions& options);

}  // namespace recscope
