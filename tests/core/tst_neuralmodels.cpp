// The LibTorch models (mf, bpr, neuralmf, neumf) on small seeded synthetic data: each beats
// popularity where it should, MF beats a hand-computed bias-only baseline, save/load gives
// identical scores, the same seed gives identical scores, the NCF refit on train + validation
// equals a plain fit there, NeuMF pre-training runs its phases, the fused BPR kernel is
// independent of the thread count and equals the autograd (CUDA) path, its hogwild step equals
// per-triplet SGD by hand and trains as well with two threads, cancel and a bad learning rate
// stop with their messages.

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <vector>

#include "core/data/DatasetLoader.h"
#include "core/data/SyntheticGenerator.h"
#include "core/eval/Evaluator.h"
#include "core/models/Compute.h"
#include "core/models/ModelRegistry.h"
#include "core/models/Recommender.h"
#include "core/models/TrainData.h"
#include "core/nn/BprCpuKernel.h"
#include "core/nn/BprModel.h"
#include "core/nn/MfModel.h"
#include "core/nn/NeuMfModel.h"
#include "core/nn/NeuralMfModel.h"
#include "core/split/Split.h"

using namespace recscope;

namespace {

struct SmallData {
    Dataset dataset;
    Split split;
    TrainData train;
};

std::unique_ptr<SmallData> makeData(Protocol protocol) {
    SyntheticConfig cfg;
    cfg.seed = 11;
    cfg.users = 300;
    cfg.items = 400;
    cfg.ratings = 24000;
    auto ds = generateSynthetic(cfg);
    if (!ds)
        return nullptr;
    auto out = std::make_unique<SmallData>();
    out->dataset = std::move(ds.value());
    SplitConfig sc = defaultSplitConfig(protocol);
    if (protocol == Protocol::Temporal)
        sc.threshold = 3.5;
    auto split = makeSplit(out->dataset, sc);
    if (!split)
        return nullptr;
    out->split = std::move(split.value());
    out->train = TrainData::build(out->split, &out->dataset);
    return out;
}

// Small-data settings that keep each fit well under a second.
std::map<std::string, std::string> quick(const std::string& name) {
    if (name == "bpr")
        return {{"epochs", "30"}, {"batch_size", "256"}};
    if (name == "mf")
        return {{"epochs", "25"}};
    if (name == "neuralmf")
        return {{"epochs", "40"},
                {"batch_size", "1024"},
                {"lr", "0.01"},
                {"patience", "8"},
                {"hidden", "128"}};
    return {{"epochs", "10"}, {"batch_size", "512"}, {"lr", "0.005"}};
}

std::unique_ptr<Recommender> make(const std::string& name,
                                  std::map<std::string, std::string> extra = {}) {
    std::unique_ptr<Recommender> model;
    if (name == "bpr")
        model = std::make_unique<BprModel>();
    else if (name == "mf")
        model = std::make_unique<MfModel>();
    else if (name == "neuralmf")
        model = std::make_unique<NeuralMfModel>();
    else
        model = std::make_unique<NeuMfModel>();
    auto params = quick(name);
    for (auto& [k, v] : extra)
        params[k] = v;
    if (!model->configure(params))
        return nullptr;
    return model;
}

std::vector<float> allScores(const Recommender& model, int32_t users) {
    std::vector<int32_t> ids(static_cast<size_t>(users));
    for (int32_t u = 0; u < users; ++u)
        ids[size_t(u)] = u;
    std::vector<float> out(size_t(users) * size_t(model.numItems()));
    model.scoreUsers(ids.data(), users, out.data());
    return out;
}

std::map<std::string, double> testMetrics(const Recommender& model, const TrainData& data) {
    EvalConfig cfg;
    cfg.ks = {10};
    cfg.keepPerUser = false;
    auto r = evaluate(model, data, EvalPart::Test, cfg);
    return r ? r->metrics : std::map<std::string, double>{};
}

struct CancelAfter : TrainObserver {
    CancelToken* token = nullptr;
    int64_t cancelAt = 2;
    int64_t batches = 0;
    int64_t afterCancel = 0;
    void onBatch(int, int64_t, int64_t, double) override {
        if (token->cancelled())
            ++afterCancel;
        if (++batches == cancelAt)
            token->cancel();
    }
};

// Validation NDCG@10 (the NCF early-stopping metric) of the epochs that were validated, and the
// count of those that were not (the refit on train + validation runs without validation).
struct EpochLog : TrainObserver {
    std::vector<double> ndcg;
    int unvalidated = 0;
    void onEpoch(const EpochReport& report) override {
        const auto it = report.validation.find("ndcg@10");
        if (it != report.validation.end())
            ndcg.push_back(it->second);
        else
            ++unvalidated;
    }
};

}  // namespace

class TestNeuralModels : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<SmallData> m_temporal;
    std::unique_ptr<SmallData> m_ratio;

private slots:
    void initTestCase() {
        // One intra-op thread: small-batch LibTorch ops gain little from a second one and a
        // busy CI machine makes OpenMP barriers slow. The kernel test below sets 1 and 2.
        setComputeThreads(1);
        m_temporal = makeData(Protocol::Temporal);
        m_ratio = makeData(Protocol::Ratio);
        QVERIFY(m_temporal && m_ratio);
        QVERIFY(m_temporal->train.positives.nnz() > 5000);
    }

    void registered() {
        for (const char* name : {"mf", "bpr", "neuralmf", "neumf"}) {
            auto model = createModel(name);
            QVERIFY2(model, name);
            QCOMPARE(QString::fromStdString(model->name()), QString(name));
            for (const auto& spec : model->paramSpecs())
                QVERIFY2(!spec.help.empty(), spec.name.c_str());
        }
    }

    void beatsPopularity_data() {
        QTest::addColumn<QString>("name");
        QTest::newRow("bpr") << "bpr";
        QTest::newRow("bpr-hogwild") << "bpr-hogwild";
        QTest::newRow("neuralmf") << "neuralmf";
        QTest::newRow("neumf") << "neumf";
    }
    void beatsPopularity() {
        QFETCH(QString, name);
        const TrainData& data = m_temporal->train;
        auto pop = createModel("pop");
        QVERIFY(pop);
        QVERIFY(pop->fit(data, FitContext{}).ok());
        // Hogwild with two threads: lost updates must not cost the model its quality.
        const bool hogwild = name == "bpr-hogwild";
        if (hogwild)
            setComputeThreads(2);
        auto model = hogwild ? make("bpr", {{"kernel", "hogwild"}}) : make(name.toStdString());
        QVERIFY(model);
        auto st = model->fit(data, FitContext{});
        setComputeThreads(1);
        QVERIFY2(st.ok(), st.error().message.c_str());
        auto p = testMetrics(*pop, data);
        auto m = testMetrics(*model, data);
        QVERIFY(!p.empty() && !m.empty());
        qInfo("%s ndcg@10 %.4f recall@10 %.4f | pop %.4f %.4f", qPrintable(name), m["ndcg@10"],
              m["recall@10"], p["ndcg@10"], p["recall@10"]);
        QVERIFY(m["ndcg@10"] > p["ndcg@10"]);
        QVERIFY(m["recall@10"] > p["recall@10"]);
    }

    void mfBeatsBiasBaseline() {
        // Real ratings (ML-100K, ratio split): the synthetic generator's ratings carry too
        // little beyond user and item biases for a latent-factor gain to be expected.
        auto ds = loadDataset(std::string(RECSCOPE_SHARED_DATA) + "/ml-100k");
        if (!ds)
            QSKIP("ml-100k not available");
        SmallData d;
        d.dataset = std::move(ds.value());
        auto split = makeSplit(d.dataset, defaultSplitConfig(Protocol::Ratio));
        QVERIFY(split.ok());
        d.split = std::move(split.value());
        d.train = TrainData::build(d.split, &d.dataset);
        auto model = make("mf");
        QVERIFY(model);
        QVERIFY(model->predictsRatings());
        auto st = model->fit(d.train, FitContext{});
        QVERIFY2(st.ok(), st.error().message.c_str());
        // Baseline: mu + b_i + b_u, damped means (shrinkage 10) fitted on the training ratings.
        const auto& tr = d.split.train;
        double mu = 0;
        for (float r : tr.ratings)
            mu += r;
        mu /= double(tr.size());
        std::vector<double> bi(size_t(d.split.numItems)), ni(bi.size());
        std::vector<double> bu(size_t(d.split.numUsers)), nu(bu.size());
        for (size_t k = 0; k < tr.size(); ++k) {
            bi[size_t(tr.items[k])] += tr.ratings[k] - mu;
            ni[size_t(tr.items[k])] += 1;
        }
        for (size_t i = 0; i < bi.size(); ++i)
            bi[i] /= ni[i] + 10.0;
        for (size_t k = 0; k < tr.size(); ++k) {
            bu[size_t(tr.users[k])] += tr.ratings[k] - mu - bi[size_t(tr.items[k])];
            nu[size_t(tr.users[k])] += 1;
        }
        for (size_t u = 0; u < bu.size(); ++u)
            bu[u] /= nu[u] + 10.0;
        const auto& te = d.split.test;
        QVERIFY(te.size() > 1000);
        std::vector<float> pred(te.size());
        model->predictRatings(te.users.data(), te.items.data(), int64_t(te.size()), pred.data());
        double seBase = 0, seMf = 0;
        for (size_t k = 0; k < te.size(); ++k) {
            const double base = mu + bi[size_t(te.items[k])] + bu[size_t(te.users[k])];
            seBase += (base - te.ratings[k]) * (base - te.ratings[k]);
            seMf += (pred[k] - te.ratings[k]) * (pred[k] - te.ratings[k]);
        }
        const double rmseBase = std::sqrt(seBase / double(te.size()));
        const double rmseMf = std::sqrt(seMf / double(te.size()));
        qInfo("mf rmse %.4f, bias-only baseline %.4f", rmseMf, rmseBase);
        QVERIFY(rmseMf < rmseBase);
        // The evaluation engine agrees with the hand computation.
        auto metrics = testMetrics(*model, d.train);
        QVERIFY(std::abs(metrics["rmse"] - rmseMf) < 1e-4);
        // Ranking uses the unclamped prediction; predictRatings clamps it to [1, 5]. Clamped,
        // every score above 5 would tie.
        const int32_t numItems = d.split.numItems;
        std::vector<int32_t> users(50), itemIds(static_cast<size_t>(numItems));
        std::iota(users.begin(), users.end(), 0);
        std::iota(itemIds.begin(), itemIds.end(), 0);
        std::vector<float> scores(users.size() * size_t(numItems)),
            clamped(static_cast<size_t>(numItems));
        model->scoreUsers(users.data(), int64_t(users.size()), scores.data());
        int64_t outside = 0;
        for (size_t r = 0; r < users.size(); ++r) {
            std::vector<int32_t> u(size_t(numItems), users[r]);
            model->predictRatings(u.data(), itemIds.data(), numItems, clamped.data());
            for (int32_t i = 0; i < numItems; ++i) {
                const float raw = scores[r * size_t(numItems) + size_t(i)];
                outside += raw > 5.0f || raw < 1.0f;
                QVERIFY(std::abs(clamped[size_t(i)] - std::min(5.0f, std::max(1.0f, raw))) < 1e-4);
            }
        }
        QVERIFY(outside > 0);
    }

    void saveLoadGivesIdenticalScores_data() {
        QTest::addColumn<QString>("name");
        for (const char* n : {"mf", "bpr", "neuralmf", "neumf"})
            QTest::newRow(n) << n;
    }
    void saveLoadGivesIdenticalScores() {
        QFETCH(QString, name);
        const TrainData& data = m_temporal->train;
        auto model = make(name.toStdString(), {{"epochs", "2"}});
        QVERIFY(model->fit(data, FitContext{}).ok());
        QTemporaryDir dir;
        const std::string path = dir.filePath("model.pt").toStdString();
        auto saved = model->save(path);
        QVERIFY2(saved.ok(), saved.error().message.c_str());
        auto fresh = make(name.toStdString(), {{"epochs", "7"}});
        auto loaded = fresh->load(path);
        QVERIFY2(loaded.ok(), loaded.error().message.c_str());
        QCOMPARE(fresh->params().getInt("epochs"), int64_t(2));  // params come from the file
        QCOMPARE(fresh->numItems(), model->numItems());
        const auto a = allScores(*model, data.numUsers);
        const auto b = allScores(*fresh, data.numUsers);
        QCOMPARE(a.size(), b.size());
        QVERIFY(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
        // Another model's file is refused with a message.
        auto other = make(name == "bpr" ? "mf" : "bpr");
        auto wrong = other->load(path);
        QVERIFY(!wrong.ok());
        QVERIFY(QString::fromStdString(wrong.error().message).contains("expected"));
    }

    void sameSeedSameScores_data() { saveLoadGivesIdenticalScores_data(); }
    void sameSeedSameScores() {
        QFETCH(QString, name);
        const TrainData& data = m_temporal->train;
        auto a = make(name.toStdString(), {{"epochs", "2"}});
        auto b = make(name.toStdString(), {{"epochs", "2"}});
        auto c = make(name.toStdString(), {{"epochs", "2"}});
        FitContext ctx;
        ctx.seed = 5;
        QVERIFY(a->fit(data, ctx).ok());
        QVERIFY(b->fit(data, ctx).ok());
        ctx.seed = 6;
        QVERIFY(c->fit(data, ctx).ok());
        const auto sa = allScores(*a, data.numUsers);
        const auto sb = allScores(*b, data.numUsers);
        const auto sc = allScores(*c, data.numUsers);
        QVERIFY(std::memcmp(sa.data(), sb.data(), sa.size() * sizeof(float)) == 0);
        QVERIFY(std::memcmp(sa.data(), sc.data(), sa.size() * sizeof(float)) != 0);
    }

    // refit=true: after early stopping, the model is the one a plain fit on train + validation
    // for the best epoch count gives (same seed, same initial weights), bit for bit.
    void refitEqualsFitOnTrainAndValidation_data() {
        QTest::addColumn<QString>("name");
        QTest::newRow("neuralmf") << "neuralmf";
        QTest::newRow("neumf") << "neumf";
    }
    void refitEqualsFitOnTrainAndValidation() {
        QFETCH(QString, name);
        const std::string n = name.toStdString();
        const SmallData& d = *m_temporal;
        QVERIFY(!d.split.validation.empty());
        std::map<std::string, std::string> base{{"patience", "2"}};
        if (n == "neumf")
            base["pretrain"] = "false";
        auto withRefit = make(n, base);
        QVERIFY(withRefit);
        EpochLog log;
        FitContext ctx;
        ctx.observer = &log;
        ctx.refitOnValidation = true;  // --fit-on auto
        FitRecord record{false, int64_t(d.split.train.size())};
        ctx.record = &record;
        QVERIFY(withRefit->fit(d.train, ctx).ok());
        QVERIFY(record.trainAndValidation);
        QCOMPARE(record.ratings, int64_t(d.split.train.size() + d.split.validation.size()));
        QVERIFY(!log.ndcg.empty());
        int best = 1;  // first epoch with the highest validation score, as EpochTrainer keeps it
        for (size_t k = 1; k < log.ndcg.size(); ++k)
            if (log.ndcg[k] > log.ndcg[size_t(best - 1)])
                best = int(k) + 1;
        QCOMPARE(log.unvalidated, best);

        const Split merged = withValidationInTrain(d.split);
        const TrainData full = TrainData::build(merged, &d.dataset);
        auto params = base;
        params["refit"] = "false";
        params["epochs"] = std::to_string(best);
        auto direct = make(n, params);
        QVERIFY(direct->fit(full, FitContext{}).ok());  // no validation part: all epochs run
        params.erase("epochs");
        auto trainOnly = make(n, params);
        QVERIFY(trainOnly->fit(d.train, FitContext{}).ok());
        // refit=true under --fit-on train (refitOnValidation false): no refit, the record
        // stays as given, and the model equals the one fitted without refit.
        auto noRefit = make(n, base);
        FitRecord untouched{false, 7};
        FitContext trainCtx;
        trainCtx.record = &untouched;
        QVERIFY(noRefit->fit(d.train, trainCtx).ok());
        QVERIFY(!untouched.trainAndValidation);
        QCOMPARE(untouched.ratings, int64_t(7));
        const auto e = allScores(*noRefit, d.train.numUsers);

        const auto a = allScores(*withRefit, d.train.numUsers);
        const auto b = allScores(*direct, d.train.numUsers);
        const auto c = allScores(*trainOnly, d.train.numUsers);
        QVERIFY(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
        QVERIFY(std::memcmp(a.data(), c.data(), a.size() * sizeof(float)) != 0);
        QVERIFY(std::memcmp(e.data(), c.data(), e.size() * sizeof(float)) == 0);
    }

    // NCF pre-training runs three phases (GMF, MLP, fused), each stopped early on validation,
    // then repeats them on train + validation with the same epoch counts.
    void neumfPretrainingPhases() {
        auto model = make("neumf", {{"pretrain", "true"}, {"patience", "2"}});
        QVERIFY(model);
        struct Phases : EpochLog {
            std::vector<std::string> messages;
            std::vector<int> runs;  // epochs per uninterrupted 1, 2, 3, ... sequence
            void onEpoch(const EpochReport& report) override {
                EpochLog::onEpoch(report);
                if (report.epoch == 1)
                    runs.push_back(0);
                ++runs.back();
            }
            void onMessage(const std::string& text) override { messages.push_back(text); }
        } log;
        FitContext ctx;
        ctx.observer = &log;
        ctx.refitOnValidation = true;
        QVERIFY(model->fit(m_temporal->train, ctx).ok());
        QCOMPARE(int(log.runs.size()), 6);
        int messagesAboutPhases = 0;
        for (const auto& m : log.messages)
            messagesAboutPhases +=
                m.rfind("pre-training", 0) == 0 || m.rfind("fine-tuning", 0) == 0;
        QCOMPARE(messagesAboutPhases, 6);
        // Each refit phase runs at most as many epochs as its early-stopped twin.
        for (int k = 0; k < 3; ++k)
            QVERIFY(log.runs[size_t(k + 3)] <= log.runs[size_t(k)]);
        QCOMPARE(log.unvalidated, log.runs[3] + log.runs[4] + log.runs[5]);
    }

    void bprKernelIndependentOfThreadCount() {
        const TrainData& data = m_temporal->train;
        auto one = make("bpr", {{"epochs", "3"}});
        auto two = make("bpr", {{"epochs", "3"}});
        setComputeThreads(1);
        QVERIFY(one->fit(data, FitContext{}).ok());
        setComputeThreads(2);
        QVERIFY(two->fit(data, FitContext{}).ok());
        setComputeThreads(1);
        const auto a = allScores(*one, data.numUsers);
        const auto b = allScores(*two, data.numUsers);
        QVERIFY(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
    }

    void bprHogwildIsPerTripletSgd() {
        // One thread: stepHogwild over n triplets is n SGD steps, each at the weights the
        // previous one left: the same as n calls of step() on one triplet, and as a plain loop
        // in double precision written from the loss.
        const int32_t users = 7, items = 11, dim = 5;
        const int64_t n = 400;
        std::mt19937 rng(7);
        std::normal_distribution<float> normal(0.0f, 0.3f);
        std::vector<float> p0(static_cast<size_t>(users * dim)),
            q0(static_cast<size_t>(items * dim)), b0(static_cast<size_t>(items));
        for (auto* v : {&p0, &q0, &b0})
            for (float& x : *v)
                x = normal(rng);
        std::vector<int32_t> u(n), i(n), j(n);
        for (int64_t k = 0; k < n; ++k) {
            u[size_t(k)] = int32_t(rng() % users);
            i[size_t(k)] = int32_t(rng() % items);
            j[size_t(k)] = int32_t((i[size_t(k)] + 1 + rng() % (items - 1)) % items);
        }
        const float lr = 0.05f, reg = 0.01f, biasReg = 0.02f;
        auto p1 = p0, q1 = q0, b1 = b0;
        BprCpuKernel hogwild(p1.data(), q1.data(), b1.data(), users, items, dim, 1);
        const double loss1 = hogwild.stepHogwild(u.data(), i.data(), j.data(), n, lr, reg, biasReg);
        auto p2 = p0, q2 = q0, b2 = b0;
        BprCpuKernel batched(p2.data(), q2.data(), b2.data(), users, items, dim, 1);
        double loss2 = 0;
        for (int64_t k = 0; k < n; ++k)
            loss2 += batched.step(&u[size_t(k)], &i[size_t(k)], &j[size_t(k)], 1, lr, reg, biasReg);
        std::vector<double> P(p0.begin(), p0.end()), Q(q0.begin(), q0.end()),
            B(b0.begin(), b0.end());
        double loss3 = 0;
        for (int64_t k = 0; k < n; ++k) {
            double* pu = &P[size_t(u[size_t(k)] * dim)];
            double* qi = &Q[size_t(i[size_t(k)] * dim)];
            double* qj = &Q[size_t(j[size_t(k)] * dim)];
            double& bi = B[size_t(i[size_t(k)])];
            double& bj = B[size_t(j[size_t(k)])];
            double x = bi - bj;
            for (int c = 0; c < dim; ++c)
                x += pu[c] * (qi[c] - qj[c]);
            loss3 += std::log1p(std::exp(-x));
            const double g = 1.0 / (1.0 + std::exp(x));  // -d softplus(-x) / dx
            for (int c = 0; c < dim; ++c) {
                const double pc = pu[c], ic = qi[c], jc = qj[c];
                pu[c] -= lr * (reg * pc - g * (ic - jc));
                qi[c] -= lr * (reg * ic - g * pc);
                qj[c] -= lr * (reg * jc + g * pc);
            }
            const double bic = bi, bjc = bj;
            bi -= lr * (biasReg * bic - g);
            bj -= lr * (biasReg * bjc + g);
        }
        double diffBatched = 0, diffHand = 0;
        const auto compare = [&](const std::vector<float>& a, const std::vector<float>& b,
                                 const std::vector<double>& ref) {
            for (size_t k = 0; k < a.size(); ++k) {
                diffBatched = std::max(diffBatched, double(std::abs(a[k] - b[k])));
                diffHand = std::max(diffHand, std::abs(double(a[k]) - ref[k]));
            }
        };
        compare(p1, p2, P);
        compare(q1, q2, Q);
        compare(b1, b2, B);
        qInfo("hogwild vs step() per triplet %.2e, vs the double loop %.2e; loss %.5f %.5f %.5f",
              diffBatched, diffHand, loss1, loss2 / double(n), loss3 / double(n));
        QVERIFY(diffBatched < 1e-5);
        QVERIFY(diffHand < 1e-4);
        QVERIFY(std::abs(loss1 - loss3 / double(n)) < 1e-4);
        QVERIFY(std::abs(loss1 - loss2 / double(n)) < 1e-4);
        // The weights moved: the comparison above is not between three untouched copies.
        double moved = 0;
        for (size_t k = 0; k < q0.size(); ++k)
            moved = std::max(moved, double(std::abs(q1[k] - q0[k])));
        QVERIFY(moved > 1e-2);
    }

    void bprFusedKernelEqualsAutogradPath() {
        // The autograd path is what runs on CUDA; on the CPU it must give the fused kernel's
        // weights up to float rounding.
        const TrainData& data = m_temporal->train;
        auto fused = make("bpr", {{"epochs", "3"}, {"kernel", "fused"}});
        auto autograd = make("bpr", {{"epochs", "3"}, {"kernel", "autograd"}});
        QVERIFY(fused->fit(data, FitContext{}).ok());
        QVERIFY(autograd->fit(data, FitContext{}).ok());
        const auto a = allScores(*fused, data.numUsers);
        const auto b = allScores(*autograd, data.numUsers);
        double maxDiff = 0, maxAbs = 0;
        for (size_t k = 0; k < a.size(); ++k) {
            maxDiff = std::max(maxDiff, double(std::abs(a[k] - b[k])));
            maxAbs = std::max(maxAbs, double(std::abs(a[k])));
        }
        qInfo("fused vs autograd: max |diff| %.2e, max |score| %.3f", maxDiff, maxAbs);
        QVERIFY(maxAbs > 0.1);
        QVERIFY(maxDiff < 1e-3 * maxAbs);
    }

    void cancelStopsWithinOneBatch_data() { saveLoadGivesIdenticalScores_data(); }
    void cancelStopsWithinOneBatch() {
        QFETCH(QString, name);
        auto model = make(name.toStdString(), {{"epochs", "5"}});
        CancelToken token;
        CancelAfter observer;
        observer.token = &token;
        FitContext ctx;
        ctx.cancel = &token;
        ctx.observer = &observer;
        auto st = model->fit(m_temporal->train, ctx);
        QVERIFY(!st.ok());
        QCOMPARE(QString::fromStdString(st.error().message), QString("cancelled"));
        QCOMPARE(observer.batches, int64_t(2));
        QCOMPARE(observer.afterCancel, int64_t(0));
    }

    void badLearningRateStops_data() { saveLoadGivesIdenticalScores_data(); }
    void badLearningRateStops() {
        QFETCH(QString, name);
        auto model = make(name.toStdString());
        QVERIFY(!model->configure({{"lr", "nan"}}).ok());  // refused as a parameter already
        QVERIFY(model->configure({{"lr", "0"}}).ok());
        auto st = model->fit(m_temporal->train, FitContext{});
        QVERIFY(!st.ok());
        QVERIFY2(QString::fromStdString(st.error().message).startsWith("learning rate must be"),
                 st.error().message.c_str());
    }

    void hugeLearningRateReportsNaN() {
        auto model = make("mf", {{"lr", "10"}, {"epochs", "5"}});
        auto st = model->fit(m_ratio->train, FitContext{});
        QVERIFY(!st.ok());
        QVERIFY2(QString::fromStdString(st.error().message).contains("lower the learning rate"),
                 st.error().message.c_str());
    }

    void unknownDeviceIsAnError() {
        auto model = make("bpr");
        FitContext ctx;
        ctx.device = "cuda:7";
        QVERIFY(!model->fit(m_temporal->train, ctx).ok());
        ctx.device = "tpu";
        QVERIFY(!model->fit(m_temporal->train, ctx).ok());
    }
};

QTEST_GUILESS_MAIN(TestNeuralModels)
#include "tst_neuralmodels.moc"
