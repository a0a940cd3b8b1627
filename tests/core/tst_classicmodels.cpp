// The Eigen / sparse models: exact against dense or brute-force references on tiny matrices,
// better than popularity on seeded synthetic data, identical scores after save/load, cancel.
#include <QtTest>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "core/data/SyntheticGenerator.h"
#include "core/eval/Evaluator.h"
#include "core/models/AlsModel.h"
#include "core/models/Blas.h"
#include "core/models/Compute.h"
#include "core/models/ModelFile.h"
#include "core/models/Recommender.h"
#include "core/models/SpdInverse.h"
#include "core/models/TrainData.h"
#include "core/split/Split.h"

using namespace recscope;

namespace {

// 8 users x 6 items, every rating positive (threshold 0); user 7 has no training data.
Split tinySplit() {
    Split s;
    s.numUsers = 8;
    s.numItems = 6;
    const int rows[7][6] = {{1, 1, 0, 0, 1, 0}, {0, 1, 1, 0, 0, 0}, {1, 0, 1, 1, 0, 0},
                            {0, 0, 0, 1, 1, 1}, {1, 1, 1, 0, 0, 1}, {0, 1, 0, 0, 1, 1},
                            {1, 0, 0, 1, 0, 0}};
    for (int32_t u = 0; u < 7; ++u)
        for (int32_t i = 0; i < 6; ++i)
            if (rows[u][i])
                s.train.append(u, i, 4, i);
    return s;
}

// users x items, each rating 4 at time = item id, where wanted(u, i, draw) says so; draw() is
// a seeded Bernoulli(p) draw.
template <typename Wanted>
Split drawnSplit(int32_t users, int32_t items, uint32_t seed, double p, Wanted wanted) {
    Split split;
    split.numUsers = users;
    split.numItems = items;
    std::mt19937 rng(seed);
    std::bernoulli_distribution pick(p);
    const auto draw = [&] { return pick(rng); };
    for (int32_t u = 0; u < users; ++u)
        for (int32_t i = 0; i < items; ++i)
            if (wanted(u, i, draw))
                split.train.append(u, i, 4, i);
    return split;
}

Eigen::MatrixXd denseX(const TrainData& d) {
    Eigen::MatrixXd x = Eigen::MatrixXd::Zero(d.numUsers, d.numItems);
    for (int32_t u = 0; u < d.numUsers; ++u)
        for (int64_t p = d.positives.offsets[u]; p < d.positives.offsets[u + 1]; ++p)
            x(u, d.positives.indices[static_cast<size_t>(p)]) = 1.0;
    return x;
}

std::vector<float> allScores(const Recommender& m, int32_t users) {
    std::vector<int32_t> ids(static_cast<size_t>(users));
    std::iota(ids.begin(), ids.end(), 0);
    std::vector<float> out(static_cast<size_t>(users) * static_cast<size_t>(m.numItems()));
    m.scoreUsers(ids.data(), users, out.data());
    return out;
}

// EASE's B (row a: what item a adds to each item's score) read back through
// itemSimilarities(); empty when the model has no item-item weights.
Eigen::MatrixXd itemWeights(const Recommender& m, int32_t items) {
    Eigen::MatrixXd b = Eigen::MatrixXd::Zero(items, items);
    std::vector<int32_t> all(static_cast<size_t>(items));
    std::iota(all.begin(), all.end(), 0);
    std::vector<float> column(static_cast<size_t>(items));
    for (int32_t c = 0; c < items; ++c) {
        if (!m.itemSimilarities(c, all.data(), items, column.data()))
            return {};
        for (int32_t a = 0; a < items; ++a)
            b(a, c) = column[static_cast<size_t>(a)];
    }
    return b;
}

std::unique_ptr<Recommender> fitted(const std::string& name, const TrainData& data,
                                    const std::map<std::string, std::string>& params = {}) {
    auto m = createModel(name);
    if (!m || !m->configure(params))
        return nullptr;
    FitContext ctx;
    ctx.seed = 5;
    return m->fit(data, ctx).ok() ? std::move(m) : nullptr;
}

struct Synthetic {
    Dataset dataset;
    Split split;
};

const Synthetic& synthetic() {
    static const Synthetic s = [] {
        SyntheticConfig config;
        config.seed = 77;
        config.users = 400;
        config.items = 500;
        config.ratings = 30000;
        Synthetic out{generateSynthetic(config).value(), {}};
        SplitConfig sc = defaultSplitConfig(Protocol::Temporal);
        out.split = makeSplit(out.dataset, sc).value();
        return out;
    }();
    return s;
}

}  // namespace

class TestClassicModels : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void spdInverse();
    void blasGramByLoops();
    void easeEqualsDenseFormula();
    void easeBatchScores_data();
    void easeBatchScores();
    void pureSvdEqualsDenseEigen();
    void itemKnnEqualsBruteForce();
    void userKnnEqualsBruteForce();
    void unseenUserGetsPopularity();
    void alsLossDecreases_data();
    void alsLossDecreases();
    void alsCgConvergesToCholesky();
    void beatsPopularity_data();
    void beatsPopularity();
    void saveLoadIdentical_data();
    void saveLoadIdentical();
    void loadRejectsForeignFile();
    void easeFileHoldsRowMajorWeights();
    void cancelStops_data();
    void cancelStops();
};

void TestClassicModels::initTestCase() {
    // Correctness only: one thread keeps the suite quick on a busy machine.
    setComputeThreads(1);
}

void TestClassicModels::spdInverse() {
    std::mt19937 rng(3);
    std::normal_distribution<float> normal;
    for (int n : {5, 97, 300}) {  // below, at and above the recursion's leaf size
        Eigen::MatrixXf a(n + 20, n);
        for (int i = 0; i < a.size(); ++i)
            a.data()[i] = normal(rng);
        Eigen::MatrixXf g = a.transpose() * a;
        g.diagonal().array() += 1.0f;
        Eigen::MatrixXf inv = g;
        QVERIFY(invertSpd(inv));
        const Eigen::MatrixXd ref = g.cast<double>().inverse();
        QVERIFY2(
            (inv.cast<double>() - ref).cwiseAbs().maxCoeff() < 1e-4 * ref.cwiseAbs().maxCoeff(),
            qPrintable(QString::number(n)));
    }
    Eigen::MatrixXf notSpd = -Eigen::MatrixXf::Identity(4, 4);
    QVERIFY(!invertSpd(notSpd));
}

// blas::gram (iALS's F^T F) against the sum written out in double: a row-major block read
// with a leading dimension wider than its columns (the extra column must not count), and no
// rows at all (zeros).
void TestClassicModels::blasGramByLoops() {
    std::mt19937 rng(5);
    std::normal_distribution<float> normal;
    const int64_t rows = 37, cols = 9, lda = 11;
    std::vector<float> a(static_cast<size_t>(rows * lda));
    for (float& v : a)
        v = normal(rng);
    std::vector<float> c(static_cast<size_t>(cols * cols), -1.0f);
    blas::gram(rows, cols, a.data(), lda, c.data());
    for (int64_t i = 0; i < cols; ++i)
        for (int64_t j = 0; j < cols; ++j) {
            double sum = 0.0;
            for (int64_t r = 0; r < rows; ++r)
                sum += double(a[size_t(r * lda + i)]) * double(a[size_t(r * lda + j)]);
            QVERIFY2(std::fabs(c[size_t(i * cols + j)] - sum) < 1e-4 * (1.0 + std::fabs(sum)),
                     qPrintable(QString("(%1, %2): %3 vs %4")
                                    .arg(i)
                                    .arg(j)
                                    .arg(c[size_t(i * cols + j)])
                                    .arg(sum)));
        }
    blas::gram(0, cols, a.data(), lda, c.data());
    QVERIFY(std::all_of(c.begin(), c.end(), [](float v) { return v == 0.0f; }));
}

void TestClassicModels::easeEqualsDenseFormula() {
    const Split split = tinySplit();
    const TrainData data = TrainData::build(split, nullptr);
    const double lambda = 2.5;
    auto m = fitted("ease", data, {{"lambda", "2.5"}});
    QVERIFY(m);
    const Eigen::MatrixXd x = denseX(data);
    const Eigen::MatrixXd p =
        (x.transpose() * x + lambda * Eigen::MatrixXd::Identity(6, 6)).inverse();
    Eigen::MatrixXd b = -p * p.diagonal().cwiseInverse().asDiagonal();
    b.diagonal().setZero();
    const Eigen::MatrixXd ref = x * b;
    const auto got = allScores(*m, 7);
    for (int u = 0; u < 7; ++u)
        for (int i = 0; i < 6; ++i)
            QVERIFY(std::fabs(got[static_cast<size_t>(u * 6 + i)] - ref(u, i)) < 1e-5);
}

// EASE's batch scoring, against x B computed in double with B read back through
// itemSimilarities(). Scoring reads B in tiles of 64 columns; both rows have full tiles and a
// narrower last one. "inactive items": 600 items, of which every seventh of the first 200, the
// last 40 and any the draw gave no positive have no training positive, so active indices map to
// other item ids (tiles with and without gaps); inactive items must score below every active one.
// "every item active": 150 items, each given a positive, so an active index is the item id (scores
// written in place). Fold-in of a user's own items must give the same row.
void TestClassicModels::easeBatchScores_data() {
    QTest::addColumn<int32_t>("items");
    QTest::addColumn<bool>("withInactive");
    QTest::newRow("inactive items") << 600 << true;
    QTest::newRow("every item active") << 150 << false;
}

void TestClassicModels::easeBatchScores() {
    QFETCH(int32_t, items);
    QFETCH(bool, withInactive);
    const int32_t users = 30;
    const Split split = drawnSplit(users, items, 11, 0.15, [&](int32_t u, int32_t i, auto& draw) {
        return withInactive ? (i >= 200 || i % 7 != 3) && i < items - 40 && draw()
                            : i % users == u || draw();
    });
    const TrainData data = TrainData::build(split, nullptr);
    auto m = fitted("ease", data, {{"lambda", "5"}});
    QVERIFY(m);
    const Eigen::MatrixXd b = itemWeights(*m, items);
    QCOMPARE(b.rows(), Eigen::Index(items));
    const Eigen::MatrixXd x = denseX(data);
    const Eigen::MatrixXd ref = x * b;
    QVERIFY(ref.cwiseAbs().maxCoeff() > 0.01);
    // Inactive: the items left out above, and any the draw gave no positive.
    std::vector<bool> inactive(static_cast<size_t>(items));
    int32_t active = 0;
    for (int32_t i = 0; i < items; ++i) {
        inactive[static_cast<size_t>(i)] = x.col(i).sum() == 0;
        active += inactive[static_cast<size_t>(i)] ? 0 : 1;
    }
    if (withInactive)
        QVERIFY(active > items / 2 && active < items - 60);  // both kinds, many of each
    else
        QCOMPARE(active, items);
    for (int threads : {1, 2}) {
        setComputeThreads(threads);
        const auto got = allScores(*m, users);
        for (int32_t u = 0; u < users; ++u) {
            for (int32_t i = 0; i < items; ++i) {
                const float s = got[static_cast<size_t>(u) * items + i];
                if (inactive[static_cast<size_t>(i)])
                    QVERIFY2(s < -1e8f, qPrintable(QString("inactive item %1: %2").arg(i).arg(s)));
                else
                    QVERIFY2(std::fabs(s - ref(u, i)) < 1e-4,
                             qPrintable(QString("user %1 item %2: %3 against %4")
                                            .arg(u)
                                            .arg(i)
                                            .arg(s)
                                            .arg(ref(u, i))));
            }
        }
        for (int32_t u : {0, users - 1}) {
            std::vector<HistoryEntry> history;
            for (int32_t i = 0; i < items; ++i)
                if (x(u, i) > 0)
                    history.push_back({i, 4.0f, true});
            std::vector<float> folded(static_cast<size_t>(items));
            QVERIFY(m->scoreHistory(history, folded.data()).ok());
            for (int32_t i = 0; i < items; ++i)
                QCOMPARE(folded[static_cast<size_t>(i)], got[static_cast<size_t>(u) * items + i]);
        }
    }
    setComputeThreads(1);
}

void TestClassicModels::pureSvdEqualsDenseEigen() {
    const Split split = tinySplit();
    const TrainData data = TrainData::build(split, nullptr);
    auto m = fitted("puresvd", data, {{"rank", "2"}});
    QVERIFY(m);
    const Eigen::MatrixXd x = denseX(data);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(x.transpose() * x);
    const Eigen::MatrixXd v = eig.eigenvectors().rightCols(2);    // top 2 (ascending order)
    QVERIFY(eig.eigenvalues()(4) - eig.eigenvalues()(3) > 1e-3);  // well-defined subspace
    const Eigen::MatrixXd ref = x * v * v.transpose();
    const auto got = allScores(*m, 7);
    for (int u = 0; u < 7; ++u)
        for (int i = 0; i < 6; ++i)
            QVERIFY(std::fabs(got[static_cast<size_t>(u * 6 + i)] - ref(u, i)) < 1e-4);
}

void TestClassicModels::itemKnnEqualsBruteForce() {
    const Split split = tinySplit();
    const TrainData data = TrainData::build(split, nullptr);
    const int k = 2;
    const double shrink = 0.5;
    auto m = fitted("itemknn", data, {{"neighbours", "2"}, {"shrink", "0.5"}});
    QVERIFY(m);
    const Eigen::MatrixXd x = denseX(data);
    const Eigen::MatrixXd co = x.transpose() * x;
    Eigen::MatrixXd w = Eigen::MatrixXd::Zero(6, 6);  // w(j, i): j among i's top-k
    for (int i = 0; i < 6; ++i) {
        std::vector<std::pair<double, int>> sims;
        for (int j = 0; j < 6; ++j)
            if (j != i && co(i, j) > 0)
                sims.emplace_back(co(i, j) / (std::sqrt(co(i, i) * co(j, j)) + shrink), j);
        std::sort(sims.begin(), sims.end(), [](auto a, auto b) {
            return a.first > b.first || (a.first == b.first && a.second < b.second);
        });
        for (int t = 0; t < k && t < static_cast<int>(sims.size()); ++t)
            w(sims[static_cast<size_t>(t)].second, i) = sims[static_cast<size_t>(t)].first;
    }
    const Eigen::MatrixXd ref = x * w;
    const auto got = allScores(*m, 7);
    for (int u = 0; u < 7; ++u)
        for (int i = 0; i < 6; ++i)
            QVERIFY(std::fabs(got[static_cast<size_t>(u * 6 + i)] - ref(u, i)) < 1e-5);
}

void TestClassicModels::userKnnEqualsBruteForce() {
    const Split split = tinySplit();
    const TrainData data = TrainData::build(split, nullptr);
    auto m = fitted("userknn", data, {{"neighbours", "3"}, {"shrink", "1"}});
    QVERIFY(m);
    const Eigen::MatrixXd x = denseX(data).topRows(7);
    const Eigen::MatrixXd co = x * x.transpose();
    Eigen::MatrixXd w = Eigen::MatrixXd::Zero(7, 7);  // w(u, v): v among u's top-3
    for (int u = 0; u < 7; ++u) {
        std::vector<std::pair<double, int>> sims;
        for (int v = 0; v < 7; ++v)
            if (v != u && co(u, v) > 0)
                sims.emplace_back(co(u, v) / (std::sqrt(co(u, u) * co(v, v)) + 1.0), v);
        std::sort(sims.begin(), sims.end(), [](auto a, auto b) {
            return a.first > b.first || (a.first == b.first && a.second < b.second);
        });
        for (int t = 0; t < 3 && t < static_cast<int>(sims.size()); ++t)
            w(u, sims[static_cast<size_t>(t)].second) = sims[static_cast<size_t>(t)].first;
    }
    const Eigen::MatrixXd ref = w * x;
    const auto got = allScores(*m, 7);
    for (int u = 0; u < 7; ++u)
        for (int i = 0; i < 6; ++i)
            QVERIFY(std::fabs(got[static_cast<size_t>(u * 6 + i)] - ref(u, i)) < 1e-5);
}

void TestClassicModels::unseenUserGetsPopularity() {
    const Split split = tinySplit();
    const TrainData data = TrainData::build(split, nullptr);
    for (const char* name : {"pop", "itemknn", "userknn", "ease", "puresvd", "ials"}) {
        auto m = fitted(name, data);
        QVERIFY2(m, name);
        const int32_t users[2] = {7, 2};
        std::vector<float> out(12);
        m->scoreUsers(users, 2, out.data());
        for (int i = 0; i < 6; ++i)
            QCOMPARE(out[static_cast<size_t>(i)],
                     static_cast<float>(data.itemPopularity[static_cast<size_t>(i)]));
        // The known user in the same batch gets the same row as when scored alone.
        std::vector<float> alone(6);
        m->scoreUsers(users + 1, 1, alone.data());
        for (int i = 0; i < 6; ++i)
            QCOMPARE(out[static_cast<size_t>(6 + i)], alone[static_cast<size_t>(i)]);
    }
}

void TestClassicModels::alsLossDecreases_data() {
    QTest::addColumn<QString>("solver");
    QTest::newRow("cg") << "cg";
    QTest::newRow("cholesky") << "cholesky";
}

void TestClassicModels::alsLossDecreases() {
    QFETCH(QString, solver);
    const TrainData data = TrainData::build(synthetic().split, &synthetic().dataset);
    AlsModel als;
    QVERIFY(
        als.configure({{"iterations", "6"}, {"factors", "16"}, {"solver", solver.toStdString()}})
            .ok());
    QVERIFY(als.fit(data, FitContext{}).ok());
    const auto& loss = als.lossHistory();
    QCOMPARE(loss.size(), size_t{6});
    for (size_t i = 1; i < loss.size(); ++i)
        QVERIFY2(loss[i] <= loss[i - 1] * (1.0 + 1e-6), qPrintable(QString::number(i)));
    QVERIFY(loss.back() < loss.front());
}

// With as many CG steps as factors, conjugate gradient solves each row's normal equation
// exactly (up to rounding), so every iteration matches the Cholesky solve's; the default few
// steps stay close in loss.
void TestClassicModels::alsCgConvergesToCholesky() {
    const TrainData data = TrainData::build(synthetic().split, &synthetic().dataset);
    const auto fit = [&](const std::map<std::string, std::string>& params) {
        auto als = std::make_unique<AlsModel>();
        std::map<std::string, std::string> all{{"iterations", "4"}, {"factors", "8"}};
        all.insert(params.begin(), params.end());
        if (!als->configure(all).ok() || !als->fit(data, FitContext{}).ok())
            return std::unique_ptr<AlsModel>();
        return als;
    };
    const auto exact = fit({{"solver", "cholesky"}});
    const auto cgFull = fit({{"solver", "cg"}, {"cg_steps", "24"}});
    const auto cgFew = fit({{"solver", "cg"}});
    QVERIFY(exact && cgFull && cgFew);
    const EmbeddingTable a = exact->userEmbeddings();
    const EmbeddingTable b = cgFull->userEmbeddings();
    QCOMPARE(a.values.size(), b.values.size());
    double diff = 0.0, norm = 0.0;
    for (size_t k = 0; k < a.values.size(); ++k) {
        diff += std::pow(double(a.values[k]) - b.values[k], 2);
        norm += std::pow(double(a.values[k]), 2);
    }
    QVERIFY2(std::sqrt(diff) < 1e-3 * std::sqrt(norm),
             qPrintable(QString("relative difference %1").arg(std::sqrt(diff / norm))));
    const double exactLoss = exact->lossHistory().back();
    QVERIFY2(std::fabs(cgFull->lossHistory().back() - exactLoss) < 1e-4 * exactLoss,
             qPrintable(QString::number(cgFull->lossHistory().back())));
    QVERIFY2(cgFew->lossHistory().back() < 1.02 * exactLoss,
             qPrintable(QString("%1 vs %2").arg(cgFew->lossHistory().back()).arg(exactLoss)));
}

void TestClassicModels::beatsPopularity_data() {
    QTest::addColumn<QString>("model");
    for (const char* name : {"itemknn", "userknn", "ease", "puresvd", "ials"})
        QTest::newRow(name) << name;
}

void TestClassicModels::beatsPopularity() {
    QFETCH(QString, model);
    const TrainData data = TrainData::build(synthetic().split, &synthetic().dataset);
    EvalConfig config;
    config.ks = {10};
    auto pop = fitted("pop", data);
    auto m = fitted(model.toStdString(), data);
    QVERIFY(pop && m);
    auto rp = evaluate(*pop, data, EvalPart::Test, config);
    auto rm = evaluate(*m, data, EvalPart::Test, config);
    QVERIFY(rp.ok() && rm.ok());
    QVERIFY(rp->usersEvaluated > 100);
    const double popRecall = rp->metrics.at("recall@10");
    const double recall = rm->metrics.at("recall@10");
    QVERIFY2(recall > popRecall,
             qPrintable(QString("%1 %2 vs pop %3").arg(model).arg(recall).arg(popRecall)));
}

void TestClassicModels::saveLoadIdentical_data() {
    beatsPopularity_data();
    QTest::newRow("pop") << "pop";
}

void TestClassicModels::saveLoadIdentical() {
    QFETCH(QString, model);
    const TrainData data = TrainData::build(synthetic().split, &synthetic().dataset);
    auto m = fitted(model.toStdString(), data, {});
    QVERIFY(m);
    QTemporaryDir dir;
    const std::string path = dir.filePath("model.bin").toStdString();
    QVERIFY(m->save(path).ok());
    auto loaded = createModel(model.toStdString());
    const Status s = loaded->load(path);
    QVERIFY2(s.ok(), s.ok() ? "" : s.error().toString().c_str());
    QCOMPARE(loaded->params().values(), m->params().values());
    QCOMPARE(loaded->numItems(), m->numItems());
    QCOMPARE(allScores(*loaded, data.numUsers), allScores(*m, data.numUsers));
}

void TestClassicModels::loadRejectsForeignFile() {
    const Split split = tinySplit();
    const TrainData data = TrainData::build(split, nullptr);
    auto ease = fitted("ease", data);
    QTemporaryDir dir;
    const std::string path = dir.filePath("ease.bin").toStdString();
    QVERIFY(ease->save(path).ok());
    auto knn = createModel("itemknn");
    Status s = knn->load(path);
    QVERIFY(!s.ok());
    QVERIFY(QString::fromStdString(s.error().message).contains("expected 'itemknn'"));
    QFile f(QString::fromStdString(path));  // truncate: an error, not a crash
    QVERIFY(f.open(QIODevice::ReadWrite));
    QVERIFY(f.resize(f.size() / 2));
    f.close();
    s = createModel("ease")->load(path);
    QVERIFY(!s.ok());
    QCOMPARE(QString::fromStdString(s.error().file), QString::fromStdString(path));
}

// EASE keeps its weights in tiles but its file in the layout files always had: "weights", the
// active x active B row-major (row a: what active item a adds to each item), so that files
// written before the tiles load as they did. Read back section by section against
// itemSimilarities(), on 70 items (three tiles, the last one partial).
void TestClassicModels::easeFileHoldsRowMajorWeights() {
    const int32_t users = 25;
    const int32_t items = 70;
    const Split split = drawnSplit(users, items, 5, 0.2, [&](int32_t u, int32_t i, auto& draw) {
        return i % users == u || draw();
    });
    const TrainData data = TrainData::build(split, nullptr);
    auto m = fitted("ease", data, {{"lambda", "3"}});
    QVERIFY(m);
    QTemporaryDir dir;
    const std::string path = dir.filePath("ease.bin").toStdString();
    QVERIFY(m->save(path).ok());
    auto file = ModelFile::open(path, "ease");
    QVERIFY(file.ok());
    std::vector<int32_t> shape, userItems, active;
    std::vector<int64_t> offsets;
    std::vector<float> popularity, weights;
    for (Status st :
         {file.value().read("shape", shape), file.value().read("popularity", popularity),
          file.value().read("user_offsets", offsets), file.value().read("user_items", userItems),
          file.value().read("active_items", active), file.value().read("weights", weights)})
        QVERIFY(st.ok());
    QCOMPARE(static_cast<int32_t>(active.size()), items);
    QCOMPARE(weights.size(), static_cast<size_t>(items) * items);
    const Eigen::MatrixXd b = itemWeights(*m, items);
    QCOMPARE(b.rows(), Eigen::Index(items));
    for (int32_t c = 0; c < items; ++c)
        for (int32_t a = 0; a < items; ++a)
            QCOMPARE(weights[static_cast<size_t>(a) * items + c], static_cast<float>(b(a, c)));
    QVERIFY(std::any_of(weights.begin(), weights.end(), [](float w) { return w > 0.01f; }));
}

void TestClassicModels::cancelStops_data() {
    beatsPopularity_data();
}

void TestClassicModels::cancelStops() {
    QFETCH(QString, model);
    const TrainData data = TrainData::build(synthetic().split, &synthetic().dataset);
    auto m = createModel(model.toStdString());
    CancelToken token;
    int calls = 0;
    FitContext ctx;
    ctx.cancel = &token;
    ctx.progress = [&](const Progress&) {
        ++calls;
        token.cancel();  // cancel as soon as the fit reports anything
    };
    const Status s = m->fit(data, ctx);
    QVERIFY(!s.ok());
    QCOMPARE(QString::fromStdString(s.error().message), QString("cancelled"));
    QCOMPARE(calls, 1);
}

QTEST_APPLESS_MAIN(TestClassicModels)
#include "tst_classicmodels.moc"
