#include "core/models/SpdInverse.h"

#include <Eigen/Cholesky>
#include <Eigen/Dense>

namespace recscope {
namespace {

using Block = Eigen::Ref<Eigen::MatrixXf>;
constexpr Eigen::Index kLeaf = 96;

// L lower-triangular -> L^-1 in the lower triangle: [A 0; C D]^-1 = [A^-1 0; -D^-1 C A^-1 D^-1].
void invertLower(Block l) {
    const Eigen::Index n = l.rows();
    if (n <= kLeaf) {
        Eigen::MatrixXf inv = Eigen::MatrixXf::Identity(n, n);
        l.triangularView<Eigen::Lower>().solveInPlace(inv);
        l.triangularView<Eigen::Lower>() = inv;
        return;
    }
    const Eigen::Index n1 = n / 2;
    const Eigen::Index n2 = n - n1;
    auto a = l.topLeftCorner(n1, n1);
    auto c = l.bottomLeftCorner(n2, n1);
    auto d = l.bottomRightCorner(n2, n2);
    d.triangularView<Eigen::Lower>().solveInPlace(c);
    a.triangularView<Eigen::Lower>().solveInPlace<Eigen::OnTheRight>(c);
    c = -c;
    invertLower(a);
    invertLower(d);
}

// T lower-triangular -> T^T T in the lower triangle:
// [A 0; C D]^T [A 0; C D] = [A^T A + C^T C, (D^T C)^T; D^T C, D^T D].
void lowerGram(Block t) {
    const Eigen::Index n = t.rows();
    if (n <= kLeaf) {
        const Eigen::MatrixXf tri = t.triangularView<Eigen::Lower>();
        const Eigen::MatrixXf gram = tri.transpose() * tri;
        t.triangularView<Eigen::Lower>() = gram;
        return;
    }
    const Eigen::Index n1 = n / 2;
    const Eigen::Index n2 = n - n1;
    auto a = t.topLeftCorner(n1, n1);
    auto c = t.bottomLeftCorner(n2, n1);
    auto d = t.bottomRightCorner(n2, n2);
    lowerGram(a);
    a.selfadjointView<Eigen::Lower>().rankUpdate(c.transpose());
    const Eigen::MatrixXf dc = d.triangularView<Eigen::Lower>().transpose() * c;
    c = dc;
    lowerGram(d);
}

}  // namespace

bool invertSpd(Eigen::MatrixXf& a) {
    Eigen::LLT<Eigen::Ref<Eigen::MatrixXf>> llt(a);  // in place: L in the lower triangle
    if (llt.info() != Eigen::Success)
        return false;
    invertLower(a);  // L^-1
    lowerGram(a);    // L^-T L^-1 = A^-1
    a.triangularView<Eigen::StrictlyUpper>() = a.transpose();
    return true;
}

}  // namespace recscope
