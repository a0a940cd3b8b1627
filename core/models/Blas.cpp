#include "core/models/Blas.h"

#include <algorithm>
#include <stdexcept>

// Fortran BLAS / LAPACK (LP64): every argument by pointer, column-major.
extern "C" {
void sgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
            const float* alpha, const float* a, const int* lda, const float* b, const int* ldb,
            const float* beta, float* c, const int* ldc);
void spotrf_(const char* uplo, const int* n, float* a, const int* lda, int* info);
void spotri_(const char* uplo, const int* n, float* a, const int* lda, int* info);
}

namespace recscope::blas {
namespace {
int lp64(int64_t v) {
    if (v < 0 || v > 2147483647)
        throw std::length_error("matrix dimension beyond a 32-bit BLAS index");
    return static_cast<int>(v);
}
}  // namespace

void gemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
    if (m <= 0 || n <= 0)
        return;
    // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T, and a row-major matrix
    // is its column-major transpose: pass B first, each with its own transposition flag.
    const int mm = lp64(n), nn = lp64(m), kk = lp64(k);
    const int la = lp64(ldb), lb = lp64(lda), lc = lp64(ldc);
    sgemm_(transB ? "T" : "N", transA ? "T" : "N", &mm, &nn, &kk, &alpha, b, &la, a, &lb, &beta, c,
           &lc);
}

void gemmNT(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
            const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
    gemm(false, true, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void gram(int64_t rows, int64_t cols, const float* a, int64_t lda, float* c) {
    if (cols <= 0)
        return;
    if (rows <= 0) {
        std::fill(c, c + cols * cols, 0.0f);
        return;
    }
    // Row-major A is column-major A^T (cols x rows): C = A^T (A^T)^T, symmetric, so its
    // column-major layout is the row-major one.
    const int n = lp64(cols), k = lp64(rows), la = lp64(lda);
    const float one = 1.0f, zero = 0.0f;
    sgemm_("N", "T", &n, &n, &k, &one, a, &la, a, &la, &zero, c, &n);
}

bool invertSpd(float* a, int64_t n) {
    if (n <= 0)
        return true;
    const int nn = lp64(n);
    lp64(n * n);
    int info = 0;
    spotrf_("L", &nn, a, &nn, &info);
    if (info != 0)
        return false;
    spotri_("L", &nn, a, &nn, &info);
    if (info != 0)
        return false;
    // Column-major lower triangle written: mirror it into the upper one, in tiles so that both
    // sides stay in cache.
    constexpr int64_t kTile = 64;
#pragma omp parallel for schedule(dynamic, 1)
    for (int64_t jb = 0; jb < n; jb += kTile)
        for (int64_t ib = jb; ib < n; ib += kTile)
            for (int64_t j = jb; j < std::min(n, jb + kTile); ++j)
                for (int64_t i = std::max(ib, j + 1); i < std::min(n, ib + kTile); ++i)
                    a[i * n + j] = a[j * n + i];
    return true;
}

}  // namespace recscope::blas
