#include "core/nn/EigenLinear.h"

#include <Eigen/Dense>

namespace recscope {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixMap = Eigen::Map<RowMatrix>;
using ConstMatrixMap = Eigen::Map<const RowMatrix>;

// y = x w^T + b for contiguous float CPU tensors x (n x in), w (out x in), b (out).
torch::Tensor eigenLinearImpl(const torch::Tensor& x, const torch::Tensor& w,
                              const torch::Tensor& b) {
    const int64_t n = x.size(0), in = x.size(1), out = w.size(0);
    auto y = torch::empty({n, out}, x.options());
    MatrixMap ym(y.data_ptr<float>(), n, out);
    ym.noalias() = ConstMatrixMap(x.data_ptr<float>(), n, in) *
                   ConstMatrixMap(w.data_ptr<float>(), out, in).transpose();
    ym.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(b.data_ptr<float>(), out);
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
        ConstMatrixMap gm(g.data_ptr<float>(), n, out);
        torch::Tensor dx, dw, db;
        if (ctx->needs_input_grad(0)) {
            dx = torch::empty({n, in}, x.options());
            MatrixMap(dx.data_ptr<float>(), n, in).noalias() =
                gm * ConstMatrixMap(w.data_ptr<float>(), out, in);
        }
        if (ctx->needs_input_grad(1)) {
            dw = torch::empty({out, in}, w.options());
            MatrixMap(dw.data_ptr<float>(), out, in).noalias() =
                gm.transpose() * ConstMatrixMap(x.data_ptr<float>(), n, in);
        }
        if (ctx->needs_input_grad(2)) {
            db = torch::empty({out}, w.options());
            Eigen::Map<Eigen::RowVectorXf>(db.data_ptr<float>(), out) = gm.colwise().sum();
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
