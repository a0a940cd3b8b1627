#pragma once
// Top-k cosine neighbours of every row of a binary sparse matrix (items by users for ItemKNN,
// users by items for UserKNN): sim(a, b) = |a ∩ b| / (sqrt(|a| |b|) + shrink). Work is
// sum over columns of (column size)^2, parallel over rows.

#include <cstdint>

#include "core/common/Progress.h"
#include "core/common/Status.h"
#include "core/models/TrainData.h"

namespace recscope {

// rows: entities x features (binary; values ignored); columns = transposed(rows).
// Returns entities x entities with at most k entries per row (self excluded, similarity > 0;
// equal similarities keep the lower id), indices ascending. Error "cancelled" on cancel.
Result<CsrMatrix> cosineNeighbours(const CsrMatrix& rows, const CsrMatrix& columns, int k,
                                   double shrink, const CancelToken* cancel,
                                   const ProgressFn& progress);

}  // namespace recscope
