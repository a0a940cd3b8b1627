#include "core/nn/ChunkedLinear.h"

#include <ATen/Parallel.h>

#include <algorithm>

#include "core/models/Blas.h"

namespace recscope {
namespace {

// Rows per chunk of the intra-op threads' share of a product.
constexpr int64_t kRowGrain = 128;

// Every product below runs in chunks on LibTorch's intra-op threads (at::parallel_for), each
// chunk one BLAS call: inside that OpenMP parallel region OpenBLAS's OpenMP build runs a call on
// the calling thread, so no second pool starts or spins. A chunk that at::parallel_for runs
// inline (too small to split) may still be threaded by the library; it is small.

// y = x w^T + b for contiguous float CPU tensors x (n x in), w (out x in), b (out).
torch::Tensor linearImpl(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) {
    const int64_t n = x.size(0), in = x.size(1), out = w.size(0);
    auto y = torch::empty({n, out}, x.options());
    const float* xp = x.data_ptr<float>();
    const float* wp = w.data_ptr<float>();
    const float* bp = b.data_ptr<float>();
    float* yp = y.data_ptr<float>();
    at::parallel_for(0, n, kRowGrain, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r)
            std::copy(bp, bp + out, yp + r * out);
        blas::gemm(false, true, end - begin, out, in, 1.0f, xp + begin * in, in, wp, in, 1.0f,
                   yp + begin * out, out);
    });
    return y;
}

// torch::linear's forward and backward with the products in chunked BLAS calls (CPU float).
class ChunkedLinearFunction : public torch::autograd::Function<ChunkedLinearFunction> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                                 const torch::Tensor& w, const torch::Tensor& b) {
        auto xc = x.contiguous();
        auto wc = w.contiguous();
        ctx->save_for_backward({xc, wc});
        return linearImpl(xc, wc, b.contiguous());
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
            // dx = g w, by rows.
            dx = torch::empty({n, in}, x.options());
            float* dxp = dx.data_ptr<float>();
            at::parallel_for(0, n, kRowGrain, [&](int64_t begin, int64_t end) {
                blas::gemm(false, false, end - begin, in, out, 1.0f, gp + begin * out, out, wp, in,
                           0.0f, dxp + begin * in, in);
            });
        }
        if (ctx->needs_input_grad(1)) {
            // dw = g^T x sums over the rows: split by output unit (rows of dw) instead.
            dw = torch::empty({out, in}, w.options());
            float* dwp = dw.data_ptr<float>();
            at::parallel_for(0, out, 1, [&](int64_t begin, int64_t end) {
                blas::gemm(true, false, end - begin, in, n, 1.0f, gp + begin, out, xp, in, 0.0f,
                           dwp + begin * in, in);
            });
        }
        if (ctx->needs_input_grad(2))
            db = g.sum(0);
        return {dx, dw, db};
    }
};

}  // namespace

torch::Tensor chunkedLinear(const torch::Tensor& x, const torch::Tensor& w,
                            const torch::Tensor& b) {
    if (x.is_cpu() && x.scalar_type() == torch::kFloat32 && b.defined() && x.dim() == 2)
        return ChunkedLinearFunction::apply(x, w, b);
    return torch::linear(x, w, b);
}

torch::Tensor chunkedLinear(torch::nn::Linear layer, const torch::Tensor& x) {
    auto sizes = x.sizes().vec();
    const auto y = chunkedLinear(x.reshape({-1, sizes.back()}), layer->weight, layer->bias);
    sizes.back() = y.size(1);
    return y.reshape(sizes);
}

torch::Tensor chunkedLinearForward(const torch::Tensor& x, const torch::Tensor& w,
                                   const torch::Tensor& b) {
    if (x.is_cpu() && x.scalar_type() == torch::kFloat32 && b.defined() && x.dim() == 2)
        return linearImpl(x.contiguous(), w.contiguous(), b.contiguous());
    return torch::linear(x, w, b);
}

}  // namespace recscope
