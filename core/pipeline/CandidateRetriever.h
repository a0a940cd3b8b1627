#pragma once
// First stage of the two-stage pipeline: each user's top-N items from a VectorIndex, skipping
// items listed for that user in an exclusion matrix. The same call mines the ranker's hard
// negatives (exclusion = the user's training positives, so a mined item is never a positive)
// and builds the pipeline's candidates (exclusion = everything the user has rated).

#include <cstdint>
#include <vector>

#include "core/common/Progress.h"
#include "core/common/Status.h"

namespace recscope {

class VectorIndex;
struct CsrMatrix;

struct CandidateLists {
    int32_t perUser = 0;         // N: row width
    std::vector<int32_t> users;  // queried users, in the order given
    std::vector<int32_t> items;  // users.size() x N, row-major; -1 pads a short row
    std::vector<float> scores;   // same shape; index scores (inner products), descending

    const int32_t* row(size_t k) const { return items.data() + k * static_cast<size_t>(perUser); }
    // Number of real (non-padding) entries of row k.
    int32_t rowLength(size_t k) const;
};

// queries: n x index.dim() row-major, one per users[k]. exclude: rows indexed by user id with
// ascending column indices (TrainData's CsrMatrix), or null; users beyond its rows exclude
// nothing. Searches in chunks of `chunkUsers`, asking the index for N + (largest exclusion row
// of the chunk) so that N survivors remain whenever the catalogue allows. Cancel between
// chunks returns "cancelled".
Result<CandidateLists> retrieveCandidates(const VectorIndex& index, const float* queries,
                                          const int32_t* users, int64_t n, const CsrMatrix* exclude,
                                          int32_t topN, const CancelToken* cancel = nullptr,
                                          int64_t chunkUsers = 256);

}  // namespace recscope
