#include "core/index/VectorIndex.h"

#include <faiss/AutoTune.h>
#include <faiss/Index.h>
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVF.h>
#include <faiss/index_factory.h>

#include <algorithm>
#include <limits>
#include <unordered_set>
#include <vector>

namespace recscope {

namespace {

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos)
        return {};
    const auto e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
}

// Only the three families the product documents; FAISS would accept far more, but PQ variants
// change what "score" means and are not tested here.
bool supportedFactory(const std::string& f) {
    return f == "Flat" || f == "auto" ||
           (f.rfind("IVF", 0) == 0 && f.size() > 8 && f.compare(f.size() - 5, 5, ",Flat") == 0) ||
           f.rfind("HNSW", 0) == 0;
}

}  // namespace

VectorIndex::~VectorIndex() = default;
VectorIndex::VectorIndex(VectorIndex&&) noexcept = default;
VectorIndex& VectorIndex::operator=(VectorIndex&&) noexcept = default;

Result<VectorIndex> VectorIndex::create(const std::string& factory, int dim) {
    if (dim <= 0)
        return makeError("index dimension must be positive, got " + std::to_string(dim));
    VectorIndex index;
    const auto bar = factory.find('|');
    index.m_factory = trim(factory.substr(0, bar));
    if (bar != std::string::npos)
        index.m_searchParams = trim(factory.substr(bar + 1));
    if (!supportedFactory(index.m_factory))
        return makeError("unknown index type '" + index.m_factory +
                         "': expected Flat, IVF<cells>,Flat, HNSW<links> or auto");
    index.m_dim = dim;
    // Parse eagerly so that a bad string fails at configuration, not after training.
    if (index.m_factory != "auto") {
        try {
            std::unique_ptr<faiss::Index> probe(
                faiss::index_factory(dim, index.m_factory.c_str(), faiss::METRIC_INNER_PRODUCT));
        } catch (const std::exception& e) {
            return makeError("index type '" + index.m_factory + "': " + e.what());
        }
    }
    return index;
}

int64_t VectorIndex::size() const {
    return m_index ? m_index->ntotal : 0;
}

Status VectorIndex::build(const float* vectors, int64_t n) {
    if (n <= 0 || !vectors)
        return makeError("index build needs at least one vector");
    std::string factory = m_factory;
    if (factory == "auto")
        factory = n < kAutoExactLimit ? "Flat" : "HNSW32";
    try {
        std::unique_ptr<faiss::Index> index(
            faiss::index_factory(m_dim, factory.c_str(), faiss::METRIC_INNER_PRODUCT));
        std::string params = m_searchParams;
        if (auto* ivf = dynamic_cast<faiss::IndexIVF*>(index.get())) {
            if (n < static_cast<int64_t>(ivf->nlist))
                return makeError("index '" + factory + "' has " + std::to_string(ivf->nlist) +
                                 " cells but only " + std::to_string(n) +
                                 " vectors to train them; use fewer cells or Flat");
            ivf->nprobe = std::min<size_t>(16, ivf->nlist);
            ivf->cp.verbose = false;
        }
        if (auto* hnsw = dynamic_cast<faiss::IndexHNSW*>(index.get())) {
            hnsw->hnsw.efConstruction = 80;
            hnsw->hnsw.efSearch = 64;
        }
        if (!index->is_trained)
            index->train(n, vectors);
        index->add(n, vectors);
        if (!params.empty()) {
            faiss::ParameterSpace space;
            space.set_index_parameters(index.get(), params.c_str());
        }
        m_exact = factory == "Flat";
        m_description = params.empty() ? factory : factory + "|" + params;
        m_index = std::move(index);
    } catch (const std::exception& e) {
        return makeError("index '" + factory + "' build failed: " + e.what());
    }
    return {};
}

Status VectorIndex::search(const float* queries, int64_t nq, int k, int64_t* ids,
                           float* scores) const {
    if (!m_index || m_index->ntotal == 0)
        return makeError("index search before build");
    if (k <= 0)
        return makeError("index search needs k > 0, got " + std::to_string(k));
    if (nq <= 0)
        return {};
    try {
        static_assert(sizeof(faiss::Index::idx_t) == sizeof(int64_t), "FAISS id type");
        m_index->search(nq, queries, k, scores, reinterpret_cast<faiss::Index::idx_t*>(ids));
    } catch (const std::exception& e) {
        return makeError(std::string("index search failed: ") + e.what());
    }
    // FAISS pads missing results with id -1 and a sentinel score; make the sentinel uniform.
    for (int64_t i = 0; i < nq * k; ++i)
        if (ids[i] < 0)
            scores[i] = -std::numeric_limits<float>::infinity();
    return {};
}

Result<double> measureRecall(const VectorIndex& index, const float* vectors, int64_t n,
                             const float* queries, int64_t nq, int k) {
    if (nq <= 0 || k <= 0)
        return makeError("recall needs queries and k > 0");
    if (index.size() != n)
        return makeError("recall: index holds " + std::to_string(index.size()) + " vectors but " +
                         std::to_string(n) + " were given");
    auto exact = VectorIndex::create("Flat", index.dim());
    if (!exact)
        return exact.error();
    if (auto st = exact->build(vectors, n); !st)
        return st.error();
    const size_t total = static_cast<size_t>(nq) * static_cast<size_t>(k);
    std::vector<int64_t> idsA(total), idsE(total);
    std::vector<float> scA(total), scE(total);
    if (auto st = index.search(queries, nq, k, idsA.data(), scA.data()); !st)
        return st.error();
    if (auto st = exact->search(queries, nq, k, idsE.data(), scE.data()); !st)
        return st.error();
    const int64_t kk = std::min<int64_t>(k, n);
    double sum = 0.0;
    std::unordered_set<int64_t> truth;
    for (int64_t q = 0; q < nq; ++q) {
        truth.clear();
        for (int64_t j = 0; j < kk; ++j)
            truth.insert(idsE[static_cast<size_t>(q * k + j)]);
        int64_t hits = 0;
        for (int64_t j = 0; j < kk; ++j)
            hits += truth.count(idsA[static_cast<size_t>(q * k + j)]) ? 1 : 0;
        sum += static_cast<double>(hits) / static_cast<double>(kk);
    }
    return sum / static_cast<double>(nq);
}

}  // namespace recscope
