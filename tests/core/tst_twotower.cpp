// Two-tower retriever: InfoNCE against a hand-computed batch (masking, logQ), fold-in of a
// user absent from training on synthetic genre-taste data, and errors as values.

// LibTorch before Qt: Qt's `slots` macro would break LibTorch headers that use the word.
#include "core/nn/TorchSupport.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "core/data/SyntheticGenerator.h"
#include "core/models/TrainData.h"
#include "core/nn/BagSum.h"
#include "core/nn/InfoNceLoss.h"
#include "core/nn/InfoNceTensor.h"
#include "core/nn/TwoTowerModel.h"
#include "core/nn/TwoTowerNet.h"
#include "core/split/Split.h"

using namespace recscope;

namespace {

// The definition written out with plain loops (see InfoNceLoss.h).
double referenceInfoNce(const std::vector<float>& u, const std::vector<float>& v, int b, int d,
                        const std::vector<int32_t>& users, const std::vector<int32_t>& items,
                        const std::vector<float>& logQ, double t, bool mask, bool useLogQ) {
    double total = 0.0;
    for (int i = 0; i < b; ++i) {
        std::vector<double> logits;
        double positive = 0.0;
        for (int j = 0; j < b; ++j) {
            if (mask && j != i && (items[j] == items[i] || users[j] == users[i]))
                continue;
            double dot = 0.0;
            for (int k = 0; k < d; ++k)
                dot += double(u[i * d + k]) * double(v[j * d + k]);
            double l = dot / t - (useLogQ ? double(logQ[j]) : 0.0);
            if (j == i)
                positive = l;
            logits.push_back(l);
        }
        double sum = 0.0;
        for (double l : logits)
            sum += std::exp(l);
        total += -positive + std::log(sum);
    }
    return total / b;
}

struct SmallData {
    Dataset dataset;
    Split split;
    TrainData train;
};

std::unique_ptr<SmallData> makeSmallData() {
    SyntheticConfig cfg;
    cfg.seed = 7;
    cfg.users = 300;
    cfg.items = 400;
    cfg.ratings = 24000;
    auto ds = generateSynthetic(cfg);
    if (!ds)
        return nullptr;
    auto out = std::make_unique<SmallData>();
    out->dataset = std::move(ds.value());
    SplitConfig sc = defaultSplitConfig(Protocol::Temporal);
    sc.threshold = 3.5;
    auto split = makeSplit(out->dataset, sc);
    if (!split)
        return nullptr;
    out->split = std::move(split.value());
    out->train = TrainData::build(out->split, &out->dataset);
    return out;
}

}  // namespace

class TestTwoTower : public QObject {
    Q_OBJECT

private slots:
    void infoNceHandComputed_data();
    void infoNceHandComputed();
    void infoNceMaskingMatters();
    void infoNceRejectsBadInput();
    void infoNceSeenNegatives();
    void infoNceGradientsMatchAutograd();
    void bagSumMatchesEmbeddingBag();
    void towerForwardMatchesSequential();
    void foldInFollowsHistoryGenres();
    void badDeviceIsAnError();
    void cancelledFit();
    void checkpointFromCpuCopies();
    void checkedModuleLoadRefusesOtherShapes();
};

// A model file is untrusted (issue 18): loadModuleChecked takes a module's tensors from an
// archive only with the shapes the module has (Module::load adopts whatever the file holds;
// fuzz_modelfile found a two-tower file that then made an embedding lookup overflow), and
// names the tensor it refuses. A nested module and a missing tensor are covered.
void TestTwoTower::checkedModuleLoadRefusesOtherShapes() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("net.pt").toStdString();
    torch::nn::Sequential saved(torch::nn::Linear(3, 2), torch::nn::Linear(2, 1));
    {
        torch::serialize::OutputArchive archive;
        saveModuleOnCpu(*saved, archive);
        archive.save_to(path);
    }
    const auto load = [&path](torch::nn::Module& into) {
        torch::serialize::InputArchive archive;
        if (Status s = loadCheckedArchive(archive, path); !s)
            return s;
        return loadModuleChecked(into, archive, path);
    };
    torch::nn::Sequential same(torch::nn::Linear(3, 2), torch::nn::Linear(2, 1));
    const Status ok = load(*same);
    QVERIFY2(ok.ok(), ok.ok() ? "" : ok.error().toString().c_str());
    const auto x = torch::randn({4, 3});
    QVERIFY(torch::equal(same->forward(x), saved->forward(x)));

    torch::nn::Sequential wider(torch::nn::Linear(4, 2), torch::nn::Linear(2, 1));
    Status s = load(*wider);
    QVERIFY(!s.ok());
    QCOMPARE(s.error().file, path);
    QVERIFY2(s.error().message.find("tensor '0.weight' has 6 values where this model has 8") !=
                 std::string::npos,
             s.error().message.c_str());

    torch::nn::Sequential longer(torch::nn::Linear(3, 2), torch::nn::Linear(2, 1),
                                 torch::nn::Linear(1, 1));
    s = load(*longer);
    QVERIFY(!s.ok());
    QVERIFY2(s.error().message.find("lacks part '2'") != std::string::npos,
             s.error().message.c_str());
}

// Checkpoints are written from CPU copies (saveModuleOnCpu, which TwoTowerModel::save and
// RankerModel::save use): the archive holds only CPU tensors in Module::save's layout, so a
// fresh module on the CPU loads it. On a machine with CUDA the source module sits on the GPU,
// which is the case that used to fail.
void TestTwoTower::checkpointFromCpuCopies() {
    struct Inner : torch::nn::Module {
        Inner() { w = register_parameter("w", torch::randn({3, 2})); }
        torch::Tensor w;
    };
    struct Outer : torch::nn::Module {
        Outer() {
            linear = register_module("linear", torch::nn::Linear(4, 3));
            inner = register_module("inner", std::make_shared<Inner>());
            register_buffer("counts", torch::arange(5, torch::kFloat));
        }
        torch::nn::Linear linear{nullptr};
        std::shared_ptr<Inner> inner;
    };
    torch::manual_seed(3);
    Outer source;
    if (torch::cuda::is_available())
        source.to(torch::kCUDA);
    const QString path = QDir::temp().filePath("recscope_cpu_copy_test.pt");
    torch::serialize::OutputArchive archive;
    saveModuleOnCpu(source, archive);
    archive.save_to(path.toStdString());

    torch::manual_seed(99);  // different initial weights
    Outer target;
    torch::serialize::InputArchive in;
    in.load_from(path.toStdString(), torch::kCPU);
    target.load(in);
    QFile::remove(path);
    const auto a = source.named_parameters();
    const auto b = target.named_parameters();
    QCOMPARE(a.size(), b.size());
    for (const auto& p : a) {
        QVERIFY(b[p.key()].device().is_cpu());
        QVERIFY(torch::equal(p.value().to(torch::kCPU), b[p.key()]));
    }
    QVERIFY(torch::equal(target.named_buffers()["counts"], torch::arange(5, torch::kFloat)));
}

void TestTwoTower::infoNceHandComputed_data() {
    QTest::addColumn<bool>("mask");
    QTest::addColumn<bool>("logQ");
    QTest::newRow("plain") << false << false;
    QTest::newRow("masked") << true << false;
    QTest::newRow("logQ") << false << true;
    QTest::newRow("masked+logQ") << true << true;
}

void TestTwoTower::infoNceHandComputed() {
    QFETCH(bool, mask);
    QFETCH(bool, logQ);
    // 5 rows, 3 dims. Rows 0 and 2 share item 5; rows 0 and 1 share user 0.
    const int b = 5, d = 3;
    const std::vector<float> u = {0.6f,  0.8f, 0.0f, 0.0f, 1.0f, 0.0f, 0.48f, 0.6f,
                                  0.64f, 1.0f, 0.0f, 0.0f, 0.0f, 0.6f, 0.8f};
    const std::vector<float> v = {0.0f, 0.6f,  0.8f,  0.8f, 0.0f, 0.6f, 0.0f, 0.6f,
                                  0.8f, 0.36f, 0.48f, 0.8f, 1.0f, 0.0f, 0.0f};
    const std::vector<int32_t> users = {0, 0, 1, 2, 3};
    const std::vector<int32_t> items = {5, 6, 5, 7, 8};
    const std::vector<float> lq = {std::log(0.4f), std::log(0.1f), std::log(0.4f), std::log(0.05f),
                                   std::log(0.2f)};
    InfoNceOptions opt;
    opt.temperature = 0.2;
    opt.maskCollisions = mask;
    opt.logQ = logQ;
    auto loss = infoNceLoss(u.data(), v.data(), b, d, users.data(), items.data(),
                            logQ ? lq.data() : nullptr, opt);
    QVERIFY2(loss.ok(), loss.ok() ? "" : loss.error().message.c_str());
    const double expected = referenceInfoNce(u, v, b, d, users, items, lq, 0.2, mask, logQ);
    QVERIFY2(std::abs(loss.value() - expected) < 1e-4 * std::max(1.0, std::abs(expected)),
             qPrintable(QString("loss %1 expected %2").arg(loss.value()).arg(expected)));
}

void TestTwoTower::infoNceMaskingMatters() {
    // Two identical rows (same user, same item): unmasked, each is the other's negative and
    // the loss is at least log 2; masked, each row has only itself and the loss is 0.
    const std::vector<float> u = {1.0f, 0.0f, 1.0f, 0.0f};
    const std::vector<float> v = {1.0f, 0.0f, 1.0f, 0.0f};
    const std::vector<int32_t> users = {3, 3};
    const std::vector<int32_t> items = {9, 9};
    InfoNceOptions opt;
    opt.temperature = 0.1;
    opt.maskCollisions = false;
    auto plain = infoNceLoss(u.data(), v.data(), 2, 2, users.data(), items.data(), nullptr, opt);
    opt.maskCollisions = true;
    auto masked = infoNceLoss(u.data(), v.data(), 2, 2, users.data(), items.data(), nullptr, opt);
    QVERIFY(plain.ok() && masked.ok());
    QVERIFY(std::abs(plain.value() - std::log(2.0)) < 1e-5);
    QVERIFY(std::abs(masked.value()) < 1e-6);
}

// mask_seen: a batch item that is one of the row's user's training positives is no negative
// for that row (the row's own item excepted). The mask against a brute-force set lookup and a
// few cells by hand; then the loss with it against the cross-entropy written out over the
// columns left.
void TestTwoTower::infoNceSeenNegatives() {
    CsrMatrix positives;  // user 0: {1, 3, 5}; user 1: {2}; user 2: none
    positives.rows = 3;
    positives.cols = 6;
    positives.offsets = {0, 3, 4, 4};
    positives.indices = {1, 3, 5, 2};
    const std::vector<int64_t> users = {0, 1, 0, 2, 7};  // 7: outside the matrix
    const std::vector<int64_t> items = {1, 3, 2, 5, 3};
    const int64_t b = 5;
    const auto mask = seenNegatives(positives, torch::tensor(users), torch::tensor(items));
    QCOMPARE(mask.size(0), b);
    QCOMPARE(mask.size(1), b);
    const std::vector<std::set<int64_t>> liked = {{1, 3, 5}, {2}, {}};
    for (int64_t r = 0; r < b; ++r)
        for (int64_t c = 0; c < b; ++c) {
            const bool expected = users[size_t(r)] < 3 &&
                                  liked[size_t(users[size_t(r)])].count(items[size_t(c)]) &&
                                  items[size_t(c)] != items[size_t(r)];
            QVERIFY2(mask[r][c].item<bool>() == expected,
                     qPrintable(QString("(%1, %2)").arg(r).arg(c)));
        }
    // Row 0 (user 0, item 1): the two item-3 columns and the item-5 column; not itself.
    QVERIFY(mask[0][1].item<bool>() && mask[0][4].item<bool>() && mask[0][3].item<bool>());
    QVERIFY(!mask[0][0].item<bool>() && !mask[0][2].item<bool>());
    // Row 2 (user 0, item 2): item 1 (column 0) is user 0's too.
    QVERIFY(mask[2][0].item<bool>());
    QCOMPARE(mask.sum().item<int64_t>(), int64_t(3 + 1 + 4 + 0 + 0));

    torch::manual_seed(5);
    const auto u = torch::randn({b, 3});
    const auto v = torch::randn({b, 3});
    const auto temperature = torch::tensor(0.5);
    const double loss = infoNceLossTensor(u, v, torch::tensor(users), torch::tensor(items), {},
                                          temperature, /*maskCollisions=*/false, mask)
                            .item<double>();
    double expected = 0;
    for (int64_t r = 0; r < b; ++r) {
        double norm = 0;
        for (int64_t c = 0; c < b; ++c)
            if (!mask[r][c].item<bool>())
                norm += std::exp(u[r].dot(v[c]).item<double>() / 0.5);
        expected += std::log(norm) - u[r].dot(v[r]).item<double>() / 0.5;
    }
    expected /= double(b);
    QVERIFY2(std::abs(loss - expected) < 1e-5,
             qPrintable(QString("loss %1 expected %2").arg(loss).arg(expected)));
}

// The fused loss (CatalogueSoftmax.h, logQ as an extra product column) against the same loss
// written out in plain differentiable ops: value and gradients in the users, the items and a
// learned temperature, with logQ, repeated users and items (collisions) and a seen mask.
void TestTwoTower::infoNceGradientsMatchAutograd() {
    torch::manual_seed(11);
    const int64_t b = 9;
    const auto userIds = torch::tensor({0, 1, 2, 0, 3, 4, 1, 5, 6}, torch::kLong);
    const auto itemIds = torch::tensor({7, 3, 7, 2, 5, 1, 0, 3, 4}, torch::kLong);
    const auto logQ = torch::rand({b}) * -3.0;
    auto excluded = torch::rand({b, b}) < 0.15;
    excluded.fill_diagonal_(false);
    const auto u0 = torch::randn({b, 5});
    const auto v0 = torch::randn({b, 5});
    torch::Tensor grads[2][3];
    double losses[2];
    for (int k = 0; k < 2; ++k) {
        auto u = u0.clone().requires_grad_();
        auto v = v0.clone().requires_grad_();
        auto logT = torch::tensor(std::log(0.3)).requires_grad_();
        const auto temperature = logT.exp();
        torch::Tensor loss;
        if (k == 0) {
            loss = infoNceLossTensor(u, v, userIds, itemIds, logQ, temperature, true, excluded);
        } else {
            auto logits = torch::matmul(u, v.t()) / temperature - logQ.unsqueeze(0);
            const auto same = (itemIds.unsqueeze(1) == itemIds.unsqueeze(0)) |
                              (userIds.unsqueeze(1) == userIds.unsqueeze(0));
            const auto mask = (same & ~torch::eye(b, torch::kBool)) | excluded;
            logits = logits.masked_fill(mask, -std::numeric_limits<float>::infinity());
            loss = torch::nn::functional::cross_entropy(logits, torch::arange(b));
        }
        loss.backward();
        losses[k] = loss.item<double>();
        grads[k][0] = u.grad();
        grads[k][1] = v.grad();
        grads[k][2] = logT.grad();
    }
    QVERIFY2(std::abs(losses[0] - losses[1]) < 1e-5,
             qPrintable(QString("%1 vs %2").arg(losses[0]).arg(losses[1])));
    for (int g = 0; g < 3; ++g) {
        QVERIFY(grads[1][g].abs().sum().item<float>() > 0.0f);
        QVERIFY2(torch::allclose(grads[0][g], grads[1][g], 1e-4, 1e-5),
                 qPrintable(QString("gradient %1").arg(g)));
    }
}

// bagSum against torch::embedding_bag: values and the table's gradient, sum and mean, repeated
// items, empty bags (first, middle, last), 1 and 2 threads.
void TestTwoTower::bagSumMatchesEmbeddingBag() {
    torch::manual_seed(4);
    const auto table0 = torch::randn({40, 7});
    const auto items = torch::tensor({3, 3, 9, 0, 39, 3, 12, 12, 12, 5, 20}, torch::kLong);
    const auto offsets = torch::tensor({0, 0, 4, 4, 6, 11}, torch::kLong);
    const auto up = torch::randn({6, 7});
    const int before = at::get_num_threads();
    for (int threads : {1, 2})
        for (bool mean : {false, true}) {
            at::set_num_threads(threads);
            torch::Tensor out[2], grad[2];
            for (int k = 0; k < 2; ++k) {
                auto table = table0.clone().requires_grad_();
                out[k] = k == 0 ? bagSum(table, items, offsets, mean)
                                : std::get<0>(torch::embedding_bag(table, items, offsets, false,
                                                                   mean ? 1 : 0));
                (out[k] * up).sum().backward();
                grad[k] = table.grad();
            }
            QVERIFY(torch::allclose(out[0], out[1], 1e-6, 1e-6));
            QCOMPARE(out[0][0].abs().sum().item<float>(), 0.0f);  // the empty first bag
            QCOMPARE(out[0][5].abs().sum().item<float>(), 0.0f);  // the empty last bag
            QVERIFY(torch::allclose(grad[0], grad[1], 1e-6, 1e-6));
            QVERIFY(grad[0][12].abs().sum().item<float>() > 0.0f);  // three times in one bag
            QCOMPARE(grad[0][1].abs().sum().item<float>(), 0.0f);   // in no bag
        }
    at::set_num_threads(before);
    QVERIFY_EXCEPTION_THROWN(
        bagSum(table0, torch::tensor({40}, torch::kLong), torch::tensor({0}, torch::kLong), false),
        c10::Error);
}

// towerForward (the towers' and the ranker's MLP through chunkedLinear) gives the Sequential's
// own forward pass, on rows and on a B x L x in block; a layer it does not know is refused.
void TestTwoTower::towerForwardMatchesSequential() {
    torch::manual_seed(8);
    auto mlp = makeTowerMlp(6, 2, 9, 4);
    for (const auto& x : {torch::randn({300, 6}), torch::randn({5, 7, 6})}) {
        const auto want = mlp->forward(x);
        const auto got = towerForward(mlp, x);
        QCOMPARE(got.sizes(), want.sizes());
        QVERIFY(torch::allclose(got, want, 1e-5, 1e-6));
    }
    torch::nn::Sequential other(torch::nn::Linear(6, 3), torch::nn::Dropout(0.5));
    QVERIFY_EXCEPTION_THROWN(towerForward(other, torch::randn({2, 6})), c10::Error);
}

void TestTwoTower::infoNceRejectsBadInput() {
    const std::vector<float> x = {1.0f, 0.0f};
    const std::vector<int32_t> id = {0};
    InfoNceOptions opt;
    opt.temperature = 0.0;
    QVERIFY(!infoNceLoss(x.data(), x.data(), 1, 2, id.data(), id.data(), nullptr, opt).ok());
    opt.temperature = 0.1;
    opt.logQ = true;
    QVERIFY(!infoNceLoss(x.data(), x.data(), 1, 2, id.data(), id.data(), nullptr, opt).ok());
}

void TestTwoTower::foldInFollowsHistoryGenres() {
    auto data = makeSmallData();
    QVERIFY(data);
    TwoTowerModel model;
    QVERIFY(model
                .configure({{"epochs", "8"},
                            {"patience", "0"},
                            {"batch_size", "256"},
                            {"dim", "32"},
                            {"embedding", "32"},
                            {"width", "64"}})
                .ok());
    FitContext ctx;
    ctx.seed = 3;
    auto st = model.fit(data->train, ctx);
    QVERIFY2(st.ok(), st.ok() ? "" : st.error().message.c_str());

    const auto& meta = data->dataset.itemMetadata();
    const int32_t ni = model.numItems();
    // A genre held by 5-25% of the items, so that a top-10 dominated by it is no accident.
    int chosen = -1;
    double share = 0.0;
    for (int g = 0; g < static_cast<int>(meta.genreNames.size()) && chosen < 0; ++g) {
        int count = 0;
        for (int32_t i = 0; i < ni; ++i)
            count += (meta.genreMasks[i] >> g) & 1u;
        share = double(count) / ni;
        if (share >= 0.05 && share <= 0.25)
            chosen = g;
    }
    QVERIFY(chosen >= 0);
    // History: the 12 most popular training items carrying only that genre.
    std::vector<int32_t> candidates;
    for (int32_t i = 0; i < ni; ++i)
        if (meta.genreMasks[i] == (1u << chosen) && data->train.itemPopularity[i] > 0)
            candidates.push_back(i);
    std::sort(candidates.begin(), candidates.end(), [&](int32_t a, int32_t b) {
        return data->train.itemPopularity[a] > data->train.itemPopularity[b];
    });
    if (candidates.size() > 12)
        candidates.resize(12);
    QVERIFY(candidates.size() >= 5);

    std::vector<float> scores(static_cast<size_t>(ni));
    model.scoreItemHistory(candidates.data(), static_cast<int64_t>(candidates.size()),
                           scores.data());
    for (int32_t i : candidates)
        scores[i] = -1e9f;
    std::vector<int32_t> order(static_cast<size_t>(ni));
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + 10, order.end(),
                      [&](int32_t a, int32_t b) { return scores[a] > scores[b]; });
    int withGenre = 0;
    for (int k = 0; k < 10; ++k)
        withGenre += (meta.genreMasks[order[k]] >> chosen) & 1u;
    QVERIFY2(withGenre >= 6, qPrintable(QString("%1 of the top-10 have genre %2 (base share %3)")
                                            .arg(withGenre)
                                            .arg(QString::fromStdString(meta.genreNames[chosen]))
                                            .arg(share)));
    // An empty history is the popularity fallback, not a crash.
    model.scoreItemHistory(nullptr, 0, scores.data());
    QVERIFY(std::all_of(scores.begin(), scores.end(), [](float s) { return std::isfinite(s); }));
}

void TestTwoTower::badDeviceIsAnError() {
    auto data = makeSmallData();
    QVERIFY(data);
    TwoTowerModel model;
    QVERIFY(model.configure({{"epochs", "1"}}).ok());
    FitContext ctx;
    ctx.device = "tpu:7";
    QVERIFY(!model.fit(data->train, ctx).ok());
}

void TestTwoTower::cancelledFit() {
    auto data = makeSmallData();
    QVERIFY(data);
    TwoTowerModel model;
    QVERIFY(model.configure({{"epochs", "3"}}).ok());
    CancelToken token;
    token.cancel();
    FitContext ctx;
    ctx.cancel = &token;
    auto st = model.fit(data->train, ctx);
    QVERIFY(!st.ok());
    QCOMPARE(QString::fromStdString(st.error().message), QString("cancelled"));
}

QTEST_APPLESS_MAIN(TestTwoTower)
#include "tst_twotower.moc"
