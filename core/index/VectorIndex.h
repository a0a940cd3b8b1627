#pragma once
// Maximum-inner-product search over item vectors (FAISS underneath), chosen by a factory string
// so that a configuration is reproducible from text:
//   "Flat"                exact search (IndexFlatIP)
//   "IVF256,Flat"         inverted lists, 256 k-means cells (needs >= 256 vectors)
//   "HNSW32"              graph index, 32 links per node
//   "auto"                "Flat" below kAutoExactLimit vectors, else "HNSW32"
// Search parameters may follow a '|': "IVF256,Flat|nprobe=32", "HNSW32|efSearch=128" (FAISS
// ParameterSpace syntax). Defaults chosen here: IVF nprobe = 16, HNSW efConstruction = 80 and
// efSearch = 64, because FAISS's own defaults (1 and 16) give poor recall.
//
// Vectors are L2-normalised by the caller when cosine is wanted; the index scores by raw inner
// product. Ids are row numbers 0..n-1 of the vectors given to build().
//
// Thread rules: build() on one thread; after it, search() may run from several threads at once
// (FAISS itself parallelises a batch with OpenMP).

#include <cstdint>
#include <memory>
#include <string>

#include "core/common/Status.h"

namespace faiss {
struct Index;
}

namespace recscope {

class VectorIndex {
public:
    static constexpr int64_t kAutoExactLimit = 50000;

    ~VectorIndex();
    VectorIndex(VectorIndex&&) noexcept;
    VectorIndex& operator=(VectorIndex&&) noexcept;

    // Checks the string and the dimension; no vectors yet. Errors name the bad part.
    static Result<VectorIndex> create(const std::string& factory, int dim);

    // vectors: n x dim, row-major, read only during the call. Replaces any previous content.
    // IVF trains its cells on these vectors; fewer vectors than cells is an error.
    Status build(const float* vectors, int64_t n);

    // queries: nq x dim row-major. ids and scores: nq x k, row-major, caller-owned. Rows are in
    // descending score order; when fewer than k results exist the tail holds id -1 and score
    // -infinity. k <= 0 or an empty index is an error.
    Status search(const float* queries, int64_t nq, int k, int64_t* ids, float* scores) const;

    int dim() const { return m_dim; }
    int64_t size() const;
    // The factory string actually used ("auto" resolved), with search parameters.
    const std::string& description() const { return m_description; }
    bool exact() const { return m_exact; }

private:
    VectorIndex() = default;

    std::unique_ptr<faiss::Index> m_index;
    std::string m_factory;      // as given (may be "auto")
    std::string m_description;  // resolved
    std::string m_searchParams;
    int m_dim = 0;
    bool m_exact = false;
};

// recall@k of `index` against exact inner-product search on the same vectors: the mean over
// queries of |approx top-k ∩ exact top-k| / k. vectors: n x dim (the ones the index was built
// from); queries: nq x dim.
Result<double> measureRecall(const VectorIndex& index, const float* vectors, int64_t n,
                             const float* queries, int64_t nq, int k);

}  // namespace recscope
