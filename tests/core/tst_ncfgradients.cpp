// Hand-written gradients of the NCF models checked against LibTorch autograd: the chunked linear
// layer's backward (chunkedLinear) against torch::linear's, and the fold-in's backward pass
// (NcfFoldIn::lossAndGradient, what-if users of NeuralMF and NeuMF) against autograd through
// the net's own forward().

// LibTorch before Qt: Qt's `slots` macro breaks LibTorch's headers.
#include <torch/torch.h>
// clang-format off
#include <QtTest>
// clang-format on

#include <cmath>
#include <vector>

#include "core/nn/ChunkedLinear.h"
#include "core/nn/NcfFoldIn.h"
#include "core/nn/NcfNet.h"

using namespace recscope;

namespace {

NcfShape shape(int64_t gmf, int64_t mlp, std::vector<int64_t> hidden) {
    NcfShape s;
    s.users = 3;
    s.items = 20;
    s.gmfDim = gmf;
    s.mlpDim = mlp;
    s.hidden = std::move(hidden);
    return s;
}

}  // namespace

class TestNcfGradients : public QObject {
    Q_OBJECT
private slots:
    void chunkedLinearGradientsMatchTorchLinear_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("threads");
        QTest::newRow("37 rows, 1 thread") << 37 << 1;
        // Split into chunks on the intra-op threads (forward, dx by rows; dw by output unit).
        QTest::newRow("2,000 rows, 2 threads") << 2000 << 2;
        QTest::newRow("2,000 rows, 1 thread") << 2000 << 1;
    }
    void chunkedLinearGradientsMatchTorchLinear() {
        QFETCH(int, rows);
        QFETCH(int, threads);
        const int before = at::get_num_threads();
        at::set_num_threads(threads);
        torch::manual_seed(3);
        const auto x0 = torch::randn({rows, 13});
        const auto w0 = torch::randn({5, 13});
        const auto b0 = torch::randn({5});
        const auto up = torch::randn({rows, 5});  // a fixed upstream gradient
        torch::Tensor grads[2][3];
        for (int k = 0; k < 2; ++k) {
            auto x = x0.clone().requires_grad_();
            auto w = w0.clone().requires_grad_();
            auto b = b0.clone().requires_grad_();
            auto y = k == 0 ? chunkedLinear(x, w, b) : torch::linear(x, w, b);
            (y * up).sum().backward();
            grads[k][0] = x.grad();
            grads[k][1] = w.grad();
            grads[k][2] = b.grad();
            if (k == 0)
                QVERIFY(torch::allclose(y, torch::linear(x0, w0, b0), 1e-5, 1e-5));
        }
        at::set_num_threads(before);
        // Without a bias: torch::linear's own result.
        QVERIFY(torch::allclose(chunkedLinear(x0, w0, torch::Tensor()), torch::linear(x0, w0)));
        for (int g = 0; g < 3; ++g) {
            QVERIFY(grads[1][g].abs().sum().item<float>() > 0.0f);
            // dw sums `rows` products: a longer sum carries a larger rounding error.
            QVERIFY2(torch::allclose(grads[0][g], grads[1][g], 1e-4, rows > 100 ? 1e-4 : 1e-5),
                     qPrintable(QString("gradient %1").arg(g)));
        }
    }

    void foldInGradientMatchesAutograd_data() {
        QTest::addColumn<int>("gmf");
        QTest::addColumn<int>("mlp");
        QTest::addColumn<int>("layers");
        QTest::newRow("neuralmf: mlp only") << 0 << 8 << 1;
        QTest::newRow("neumf: gmf + 2-layer mlp") << 4 << 8 << 2;
        QTest::newRow("neumf: gmf + 3-layer mlp") << 6 << 12 << 3;
        QTest::newRow("gmf only") << 5 << 0 << 0;
    }

    void foldInGradientMatchesAutograd() {
        QFETCH(int, gmf);
        QFETCH(int, mlp);
        QFETCH(int, layers);
        torch::manual_seed(7);
        std::vector<int64_t> hidden;
        for (int l = layers - 1; l >= 0; --l)
            hidden.push_back(int64_t(4) << l);
        NcfNet net(shape(gmf, mlp, hidden));
        {
            // Embeddings of the size training reaches (the 0.01 initial ones would leave every
            // product near zero), biases away from zero.
            torch::NoGradGuard noGrad;
            for (auto& p : net->parameters())
                p.normal_(0.0, 0.5);
        }
        NcfFoldIn foldIn(*net);
        QCOMPARE(foldIn.gmfDim(), int64_t(gmf));
        QCOMPARE(foldIn.mlpDim(), int64_t(mlp));

        const std::vector<int32_t> items{3, 7, 7, 0, 19, 11, 5, 2, 13, 8, 16, 1};
        std::vector<float> labels(items.size(), 0.0f);
        labels[0] = labels[1] = labels[5] = 1.0f;
        Eigen::VectorXf theta = Eigen::VectorXf::Random(gmf + mlp);
        Eigen::VectorXf grad;
        const double loss =
            foldIn.lossAndGradient(theta, items.data(), labels.data(), int64_t(items.size()), grad);

        // Reference: the user's row 0 set to theta, autograd through forward().
        {
            torch::NoGradGuard noGrad;
            if (gmf > 0)
                net->gmfUserWeight()[0].copy_(torch::from_blob(theta.data(), {gmf}));
            if (mlp > 0)
                net->mlpUserWeight()[0].copy_(torch::from_blob(theta.data() + gmf, {mlp}));
        }
        net->zero_grad();
        const auto users = torch::zeros({int64_t(items.size())}, torch::kLong);
        const auto itemIds =
            torch::tensor(std::vector<int64_t>(items.begin(), items.end()), torch::kLong);
        const auto y = torch::tensor(labels);
        auto ref = torch::binary_cross_entropy_with_logits(net->forward(users, itemIds), y);
        ref.backward();
        QVERIFY(std::fabs(ref.item<double>() - loss) <= 1e-5 * std::max(1.0, std::fabs(loss)));
        std::vector<float> expected;
        if (gmf > 0) {
            auto g = net->gmfUserWeight().grad()[0].contiguous();
            expected.insert(expected.end(), g.data_ptr<float>(), g.data_ptr<float>() + gmf);
        }
        if (mlp > 0) {
            auto g = net->mlpUserWeight().grad()[0].contiguous();
            expected.insert(expected.end(), g.data_ptr<float>(), g.data_ptr<float>() + mlp);
        }
        QCOMPARE(int64_t(expected.size()), int64_t(grad.size()));
        double diff = 0.0, norm = 0.0;
        for (size_t k = 0; k < expected.size(); ++k) {
            diff += std::pow(double(expected[k]) - grad[Eigen::Index(k)], 2);
            norm += std::pow(double(expected[k]), 2);
        }
        QVERIFY(norm > 1e-8);  // the check would be empty with a zero gradient
        QVERIFY2(std::sqrt(diff) <= 1e-4 * std::sqrt(norm),
                 qPrintable(QString("relative error %1").arg(std::sqrt(diff / norm))));
    }
};

QTEST_GUILESS_MAIN(TestNcfGradients)
#include "tst_ncfgradients.moc"
