// EpochTrainer: early stopping restores the best epoch, cancel lands within one batch, a NaN
// learning rate or a NaN/Inf loss stops with a clear message, and events arrive in order.
// A fake EpochModel whose "weights" are the number of the epoch they were trained in and a
// scripted validation sequence make every expectation exact. The watch list is checked
// against a fake Recommender whose scores depend on the epoch its cache was prepared in.

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/models/TrainData.h"
#include "core/train/EpochTrainer.h"

using namespace recscope;

namespace {

class FakeModel : public EpochModel {
public:
    int64_t batchesPerEpoch = 4;
    int weights = 0;  // the epoch whose training produced the current weights
    int saved = -1;
    int snapshots = 0;
    int restores = 0;
    int epoch = 0;
    int64_t batchesRun = 0;
    // Optional: return this loss at (nanEpoch, nanBatch 1-based).
    int nanEpoch = 0;
    int64_t nanBatch = 0;
    double badLoss = std::numeric_limits<double>::quiet_NaN();
    // Optional: cancel this token during (cancelEpoch, cancelBatch 1-based).
    CancelToken* token = nullptr;
    int cancelEpoch = 0;
    int64_t cancelBatch = 0;
    int64_t batchesAfterCancel = 0;

    int64_t beginEpoch(int e) override {
        epoch = e;
        return batchesPerEpoch;
    }
    double trainBatch(int64_t b) override {
        ++batchesRun;
        if (token && token->cancelled())
            ++batchesAfterCancel;
        weights = epoch;
        if (token && epoch == cancelEpoch && b + 1 == cancelBatch)
            token->cancel();
        if (epoch == nanEpoch && b + 1 == nanBatch)
            return badLoss;
        return loss(epoch, b);
    }
    void snapshot() override {
        saved = weights;
        ++snapshots;
    }
    void restoreSnapshot() override {
        weights = saved;
        ++restores;
    }
    // Like a model with cached vectors: scoring sees the weights of the last preparation.
    int prepared = 0;
    int visibleWeights = 0;
    void prepareScoring() override {
        ++prepared;
        visibleWeights = weights;
    }
    static double loss(int e, int64_t b) { return 1.0 / double(e) + 0.01 * double(b); }
};

// Scores of a FakeModel as a Recommender: distinct per row, shifted by the visible epoch.
class FakeScorer : public Recommender {
public:
    explicit FakeScorer(const FakeModel& m) : m_model(m) {}
    static constexpr int32_t kItems = 8;
    static float score(int32_t user, int32_t item, int epoch) {
        return float((item * 7 + user + 3 * epoch) % kItems);
    }
    std::string name() const override { return "fake"; }
    std::vector<ParamSpec> paramSpecs() const override { return {}; }
    Status fit(const TrainData&, const FitContext&) override { return {}; }
    int32_t numItems() const override { return kItems; }
    void scoreUsers(const int32_t* users, int64_t n, float* out) const override {
        for (int64_t r = 0; r < n; ++r)
            for (int32_t i = 0; i < kItems; ++i)
                out[r * kItems + i] = score(users[r], i, m_model.visibleWeights);
    }
    Status save(const std::string&) const override { return {}; }
    Status load(const std::string&) override { return {}; }

private:
    const FakeModel& m_model;
};

// 4 users x 8 items; user 0 rated items 1 and 2, user 1 nothing, user 2 item 0, user 3 all.
TrainData watchData() {
    TrainData d;
    d.numUsers = 4;
    d.numItems = FakeScorer::kItems;
    d.allRatings.rows = 4;
    d.allRatings.cols = FakeScorer::kItems;
    d.allRatings.offsets = {0, 2, 2, 3, 11};  // user 3 rated every item: all are in the catalogue
    d.allRatings.indices = {1, 2, 0, 0, 1, 2, 3, 4, 5, 6, 7};
    d.allRatings.values = {4, 5, 3, 5, 5, 5, 5, 5, 5, 5, 5};
    d.positives = d.allRatings;
    return d;
}

// Brute force: all items but the rated ones (all positives here), by score, best first.
std::vector<int32_t> bruteTopK(const TrainData& d, int32_t user, int epoch, int k) {
    std::vector<std::pair<float, int32_t>> all;
    for (int32_t i = 0; i < d.numItems; ++i) {
        bool rated = false;
        for (int64_t p = d.allRatings.offsets[user]; p < d.allRatings.offsets[user + 1]; ++p)
            rated = rated || d.allRatings.indices[size_t(p)] == i;
        if (!rated)
            all.push_back({-FakeScorer::score(user, i, epoch), i});
    }
    std::sort(all.begin(), all.end());
    std::vector<int32_t> out;
    for (int j = 0; j < k && j < int(all.size()); ++j)
        out.push_back(all[size_t(j)].second);
    return out;
}

ValidateFn scripted(const std::vector<double>& values, const std::string& key, int* calls) {
    return [values, key, calls]() -> Result<std::map<std::string, double>> {
        const size_t k = size_t((*calls)++);
        return std::map<std::string, double>{{key, values.at(k)}, {"other", -1.0}};
    };
}

struct Recorder : TrainObserver {
    std::vector<std::string> events;
    std::vector<EpochReport> epochs;
    std::vector<double> losses;
    void onBatch(int epoch, int64_t batch, int64_t perEpoch, double loss) override {
        events.push_back("b" + std::to_string(epoch) + "." + std::to_string(batch) + "/" +
                         std::to_string(perEpoch));
        losses.push_back(loss);
    }
    void onEpoch(const EpochReport& r) override {
        events.push_back("e" + std::to_string(r.epoch));
        epochs.push_back(r);
    }
};

}  // namespace

class TestTrainer : public QObject {
    Q_OBJECT

private slots:
    void earlyStoppingRestoresBestEpoch() {
        FakeModel model;
        int calls = 0;
        TrainConfig config;
        config.epochs = 20;
        config.patience = 3;
        EpochTrainer trainer(config);
        // Best at epoch 3; epochs 4, 5, 6 do not beat it -> stop after 6, restore 3.
        trainer.setValidator(
            scripted({0.10, 0.20, 0.30, 0.25, 0.30, 0.29, 0.5}, "ndcg@10", &calls));
        auto result = trainer.run(model, FitContext{});
        QVERIFY(result.ok());
        QCOMPARE(result->epochsRun, 6);
        QCOMPARE(result->bestEpoch, 3);
        QCOMPARE(result->bestMetric, 0.30);
        QVERIFY(result->stoppedEarly);
        QCOMPARE(calls, 6);
        QCOMPARE(model.weights, 3);
        QCOMPARE(model.restores, 1);
        QCOMPARE(model.snapshots, 3);  // epochs 1, 2, 3 each improved
        QCOMPARE(int(result->history.size()), 6);
        QCOMPARE(result->history[3].validation.at("ndcg@10"), 0.25);
    }

    void lowerIsBetterAndNoRestoreWhenLastIsBest() {
        FakeModel model;
        int calls = 0;
        TrainConfig config;
        config.epochs = 4;
        config.patience = 2;
        config.metric = "rmse";
        config.higherIsBetter = false;
        EpochTrainer trainer(config);
        trainer.setValidator(scripted({1.2, 1.0, 1.1, 0.9}, "rmse", &calls));
        auto result = trainer.run(model, FitContext{});
        QVERIFY(result.ok());
        QCOMPARE(result->epochsRun, 4);
        QCOMPARE(result->bestEpoch, 4);
        QVERIFY(!result->stoppedEarly);
        QCOMPARE(model.restores, 0);
        QCOMPARE(model.weights, 4);
    }

    void patienceZeroNeverStops() {
        FakeModel model;
        int calls = 0;
        TrainConfig config;
        config.epochs = 5;
        config.patience = 0;
        EpochTrainer trainer(config);
        trainer.setValidator(scripted({0.5, 0.4, 0.3, 0.2, 0.1}, "ndcg@10", &calls));
        auto result = trainer.run(model, FitContext{});
        QVERIFY(result.ok());
        QCOMPARE(result->epochsRun, 5);
        QCOMPARE(result->bestEpoch, 1);
        QCOMPARE(model.weights, 1);  // restored
    }

    void withoutValidationEveryEpochRunsAndLastIsKept() {
        FakeModel model;
        TrainConfig config;
        config.epochs = 3;
        EpochTrainer trainer(config);
        auto result = trainer.run(model, FitContext{});
        QVERIFY(result.ok());
        QCOMPARE(result->epochsRun, 3);
        QCOMPARE(result->bestEpoch, 0);
        QCOMPARE(model.weights, 3);
        QCOMPARE(model.snapshots, 0);
        QCOMPARE(model.restores, 0);
    }

    void cancelStopsWithinOneBatch() {
        FakeModel model;
        CancelToken token;
        model.token = &token;
        model.cancelEpoch = 2;
        model.cancelBatch = 3;
        TrainConfig config;
        config.epochs = 5;
        EpochTrainer trainer(config);
        FitContext context;
        context.cancel = &token;
        auto result = trainer.run(model, context);
        QVERIFY(!result.ok());
        QCOMPARE(QString::fromStdString(result.error().message), QString("cancelled"));
        QCOMPARE(model.batchesAfterCancel, int64_t(0));
        QCOMPARE(model.batchesRun, int64_t(4 + 3));
    }

    void cancelledBeforeStartRunsNothing() {
        FakeModel model;
        CancelToken token;
        token.cancel();
        FitContext context;
        context.cancel = &token;
        auto result = EpochTrainer(TrainConfig{}).run(model, context);
        QVERIFY(!result.ok());
        QCOMPARE(QString::fromStdString(result.error().message), QString("cancelled"));
        QCOMPARE(model.batchesRun, int64_t(0));
    }

    void badLearningRateRejectedUpFront_data() {
        QTest::addColumn<double>("lr");
        QTest::newRow("nan") << std::numeric_limits<double>::quiet_NaN();
        QTest::newRow("negative") << -0.01;
        QTest::newRow("zero") << 0.0;
        QTest::newRow("inf") << std::numeric_limits<double>::infinity();
    }
    void badLearningRateRejectedUpFront() {
        QFETCH(double, lr);
        FakeModel model;
        TrainConfig config;
        config.learningRate = lr;
        auto result = EpochTrainer(config).run(model, FitContext{});
        QVERIFY(!result.ok());
        QVERIFY(QString::fromStdString(result.error().message).startsWith("learning rate must be"));
        QCOMPARE(model.batchesRun, int64_t(0));
    }

    void nanLossStopsWithMessage() {
        FakeModel model;
        model.batchesPerEpoch = 20;
        model.nanEpoch = 3;
        model.nanBatch = 17;
        Recorder recorder;
        FitContext context;
        context.observer = &recorder;
        TrainConfig config;
        config.epochs = 10;
        auto result = EpochTrainer(config).run(model, context);
        QVERIFY(!result.ok());
        QCOMPARE(QString::fromStdString(result.error().message),
                 QString::fromUtf8(
                     "loss became NaN at epoch 3, batch 17 \u2014 lower the learning rate"));
        QCOMPARE(model.batchesRun, int64_t(20 + 20 + 17));
        QCOMPARE(int(recorder.losses.size()), 20 + 20 + 16);  // the bad batch is not reported
    }

    void infLossStopsWithMessage() {
        FakeModel model;
        model.nanEpoch = 1;
        model.nanBatch = 2;
        model.badLoss = -std::numeric_limits<double>::infinity();
        auto result = EpochTrainer(TrainConfig{}).run(model, FitContext{});
        QVERIFY(!result.ok());
        QCOMPARE(QString::fromStdString(result.error().message),
                 QString::fromUtf8(
                     "loss became Inf at epoch 1, batch 2 \u2014 lower the learning rate"));
    }

    void eventsArriveInOrder() {
        FakeModel model;
        model.batchesPerEpoch = 3;
        Recorder recorder;
        FitContext context;
        context.observer = &recorder;
        std::vector<double> fractions;
        context.progress = [&](const Progress& p) { fractions.push_back(p.fraction); };
        int calls = 0;
        TrainConfig config;
        config.epochs = 2;
        EpochTrainer trainer(config);
        trainer.setValidator(scripted({0.1, 0.2}, "ndcg@10", &calls));
        auto result = trainer.run(model, context);
        QVERIFY(result.ok());
        const std::vector<std::string> expected{"b1.1/3", "b1.2/3", "b1.3/3", "e1",
                                                "b2.1/3", "b2.2/3", "b2.3/3", "e2"};
        QCOMPARE(recorder.events, expected);
        for (int e = 1; e <= 2; ++e) {
            const auto& r = recorder.epochs[size_t(e - 1)];
            QCOMPARE(r.epoch, e);
            double mean = 0;
            for (int b = 0; b < 3; ++b) {
                QCOMPARE(recorder.losses[size_t((e - 1) * 3 + b)], FakeModel::loss(e, b));
                mean += FakeModel::loss(e, b) / 3.0;
            }
            QVERIFY(std::abs(r.trainLoss - mean) < 1e-12);
            QCOMPARE(r.validation.at("ndcg@10"), 0.1 * e);
            QVERIFY(r.seconds >= 0.0);
        }
        QCOMPARE(int(fractions.size()), 6);
        QVERIFY(std::is_sorted(fractions.begin(), fractions.end()));
        QCOMPARE(fractions.back(), 1.0);
    }

    void watchListScoresEachEpochsWeights() {
        FakeModel model;
        FakeScorer scorer(model);
        const TrainData data = watchData();
        Recorder recorder;
        FitContext context;
        context.observer = &recorder;
        context.watchUsers = {2, 0, 7, -1, 0};  // 7 and -1 out of range, 0 twice
        context.watchK = 3;
        TrainConfig config;
        config.epochs = 3;
        EpochTrainer trainer(config);
        trainer.setWatchModel(&scorer, &data);
        auto result = trainer.run(model, context);
        QVERIFY(result.ok());
        QCOMPARE(model.prepared, 3);
        QCOMPARE(int(recorder.epochs.size()), 3);
        for (int e = 1; e <= 3; ++e) {
            const auto& lists = recorder.epochs[size_t(e - 1)].watchTopK;
            QCOMPARE(int(lists.size()), 2);
            QCOMPARE(lists.at(0), bruteTopK(data, 0, e, 3));
            QCOMPARE(lists.at(2), bruteTopK(data, 2, e, 3));
            QCOMPARE(result->history[size_t(e - 1)].watchTopK, lists);
        }
        // The lists really change with the epoch (the check above could not pass by luck).
        QVERIFY(recorder.epochs[0].watchTopK.at(0) != recorder.epochs[1].watchTopK.at(0));
    }

    void noWatchNoValidationNoScoring() {
        FakeModel model;
        FakeScorer scorer(model);
        const TrainData data = watchData();
        Recorder recorder;
        FitContext context;
        context.observer = &recorder;
        TrainConfig config;
        config.epochs = 2;
        EpochTrainer trainer(config);
        trainer.setWatchModel(&scorer, &data);  // nobody watched
        QVERIFY(trainer.run(model, context).ok());
        QCOMPARE(model.prepared, 0);
        for (const auto& r : recorder.epochs)
            QVERIFY(r.watchTopK.empty());
        // Watched users but no watch model: empty lists, still no scoring.
        FakeModel other;
        context.watchUsers = {0};
        EpochTrainer plain(config);
        QVERIFY(plain.run(other, context).ok());
        QCOMPARE(other.prepared, 0);
        QVERIFY(recorder.epochs.back().watchTopK.empty());
    }

    void validationErrorIsPassedThrough() {
        FakeModel model;
        EpochTrainer trainer(TrainConfig{});
        trainer.setValidator([]() -> Result<std::map<std::string, double>> {
            return makeError("validation broke");
        });
        auto result = trainer.run(model, FitContext{});
        QVERIFY(!result.ok());
        QCOMPARE(QString::fromStdString(result.error().message), QString("validation broke"));
    }
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
