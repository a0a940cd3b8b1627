#pragma once
// The embedding map's numbers: a 2-D principal-component projection of a model's latent vectors
// (EmbeddingTable) and the cosine nearest neighbours of one of them.
//
// Projection: rows are centred, the covariance's two leading eigenvectors (Eigen's
// SelfAdjointEigenSolver, in double) are the axes, each point's coordinates are its centred
// vector's dot products with them. An eigenvector's sign is arbitrary, so each axis is flipped
// until its largest-magnitude component (lowest index among those within 1e-9) is positive: the
// same table always gives the same picture.
//
// Neighbours: exact cosine search through a Flat inner-product VectorIndex over the L2-normalised
// rows (zero rows stay zero and have cosine 0 with everything).
//
// Thread rules: build() may run on a worker thread; a built Pca is immutable and its const calls
// are safe from several threads at once.

#include <cstdint>
#include <memory>
#include <vector>

#include "core/common/Progress.h"
#include "core/common/Status.h"
#include "core/models/Recommender.h"

namespace recscope {

class VectorIndex;

struct PcaProjection {
    int32_t rows = 0;
    int32_t dim = 0;
    std::vector<float> points;     // rows x 2, row-major: (axis 1, axis 2) per row
    double explained[2] = {0, 0};  // share of the total variance along each axis (0..1)
    std::vector<double> mean;      // dim
    std::vector<double> axes;      // 2 x dim, row-major, unit length (a zero row when dim < 2)
};

struct PcaNeighbour {
    int32_t row = 0;
    float cosine = 0.0f;
};

class Pca {
public:
    ~Pca();
    Pca(Pca&&) noexcept;
    Pca& operator=(Pca&&) noexcept;

    // The projection alone. Errors: an empty table, values that do not match rows x dim, a
    // non-finite value (names its row and column).
    static Result<PcaProjection> project(const EmbeddingTable& table);

    // Projection plus the neighbour index. `cancel` may be null.
    static Result<Pca> build(EmbeddingTable table, const CancelToken* cancel = nullptr);

    const PcaProjection& projection() const { return m_projection; }
    const EmbeddingTable& table() const { return m_table; }

    // The k rows most similar to `row` by cosine, best first, `row` itself left out (so at most
    // rows - 1). Equal cosines: the index's order. Errors: row out of range, k < 1.
    Result<std::vector<PcaNeighbour>> neighbours(int32_t row, int k) const;

private:
    Pca() = default;

    EmbeddingTable m_table;
    PcaProjection m_projection;
    std::vector<float> m_unit;  // rows x dim, L2-normalised
    std::unique_ptr<VectorIndex> m_index;
};

}  // namespace recscope
