#pragma once
// The few BLAS / LAPACK routines the classic models call directly, with row-major C++
// signatures. They bind to whatever libblas.so.3 / liblapack.so.3 the process loads (OpenBLAS
// through Debian's alternatives; see core/common/BuildInfo.h), which is several times faster
// than Eigen's own kernels in this baseline-x86-64 build. Thread-safe as the library is
// (OpenBLAS: yes); the library's own thread pool does the parallel work.

#include <cstdint>

namespace recscope::blas {

// C (m x n) = alpha * A (m x k) * B^T (n x k) + beta * C; all row-major with the given leading
// dimensions (elements between rows).
void gemmNT(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
            const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// C (m x n) = alpha * op(A) * op(B) + beta * C, row-major; op(X) = X^T where trans* says so.
// A is m x k (k x m when transA), B is k x n (n x k when transB).
void gemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// C (cols x cols, row-major) = A^T A for row-major A (rows x cols, leading dimension lda): a
// Gram matrix. Through the library, not Eigen: Eigen's own parallel product waits for its
// threads in busy loops whatever OMP_WAIT_POLICY says, which took 21% of iALS's time beside
// one busy process (`perf`, ml-latest-small, 256 factors).
void gram(int64_t rows, int64_t cols, const float* a, int64_t lda, float* c);

// In-place inverse of a symmetric positive-definite n x n matrix (row- or column-major alike:
// it is symmetric) by Cholesky (spotrf + spotri); the full symmetric inverse is written back.
// False (a undefined) when a is not positive definite. n * n must fit in a 32-bit LAPACK
// index: n <= 46340.
bool invertSpd(float* a, int64_t n);

}  // namespace recscope::blas
