#include "core/nn/EigenLinear.h"

#include <ATen/Parallel.h>
#include <Eigen/Dense>

namespace recscope {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixMap = Eigen::Map<RowMatrix>;
using ConstMatrixMap = Eigen::Map<const RowMatrix>;

// Rows per chunk of the intra-op threads' share of a product.
constexpr int64_t kRowGrain = 128;

// Every product below runs in chunks on LibTorch's intra-op threads (at::parallel_for), each
// chunk single-threaded in Eigen: inside an OpenMP parallel region Eigen does not split a
// product itself. Its own parallel product waits for its threads in busy loops, which ignore
// OMP_WAIT_POLICY=passive (ThreadPolicy.h): `perf` of NeuMF training beside a build put 77% of
// the time in those two loops. A chunk that at::parallel_for runs inline (too small to split)
// may still be split by Eigen; it is small.

// y = x w^T + b for contiguous float CPU tensors x (n x in), w (out x in), b (out).
torch::Tensor eigenLinearImpl(const torch::Tensor& x, const torch::Tensor& w,
                              const torch::Tensor& b) {
    const int64_t n = x.size(0), in = x.size(1), out = w.size(0);
    auto y = torch::empty({n, out}, x.options());
    const float* xp = x.data_ptr<float>();
    const float* wp = w.data_ptr<float>();
    const float* bp = b.data_ptr<float>();
    float* yp = y.data_ptr<float>();
    at::parallel_for(0, n, kRowGrain, [&](int64_t begin, int64_t end) {
        MatrixMap ym(yp + begin * out, end - begin, out);
        ym.noalias() = ConstMatrixMap(xp + begin * in, end - begin, in) *
                       ConstMatrixMap(wp, out, in).transpose();
        ym.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(bp, out);
    });
    return y;
}

// torch::linear's forward and backward with the products in Eigen (CPU float only).
class EigenLinearFunction : public torch::autograd::Function<EigenLinearFunction> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                                 const torch::Tensor& w, const torch::Tensor& b) {
        auto xc = x.contiguous();
        auto wc = w.contiguous();
        ctx->save_for_backward({xc, wc});
        return eigenLinearImpl(xc, wc, b.contiguous());
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto& x = saved[0];
        const auto& w = saved[1];
        const auto g = grads[0].contiguous();
        const int64_t n = x.size(0), in = x.size(1), out = w.size(0);
        const float* gp = g.data_ptr<float>();
        const float* xp = x.data_ptr<float>();
        const float* wp = w.data_ptr<float>();
        torch::Tensor dx, dw, db;
        if (ctx->needs_input_grad(0)) {
            dx = torch::empty({n, in}, x.options());
            float* dxp = dx.data_ptr<float>();
            at::parallel_for(0, n, kRowGrain, [&](int64_t begin, int64_t end) {
                MatrixMap(dxp + begin * in, end - begin, in).noalias() =
                    ConstMatrixMap(gp + begin * out, end - begin, out) *
                    ConstMatrixMap(wp, out, in);
            });
        }
        if (ctx->needs_input_grad(1)) {
            // dw = g^T x sums over the rows: split by output unit (rows of dw) instead.
            dw = torch::empty({out, in}, w.options());
            float* dwp = dw.data_ptr<float>();
            const ConstMatrixMap gm(gp, n, out);
            const ConstMatrixMap xm(xp, n, in);
            at::parallel_for(0, out, 1, [&](int64_t begin, int64_t end) {
                MatrixMap(dwp + begin * in, end - begin, in).noalias() =
                    gm.middleCols(begin, end - begin).transpose() * xm;
            });
        }
        if (ctx->needs_input_grad(2)) {
            db = torch::empty({out}, w.options());
            Eigen::Map<Eigen::RowVectorXf>(db.data_ptr<float>(), out) =
                ConstMatrixMap(gp, n, out).colwise().sum();
        }
        return {dx, dw, db};
    }
};

}  // namespace

torch::Tensor ncfLinear(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) {
    if (x.is_cpu() && x.scalar_type() == torch::kFloat32)
        return EigenLinearFunction::apply(x, w, b);
    return torch::linear(x, w, b);
}

torch::Tensor eigenLinearForward(const torch::Tensor& x, const torch::Tensor& w,
                                 const torch::Tensor& b) {
    if (x.is_cpu() && x.scalar_type() == torch::kFloat32)
        return eigenLinearImpl(x.contiguous(), w.contiguous(), b.contiguous());
    return torch::linear(x, w, b);
}

}  // namespace recscope
