#pragma once
// Helpers shared by the models' fold-in (Recommender::scoreHistory) and item-similarity code.
// Free functions, no state, no LibTorch: the torch models call them on CPU copies of their
// tables.

#include <cstdint>
#include <string>
#include <vector>

#include "core/common/Status.h"
#include "core/models/Recommender.h"

namespace recscope {

// The items of `history` a model treats as the user's training row: ids in [0, numItems),
// ascending, duplicates removed. positivesOnly: implicit models keep the positive entries only.
std::vector<int32_t> historyItems(const std::vector<HistoryEntry>& history, int32_t numItems,
                                  bool positivesOnly);

// The error every fold-in returns for a model that is not fitted/loaded yet.
Error notTrainedForFoldIn(const std::string& modelName);

// Cosine of row `item` with rows items[0..n) of a rows x dim row-major table, into out[0..n).
// Ids outside [0, rows) and zero rows give 0.
void embeddingCosines(const float* table, int32_t rows, int32_t dim, int32_t item,
                      const int32_t* items, int64_t n, float* out);

// Ridge solve for one user vector x (dim floats): (gram + sum_k w_k f_k f_k^T) x = sum_k t_k f_k,
// where f_k = row rows[k] of `factors` (numRows x dim, row-major) and gram is dim x dim
// row-major (already holding the regulariser). The fold-in of iALS, MF and BPR.
std::vector<float> solveUserVector(const float* factors, int32_t dim, const float* gram,
                                   const std::vector<int32_t>& rows,
                                   const std::vector<float>& weights,
                                   const std::vector<float>& targets);

}  // namespace recscope
