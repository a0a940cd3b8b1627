// core/nn/RowSparseAdam.h: the rows a step touches get torch::optim::Adam's update, the others
// stay as they are, moments included; checked against torch's Adam and against the update
// written out in double.
// LibTorch first: Qt's `slots` macro breaks its headers.
#include "core/nn/RowSparseAdam.h"

#include <QtTest>

#include <cmath>
#include <random>
#include <vector>

using namespace recscope;

namespace {

constexpr double kLr = 0.05;
constexpr double kDecay = 0.01;

// Gradient rows for `rows` x `width`, zero on the rows not in `touched`.
torch::Tensor gradient(int64_t rows, int64_t width, const std::vector<int64_t>& touched,
                       std::mt19937& rng) {
    std::normal_distribution<float> normal(0.0f, 1.0f);
    auto g = torch::zeros({rows, width});
    for (int64_t r : touched)
        for (int64_t c = 0; c < width; ++c)
            g[r][c] = normal(rng);
    return g;
}

double valueAt(const torch::Tensor& t, int64_t r, int64_t c) {
    return t[r][c].item<double>();
}

}  // namespace

class TestRowSparseAdam : public QObject {
    Q_OBJECT
private slots:
    // Every row touched at every step: the same weights as torch's Adam (weight decay on).
    void allRowsTouchedIsTorchAdam() {
        torch::manual_seed(3);
        const auto start = torch::randn({5, 4});
        auto ours = start.clone().requires_grad_(true);
        auto theirs = start.clone().requires_grad_(true);
        RowSparseAdam sparse({ours}, {kLr, 0.9, 0.999, 1e-8, kDecay});
        torch::optim::Adam dense({theirs}, torch::optim::AdamOptions(kLr).weight_decay(kDecay));
        std::mt19937 rng(7);
        for (int step = 0; step < 6; ++step) {
            const auto g = gradient(5, 4, {0, 1, 2, 3, 4}, rng);
            ours.mutable_grad() = g.clone();
            theirs.mutable_grad() = g.clone();
            sparse.step();
            dense.step();
            QVERIFY(!ours.grad().defined());  // dropped: the next backward starts afresh
        }
        QVERIFY2(torch::allclose(ours, theirs, 1e-5, 1e-6),
                 qPrintable(QString::number((ours - theirs).abs().max().item<double>())));
    }

    // Random rows touched per step: each element follows Adam's update, in double, on the steps
    // its row was touched, with the bias correction of the global step count; untouched rows
    // keep their weights and moments.
    void touchedRowsFollowTheUpdateWrittenOut() {
        const int64_t rows = 7, width = 3;
        torch::manual_seed(11);
        auto table = torch::randn({rows, width}).requires_grad_(true);
        std::vector<double> w(rows * width), m(rows * width, 0.0), v(rows * width, 0.0);
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t c = 0; c < width; ++c)
                w[r * width + c] = valueAt(table.detach(), r, c);
        RowSparseAdam adam({table}, {kLr, 0.9, 0.999, 1e-8, kDecay});
        std::mt19937 rng(5);
        const std::vector<std::vector<int64_t>> touched = {
            {0, 3}, {3, 5, 6}, {1}, {0, 1, 2, 3}, {6}};
        for (size_t s = 0; s < touched.size(); ++s) {
            const auto g = gradient(rows, width, touched[s], rng);
            table.mutable_grad() = g.clone();
            adam.step();
            const double t = double(s + 1);
            for (int64_t r : touched[s])
                for (int64_t c = 0; c < width; ++c) {
                    const size_t k = size_t(r * width + c);
                    const double gk = valueAt(g, r, c) + kDecay * w[k];
                    m[k] = 0.9 * m[k] + 0.1 * gk;
                    v[k] = 0.999 * v[k] + 0.001 * gk * gk;
                    const double denom =
                        std::sqrt(v[k]) / std::sqrt(1.0 - std::pow(0.999, t)) + 1e-8;
                    w[k] -= kLr / (1.0 - std::pow(0.9, t)) * m[k] / denom;
                }
            for (int64_t r = 0; r < rows; ++r)
                for (int64_t c = 0; c < width; ++c)
                    QVERIFY2(
                        std::abs(valueAt(table.detach(), r, c) - w[size_t(r * width + c)]) < 1e-5,
                        qPrintable(QString("step %1 row %2").arg(s + 1).arg(r)));
        }
    }

    // Where dense Adam moves a row the batch did not touch (its momentum), this one does not.
    void untouchedRowStaysWhereDenseAdamMovesIt() {
        auto ours = torch::ones({2, 2}).requires_grad_(true);
        auto theirs = torch::ones({2, 2}).requires_grad_(true);
        RowSparseAdam sparse({ours}, {kLr});
        torch::optim::Adam dense({theirs}, torch::optim::AdamOptions(kLr));
        for (int step = 0; step < 2; ++step) {
            // Both rows at the first step, row 0 only at the second.
            auto g = torch::ones({2, 2});
            if (step == 1)
                g[1].zero_();
            ours.mutable_grad() = g.clone();
            theirs.mutable_grad() = g.clone();
            if (step == 1) {
                const auto before = ours.detach()[1].clone();
                sparse.step();
                QVERIFY(torch::equal(ours.detach()[1], before));
            } else {
                sparse.step();
            }
            dense.step();
        }
        QVERIFY(!torch::allclose(theirs.detach()[1], ours.detach()[1]));
        QVERIFY(torch::allclose(theirs.detach()[0], ours.detach()[0]));
    }

    // An embedding's sparse gradient (ids repeated within the batch) gives the update of the
    // same gradient held dense.
    void sparseGradientSameAsDense() {
        torch::manual_seed(4);
        const auto start = torch::randn({6, 3});
        auto viaSparse = start.clone().requires_grad_(true);
        auto viaDense = start.clone().requires_grad_(true);
        RowSparseAdam a({viaSparse}, {kLr, 0.9, 0.999, 1e-8, kDecay});
        RowSparseAdam b({viaDense}, {kLr, 0.9, 0.999, 1e-8, kDecay});
        namespace F = torch::nn::functional;
        for (const auto& ids :
             {std::vector<int64_t>{0, 4, 4, 2}, std::vector<int64_t>{5, 0, 5, 5}}) {
            const auto idx = torch::tensor(ids, torch::kLong);
            const auto weights = torch::arange(1.0, 4.0);
            (F::embedding(idx, viaSparse, F::EmbeddingFuncOptions().sparse(true)) * weights)
                .sum()
                .backward();
            (F::embedding(idx, viaDense, F::EmbeddingFuncOptions().sparse(false)) * weights)
                .sum()
                .backward();
            QVERIFY(viaSparse.grad().is_sparse());
            QVERIFY(!viaDense.grad().is_sparse());
            a.step();
            b.step();
        }
        QVERIFY(torch::allclose(viaSparse, viaDense));
        QVERIFY(torch::equal(viaSparse.detach()[1], start[1]));  // never in a batch
        QVERIFY(torch::equal(viaSparse.detach()[3], start[3]));
        QVERIFY(!torch::equal(viaSparse.detach()[5], start[5]));
    }

    // The pair: dense parameters through torch's Adam, the tables through RowSparseAdam.
    void tableAwareAdamSplitsTheParameters() {
        torch::manual_seed(2);
        auto table = torch::randn({4, 3}).requires_grad_(true);
        auto dense = torch::randn({3}).requires_grad_(true);
        auto denseRef = dense.detach().clone().requires_grad_(true);
        QCOMPARE(int(withoutTables({table, dense}, {table}).size()), 1);
        QVERIFY(withoutTables({table, dense}, {table})[0].is_same(dense));
        TableAwareAdam both({table, dense}, {table}, kLr, 0.0);
        torch::optim::Adam reference({denseRef}, torch::optim::AdamOptions(kLr));
        const auto tableBefore = table.detach().clone();
        both.zeroGrad();
        reference.zero_grad();
        // Row 2 of the table gets no gradient.
        const auto ids = torch::tensor({0, 1, 3}, torch::kLong);
        (table.index_select(0, ids).sum(1) * dense.sum()).sum().backward();
        (denseRef.sum() * tableBefore.index_select(0, ids).sum()).backward();
        both.step();
        reference.step();
        QVERIFY(torch::allclose(dense, denseRef));
        QVERIFY(torch::equal(table.detach()[2], tableBefore[2]));
        QVERIFY(!torch::equal(table.detach()[0], tableBefore[0]));
    }
};

QTEST_APPLESS_MAIN(TestRowSparseAdam)
#include "tst_rowsparseadam.moc"
