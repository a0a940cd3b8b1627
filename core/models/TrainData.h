#pragma once
// What a model trains on: the training part of a Split as sparse matrices, built once and
// shared by every model of a run.

#include <cstdint>
#include <vector>

namespace recscope {

class Dataset;
struct Split;

// Compressed sparse rows, row-major; column indices ascending within a row.
struct CsrMatrix {
    int32_t rows = 0;
    int32_t cols = 0;
    std::vector<int64_t> offsets{0};  // rows + 1
    std::vector<int32_t> indices;
    std::vector<float> values;

    int64_t nnz() const { return static_cast<int64_t>(indices.size()); }
    int64_t rowSize(int32_t r) const { return offsets[r + 1] - offsets[r]; }
};

// The transpose (e.g. items x users from users x items); indices ascending within each row.
CsrMatrix transposed(const CsrMatrix& m);

struct TrainData {
    const Split* split = nullptr;
    const Dataset* dataset = nullptr;  // for item metadata; may be null
    int32_t numUsers = 0;
    int32_t numItems = 0;
    CsrMatrix positives;   // users x items, train ratings >= threshold, value = rating
    CsrMatrix allRatings;  // users x items, every train rating, value = rating
    std::vector<int64_t> itemPopularity;  // training-positive count per item

    // The training part of what every list of this run leaves out under the split's rule
    // (core/eval/Exclusion.h): `positives` under ExcludeRule::Positives, `allRatings` under
    // Rated. A staged model may skip these items when it picks its candidates (never more);
    // lists themselves are filtered by excludedItems() alone. Positives when there is no split.
    const CsrMatrix& listExclusion() const;

    static TrainData build(const Split& split, const Dataset* dataset);
};

}  // namespace recscope
