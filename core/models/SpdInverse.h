#pragma once
// In-place inverse of a symmetric positive-definite matrix by Cholesky, blocked so that nearly
// all the work is matrix-matrix products (about n^3 multiply-adds instead of the 2.3 n^3 of
// solving against the identity). Exact up to float rounding; no approximation.

#include <Eigen/Core>

namespace recscope {

// a: n x n SPD (only its lower triangle is read). On success a holds the full symmetric
// inverse and true is returned; false (a undefined) when a is not positive definite.
bool invertSpd(Eigen::MatrixXf& a);

}  // namespace recscope
