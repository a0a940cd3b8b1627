// The evaluation engine on a hand-built split (full ranking values computed by hand) and on a
// seeded random split (sampled ranking: never a seen item, deterministic per seed).
#include <QtTest>

#include <cmath>
#include <functional>
#include <numeric>
#include <random>
#include <set>

#include "core/eval/ActivityBreakdown.h"
#include "core/eval/Evaluator.h"
#include "core/eval/MetricCatalogue.h"
#include "core/eval/NegativeItemSampler.h"
#include "core/eval/PairedComparison.h"
#include "core/models/Recommender.h"
#include "core/models/TrainData.h"
#include "core/split/Split.h"

using namespace recscope;

namespace {

// Scores from a fixed users x items table (or a function), optionally predicting ratings.
class TableModel : public Recommender {
public:
    TableModel(int32_t items, std::function<float(int32_t, int32_t)> score)
        : m_items(items), m_score(std::move(score)) {}
    std::string name() const override { return "table"; }
    std::vector<ParamSpec> paramSpecs() const override { return {}; }
    Status fit(const TrainData&, const FitContext&) override { return {}; }
    int32_t numItems() const override { return m_items; }
    void scoreUsers(const int32_t* users, int64_t n, float* out) const override {
        for (int64_t r = 0; r < n; ++r)
            for (int32_t i = 0; i < m_items; ++i)
                out[r * m_items + i] = m_score(users[r], i);
    }
    bool predictsRatings() const override { return m_rating > 0; }
    void predictRatings(const int32_t*, const int32_t*, int64_t n, float* out) const override {
        for (int64_t i = 0; i < n; ++i)
            out[i] = m_rating;
    }
    Status save(const std::string&) const override { return {}; }
    Status load(const std::string&) override { return {}; }
    float m_rating = 0.0f;

private:
    int32_t m_items;
    std::function<float(int32_t, int32_t)> m_score;
};

Split handSplit() {
    Split s;
    s.config.threshold = 4.0;
    s.threshold = 4.0;
    s.numUsers = 4;
    s.numItems = 6;
    s.train.append(0, 0, 5, 1);
    s.train.append(0, 1, 4, 2);
    s.train.append(0, 2, 2, 3);
    s.train.append(1, 3, 5, 1);
    s.train.append(1, 4, 5, 2);
    s.train.append(1, 5, 5, 3);
    s.train.append(2, 0, 5, 1);
    s.train.append(3, 1, 5, 1);
    s.validation.append(0, 3, 5, 4);
    s.validation.append(2, 2, 5, 2);
    s.test.append(0, 4, 5, 5);
    s.test.append(0, 5, 3, 6);
    s.test.append(1, 0, 2, 4);
    s.test.append(2, 3, 4, 3);
    s.test.append(2, 5, 5, 4);
    return s;
}

float handScore(int32_t user, int32_t item) {
    return user == 1 ? 1.0f : static_cast<float>(9 - item);  // lower id first, no ties
}

float tiedScore(int32_t user, int32_t item) {
    return user == 0 ? static_cast<float>(9 - item) : 1.0f;  // users 1..3: all tied
}

// 30 users, 300 items; per user 20 train items, then 1 validation and 1 test item, all positive.
Split randomSplit(uint64_t seed) {
    Split s;
    s.config.threshold = 0.0;
    s.threshold = 0.0;
    s.numUsers = 30;
    s.numItems = 300;
    std::mt19937_64 rng(seed);
    for (int32_t u = 0; u < s.numUsers; ++u) {
        std::vector<int32_t> items(300);
        std::iota(items.begin(), items.end(), 0);
        std::shuffle(items.begin(), items.end(), rng);
        for (int t = 0; t < 20; ++t)
            s.train.append(u, items[t], 5, t);
        s.validation.append(u, items[20], 5, 20);
        s.test.append(u, items[21], 5, 21);
    }
    return s;
}

bool near(double a, double b) {
    return std::fabs(a - b) < 1e-9;
}

}  // namespace

class TestEvaluator : public QObject {
    Q_OBJECT

private slots:
    void fullRankingByHand();
    void excludeRatedByHand();
    void tiesFollowSeededOrder();
    void sampledTiesFollowSeededOrder();
    void sampledReportsOnlyMeaningfulMetrics();
    void strongFoldIn();
    void validationPart();
    void catalogueStatistics();
    void ratingErrors();
    void cancel();
    void samplerNeverDrawsSeen();
    void samplerPopularity();
    void sampledNeverRanksSeenItems();
    void sampledWorstRank();
    void sampledIsSeeded();
    void breakdownAndPairedComparison();
    void everyMetricIsCatalogued();
};

void TestEvaluator::fullRankingByHand() {
    const Split split = handSplit();
    const TrainData data = TrainData::build(split, nullptr);
    QCOMPARE(data.positives.nnz(), int64_t{7});
    QCOMPARE(data.itemPopularity, (std::vector<int64_t>{2, 2, 0, 1, 1, 1}));
    TableModel model(6, handScore);
    EvalConfig config;
    config.ks = {1, 2, 10};
    auto r = evaluate(model, data, EvalPart::Test, config);
    QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
    // User 1 has no test positive (rating 2); users 0 and 2 are evaluated.
    QCOMPARE(r->usersEvaluated, 2);
    QCOMPARE(r->users, (std::vector<int32_t>{0, 2}));
    const auto& m = r->metrics;
    // User 0 ranks 2, 4, 5 (0, 1 train positives, 3 validation); relevant {4} at rank 2.
    // User 2 ranks 1, 3, 4, 5 (0 train, 2 validation); relevant {3, 5} at 2 and 4.
    QCOMPARE(m.at("hit@1"), 0.0);
    QCOMPARE(m.at("hit@2"), 1.0);
    QVERIFY(near(m.at("recall@2"), (1.0 + 0.5) / 2));
    QVERIFY(near(m.at("precision@2"), 0.5));
    const double g2 = 1.0 / std::log2(3.0);
    QVERIFY(near(m.at("ndcg@2"), (g2 + g2 / (1.0 + g2)) / 2));
    QVERIFY(near(m.at("mrr@2"), 0.5));
    QVERIFY(near(m.at("map@2"), (0.5 + 0.25) / 2));
    QVERIFY(near(m.at("recall@10"), 1.0));
    QVERIFY(near(m.at("precision@10"), (0.1 + 0.2) / 2));
    const double ndcg2 = (g2 + 1.0 / std::log2(5.0)) / (1.0 + g2);
    QVERIFY(near(m.at("ndcg@10"), (g2 + ndcg2) / 2));
    QVERIFY(near(m.at("map@10"), (0.5 + 0.5) / 2));
    QCOMPARE(r->perUser.at("recall@2"), (std::vector<float>{1.0f, 0.5f}));
    // Capped recall divides by min(K, |relevant|): user 2 at K = 1 has 0 hits of min(1, 2).
    QVERIFY(near(m.at("recall_capped@2"), (1.0 + 0.5) / 2));
    QVERIFY(near(m.at("recall_capped@1"), 0.0));
    QVERIFY(m.find("rmse") == m.end());
    QVERIFY(m.find("mrr") == m.end());
}

// --exclude rated: user 0's non-positive training item 2 (rating 2) leaves the list too, so
// user 0 ranks 4, 5 and finds relevant {4} at rank 1; user 2 (only positives) is unchanged.
void TestEvaluator::excludeRatedByHand() {
    Split split = handSplit();
    split.config.exclude = ExcludeRule::Rated;
    const TrainData data = TrainData::build(split, nullptr);
    TableModel model(6, handScore);
    EvalConfig config;
    config.ks = {1, 2};
    config.keepLists = true;
    auto r = evaluate(model, data, EvalPart::Test, config);
    QVERIFY(r.ok());
    QCOMPARE(r->listWidth, 2);
    QCOMPARE(r->lists, (std::vector<int32_t>{4, 5, 1, 3}));
    QVERIFY(near(r->metrics.at("hit@1"), 0.5));
    QVERIFY(near(r->metrics.at("mrr@2"), (1.0 + 0.5) / 2));
    // Fitted on train + validation, the lists lose the same items: validation items stay out
    // of test lists whatever --fit-on says.
    const Split merged = withValidationInTrain(split);
    const TrainData mergedData = TrainData::build(merged, nullptr);
    auto m = evaluate(model, mergedData, EvalPart::Test, config);
    QVERIFY(m.ok());
    QCOMPARE(m->lists, r->lists);
    const Split positives = handSplit();
    const Split mergedPositives = withValidationInTrain(positives);
    const TrainData p1 = TrainData::build(positives, nullptr);
    const TrainData p2 = TrainData::build(mergedPositives, nullptr);
    auto a = evaluate(model, p1, EvalPart::Test, config);
    auto b = evaluate(model, p2, EvalPart::Test, config);
    QVERIFY(a.ok() && b.ok());
    QCOMPARE(a->lists, (std::vector<int32_t>{2, 4, 1, 3}));
    QCOMPARE(b->lists, a->lists);
}

// Ties follow the seeded order of docs/protocols.md ("Ties"). User 2 scores every item alike;
// its candidates {1, 3, 4, 5} in key order, computed by an independent implementation of
// mixSeed (Python, see tst_determinism.cpp): seed 42 -> 4, 3, 5, 1; seed 7 -> 3, 4, 5, 1.
void TestEvaluator::tiesFollowSeededOrder() {
    const Split split = handSplit();
    const TrainData data = TrainData::build(split, nullptr);
    TableModel model(6, tiedScore);
    EvalConfig config;
    config.ks = {4};
    config.keepLists = true;
    config.seed = 42;
    auto r = evaluate(model, data, EvalPart::Test, config);
    QVERIFY(r.ok());
    QCOMPARE(r->users, (std::vector<int32_t>{0, 2}));
    const std::vector<int32_t> user2(r->lists.begin() + 4, r->lists.end());
    QCOMPARE(user2, (std::vector<int32_t>{4, 3, 5, 1}));
    // Relevant {3, 5} at ranks 2 and 3.
    QVERIFY(near(r->perUser.at("mrr@4")[1], 0.5));
    config.seed = 7;
    auto s = evaluate(model, data, EvalPart::Test, config);
    QVERIFY(s.ok());
    QCOMPARE(std::vector<int32_t>(s->lists.begin() + 4, s->lists.end()),
             (std::vector<int32_t>{3, 4, 5, 1}));
    QVERIFY(near(s->perUser.at("mrr@4")[1], 1.0));
}

// Sampled ranking breaks ties the same way: user 0 has seen {0, 1} and tests {2}; the only
// never-seen items {3, 4, 5} are all drawn, all tied with the target. Key order of {2, 3, 4, 5}
// for user 0 (Python reference): seed 1 puts 2 first (rank 1), seed 2 last (rank 4), seed 3
// third.
void TestEvaluator::sampledTiesFollowSeededOrder() {
    Split split;
    split.numUsers = 2;
    split.numItems = 6;
    split.train.append(0, 0, 5, 1);
    split.train.append(0, 1, 5, 2);
    split.train.append(1, 2, 5, 4);
    split.train.append(1, 3, 5, 1);
    split.train.append(1, 4, 5, 2);
    split.train.append(1, 5, 5, 3);
    split.test.append(0, 2, 5, 3);
    const TrainData data = TrainData::build(split, nullptr);
    TableModel model(6, [](int32_t, int32_t) { return 0.5f; });
    EvalConfig config;
    config.mode = EvalMode::Sampled;
    config.negatives = 99;
    config.ks = {1, 3};
    const std::pair<uint64_t, double> expected[] = {{1, 1.0}, {2, 0.25}, {3, 1.0 / 3.0}};
    for (const auto& [seed, mrr] : expected) {
        config.seed = seed;
        auto r = evaluate(model, data, EvalPart::Test, config);
        QVERIFY(r.ok());
        QVERIFY2(near(r->metrics.at("mrr"), mrr), std::to_string(seed).c_str());
    }
}

// A sampled list holds negatives + 1 items: K at or beyond that and the catalogue statistics
// are left out, and cut-offs that are all too large are an error.
void TestEvaluator::sampledReportsOnlyMeaningfulMetrics() {
    const Split split = randomSplit(5);
    const TrainData data = TrainData::build(split, nullptr);
    TableModel model(300,
                     [](int32_t u, int32_t i) { return static_cast<float>((u * 7 + i) % 13); });
    EvalConfig config;
    config.mode = EvalMode::Sampled;
    config.negatives = 9;
    config.ks = {5, 10, 20};
    auto r = evaluate(model, data, EvalPart::Test, config);
    QVERIFY(r.ok());
    QVERIFY(r->metrics.count("hit@5"));
    QVERIFY(!r->metrics.count("hit@10"));
    QVERIFY(!r->metrics.count("ndcg@20"));
    for (const char* k : {"coverage@5", "avgpop@5", "novelty@5", "gini@5"})
        QVERIFY2(!r->metrics.count(k), k);
    config.ks = {10, 20};
    auto bad = evaluate(model, data, EvalPart::Test, config);
    QVERIFY(!bad.ok());
    QVERIFY(bad.error().message.find("below") != std::string::npos);
}

// Strong protocol: held-out users are scored through scoreHistory() of their fold-in rows
// only, the fold-in items removed under the rule; a model that cannot fold in is refused.
void TestEvaluator::strongFoldIn() {
    Split split;
    split.config = defaultSplitConfig(Protocol::Strong);
    split.config.threshold = 4.0;
    split.threshold = 4.0;
    split.numUsers = 3;
    split.numItems = 6;
    for (int32_t i = 0; i < 6; ++i)
        split.train.append(0, i, 5, i);  // user 0 trains; users 1 and 2 are held out
    split.foldIn.append(1, 0, 5, 1);
    split.foldIn.append(1, 1, 2, 2);  // not a positive: stays in the list under "positives"
    split.test.append(1, 3, 5, 3);
    split.foldIn.append(2, 5, 5, 1);
    split.test.append(2, 4, 5, 2);
    const TrainData data = TrainData::build(split, nullptr);

    // Fold-in scores: item i gets i, plus 10 for every history item (so the rule decides).
    struct FoldInModel : TableModel {
        FoldInModel() : TableModel(6, [](int32_t, int32_t) { return 0.0f; }) {}
        bool canFoldIn() const override { return true; }
        Status scoreHistory(const std::vector<HistoryEntry>& h, float* out) const override {
            calls += 1;
            for (int32_t i = 0; i < 6; ++i)
                out[i] = static_cast<float>(i);
            for (const HistoryEntry& e : h)
                out[e.item] += 10.0f;
            return {};
        }
        mutable int calls = 0;
    } model;
    EvalConfig config;
    config.ks = {1, 2};
    config.keepLists = true;
    auto r = evaluate(model, data, EvalPart::Test, config);
    QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
    QCOMPARE(model.calls, 2);
    QCOMPARE(r->users, (std::vector<int32_t>{1, 2}));
    // User 1: 0 removed (positive), 1 stays and leads (11), then 5; user 2: 5 removed -> 4, 3.
    QCOMPARE(r->lists, (std::vector<int32_t>{1, 5, 4, 3}));
    QVERIFY(near(r->metrics.at("hit@1"), 0.5));
    Split rated = split;
    rated.config.exclude = ExcludeRule::Rated;
    const TrainData ratedData = TrainData::build(rated, nullptr);
    auto q = evaluate(model, ratedData, EvalPart::Test, config);
    QVERIFY(q.ok());
    QCOMPARE(q->lists, (std::vector<int32_t>{5, 4, 4, 3}));

    TableModel plain(6, handScore);  // canFoldIn() is false
    auto refused = evaluate(plain, data, EvalPart::Test, config);
    QVERIFY(!refused.ok());
    QVERIFY(refused.error().message.find("cannot fold in") != std::string::npos);
}

void TestEvaluator::validationPart() {
    const Split split = handSplit();
    const TrainData data = TrainData::build(split, nullptr);
    TableModel model(6, handScore);
    EvalConfig config;
    config.ks = {1, 2};
    auto r = evaluate(model, data, EvalPart::Validation, config);
    QVERIFY(r.ok());
    // Validation positives: user 0 {3}, user 2 {2}; only training positives are removed, so
    // user 0 ranks 2, 3, ... and user 2 ranks 1, 2, ...: both at rank 2.
    QCOMPARE(r->usersEvaluated, 2);
    QCOMPARE(r->metrics.at("hit@1"), 0.0);
    QCOMPARE(r->metrics.at("mrr@2"), 0.5);
}

void TestEvaluator::catalogueStatistics() {
    const Split split = handSplit();
    const TrainData data = TrainData::build(split, nullptr);
    TableModel model(6, handScore);
    EvalConfig config;
    config.ks = {1, 100};
    auto r = evaluate(model, data, EvalPart::Test, config);
    QVERIFY(r.ok());
    // Top-1: user 0 -> item 2 (popularity 0), user 2 -> item 1 (popularity 2).
    QVERIFY(near(r->metrics.at("coverage@1"), 2.0 / 6.0));
    QVERIFY(near(r->metrics.at("avgpop@1"), 1.0));
    // Users with training data: 4; novelty = mean of log2(4) - log2(max(pop, 1)) = (2 + 1) / 2.
    QVERIFY(near(r->metrics.at("novelty@1"), 1.5));
    // K = 100 exceeds the catalogue: lists of 3 and 4 items; items 1..5 recommended.
    QVERIFY(near(r->metrics.at("coverage@100"), 5.0 / 6.0));
    // Counts over the 6 catalogue items, sorted {0,0,0,0,1,1}: (3 + 5) / (6 * 2).
    QVERIFY(near(r->metrics.at("gini@1"), 8.0 / 12.0));
    QVERIFY(r->metrics.find("diversity@1") == r->metrics.end());  // no dataset: no genres
}

void TestEvaluator::ratingErrors() {
    const Split split = handSplit();
    const TrainData data = TrainData::build(split, nullptr);
    TableModel model(6, handScore);
    model.m_rating = 4.0f;
    auto r = evaluate(model, data, EvalPart::Test, EvalConfig{});
    QVERIFY(r.ok());
    // Test ratings 5, 3, 2, 4, 5 against 4: errors 1, 1, 2, 0, 1.
    QVERIFY(near(r->metrics.at("rmse"), std::sqrt(7.0 / 5.0)));
    QVERIFY(near(r->metrics.at("mae"), 1.0));
}

void TestEvaluator::cancel() {
    const Split split = handSplit();
    const TrainData data = TrainData::build(split, nullptr);
    TableModel model(6, handScore);
    CancelToken token;
    token.cancel();
    auto r = evaluate(model, data, EvalPart::Test, EvalConfig{}, &token);
    QVERIFY(!r.ok());
    QCOMPARE(QString::fromStdString(r.error().message), QString("cancelled"));
    QVERIFY(r.error().cancelled());
}

void TestEvaluator::samplerNeverDrawsSeen() {
    std::vector<int32_t> pool(50);
    std::iota(pool.begin(), pool.end(), 0);
    const NegativeItemSampler sampler(pool, {});
    std::vector<int32_t> seen{1, 5, 7, 20, 33, 49};
    std::vector<int32_t> a;
    std::vector<int32_t> b;
    for (uint64_t seed = 0; seed < 50; ++seed) {
        sampler.draw(seen, 30, seed, a);
        QCOMPARE(a.size(), size_t{30});
        std::vector<int32_t> sorted = a;
        std::sort(sorted.begin(), sorted.end());
        QVERIFY(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
        for (int32_t item : a)
            QVERIFY(!std::binary_search(seen.begin(), seen.end(), item));
        sampler.draw(seen, 30, seed, b);
        QCOMPARE(a, b);
    }
    // Nearly everything seen: the exact fallback returns exactly the eligible items.
    std::vector<int32_t> most(pool.begin(), pool.begin() + 47);
    sampler.draw(most, 10, 3, a);
    std::sort(a.begin(), a.end());
    QCOMPARE(a, (std::vector<int32_t>{47, 48, 49}));
}

void TestEvaluator::samplerPopularity() {
    std::vector<int32_t> pool{0, 1, 2, 3, 4};
    const NegativeItemSampler sampler(pool, {100, 0, 1, 0, 50});
    std::vector<int32_t> out;
    std::vector<int> counts(5, 0);
    for (uint64_t seed = 0; seed < 300; ++seed) {
        sampler.draw({}, 1, seed, out);
        QCOMPARE(out.size(), size_t{1});
        ++counts[static_cast<size_t>(out[0])];
    }
    QCOMPARE(counts[1], 0);  // weight 0: never
    QCOMPARE(counts[3], 0);
    QVERIFY(counts[0] > counts[4] && counts[4] > counts[2]);
    sampler.draw({0}, 5, 1, out);  // only 2 and 4 eligible
    std::sort(out.begin(), out.end());
    QCOMPARE(out, (std::vector<int32_t>{2, 4}));
}

void TestEvaluator::sampledNeverRanksSeenItems() {
    const Split split = randomSplit(7);
    const TrainData data = TrainData::build(split, nullptr);
    // Seen (train/validation) items score above the test item, unseen ones below: any seen item
    // among the sampled negatives would push the test item off rank 1.
    std::vector<std::vector<char>> seen(30, std::vector<char>(300, 0));
    std::vector<int32_t> testItem(30);
    for (size_t i = 0; i < split.train.size(); ++i)
        seen[static_cast<size_t>(split.train.users[i])][static_cast<size_t>(split.train.items[i])] =
            1;
    for (size_t i = 0; i < split.validation.size(); ++i)
        seen[static_cast<size_t>(split.validation.users[i])]
            [static_cast<size_t>(split.validation.items[i])] = 1;
    for (size_t i = 0; i < split.test.size(); ++i)
        testItem[static_cast<size_t>(split.test.users[i])] = split.test.items[i];
    TableModel model(300, [&](int32_t u, int32_t i) {
        if (seen[static_cast<size_t>(u)][static_cast<size_t>(i)])
            return 100.0f;
        return i == testItem[static_cast<size_t>(u)] ? 0.0f : -1.0f;
    });
    for (NegativeSampler kind : {NegativeSampler::Uniform, NegativeSampler::Popularity}) {
        EvalConfig config;
        config.mode = EvalMode::Sampled;
        config.sampler = kind;
        config.ks = {1, 10};
        auto r = evaluate(model, data, EvalPart::Test, config);
        QVERIFY(r.ok());
        QCOMPARE(r->usersEvaluated, 30);
        QCOMPARE(r->metrics.at("hit@1"), 1.0);
        QCOMPARE(r->metrics.at("mrr"), 1.0);
    }
}

void TestEvaluator::sampledWorstRank() {
    const Split split = randomSplit(8);
    const TrainData data = TrainData::build(split, nullptr);
    std::vector<int32_t> testItem(30);
    for (size_t i = 0; i < split.test.size(); ++i)
        testItem[static_cast<size_t>(split.test.users[i])] = split.test.items[i];
    TableModel model(300, [&](int32_t u, int32_t i) {
        return i == testItem[static_cast<size_t>(u)] ? -5.0f : 0.0f;
    });
    EvalConfig config;
    config.mode = EvalMode::Sampled;
    config.negatives = 99;
    config.ks = {10, 99, 100};
    auto r = evaluate(model, data, EvalPart::Test, config);
    QVERIFY(r.ok());
    // 99 negatives are drawn for every user (278 eligible), so the test item is 100th.
    QVERIFY(near(r->metrics.at("mrr"), 0.01));
    QCOMPARE(r->metrics.at("hit@10"), 0.0);
    QCOMPARE(r->metrics.at("hit@99"), 0.0);
    QVERIFY(!r->metrics.count("hit@100"));  // always 1 with 100 items: not reported
}

void TestEvaluator::sampledIsSeeded() {
    const Split split = randomSplit(9);
    const TrainData data = TrainData::build(split, nullptr);
    TableModel model(300, [](int32_t u, int32_t i) {
        return static_cast<float>(mixSeed(static_cast<uint64_t>(u), static_cast<uint64_t>(i)) %
                                  1000);
    });
    EvalConfig config;
    config.mode = EvalMode::Sampled;
    config.seed = 11;
    auto a = evaluate(model, data, EvalPart::Test, config);
    config.batchUsers = 7;  // batching and threads must not change the draw
    config.threads = 1;
    auto b = evaluate(model, data, EvalPart::Test, config);
    config.seed = 12;
    auto c = evaluate(model, data, EvalPart::Test, config);
    QVERIFY(a.ok() && b.ok() && c.ok());
    QCOMPARE(a->metrics, b->metrics);
    QCOMPARE(a->perUser.at("mrr"), b->perUser.at("mrr"));
    QVERIFY(a->perUser.at("mrr") != c->perUser.at("mrr"));
}

void TestEvaluator::breakdownAndPairedComparison() {
    const Split split = randomSplit(10);
    const TrainData data = TrainData::build(split, nullptr);
    TableModel good(300, [&](int32_t u, int32_t i) {
        return static_cast<float>(data.itemPopularity[static_cast<size_t>(i)]);
    });
    TableModel other(300, [](int32_t u, int32_t i) {
        return static_cast<float>(mixSeed(static_cast<uint64_t>(u), static_cast<uint64_t>(i)) %
                                  1000);
    });
    EvalConfig config;
    config.mode = EvalMode::Sampled;
    auto a = evaluate(good, data, EvalPart::Test, config);
    auto b = evaluate(other, data, EvalPart::Test, config);
    QVERIFY(a.ok() && b.ok());
    auto same = comparePaired(a.value(), a.value(), "ndcg@10");
    QVERIFY(same.ok());
    QCOMPARE(same->users, int64_t{30});
    QCOMPARE(same->ties, int64_t{30});
    QCOMPARE(same->wilcoxon.pValue, 1.0);
    auto cmp = comparePaired(a.value(), b.value(), "mrr");
    QVERIFY(cmp.ok());
    QCOMPARE(cmp->wins + cmp->ties + cmp->losses, int64_t{30});
    std::vector<double> diffs;
    for (size_t i = 0; i < 30; ++i)
        diffs.push_back(a->perUser.at("mrr")[i] - b->perUser.at("mrr")[i]);
    QCOMPARE(cmp->wilcoxon.pValue, wilcoxonSignedRank(diffs).pValue);
    QVERIFY(!comparePaired(a.value(), b.value(), "nope@3").ok());

    // Every user has 20 training ratings: one group per quartile, 7 or 8 users each.
    const auto groups = activityBreakdown(a.value(), data, 4);
    QCOMPARE(groups.size(), size_t{4});
    int64_t users = 0;
    double weighted = 0.0;
    for (const auto& g : groups) {
        QCOMPARE(g.minTrain, int64_t{20});
        users += g.users;
        weighted += g.means.at("hit@10") * static_cast<double>(g.users);
    }
    QCOMPARE(users, int64_t{30});
    QVERIFY(std::fabs(weighted / 30.0 - a->metrics.at("hit@10")) < 1e-6);
}

// Every key the evaluator writes (full ranking with the beyond-accuracy metrics, sampled
// ranking, a rating model) is in the metric catalogue, and every catalogued family is written
// by one of them (diversity needs genres, which this split has not).
void TestEvaluator::everyMetricIsCatalogued() {
    const Split split = randomSplit(7);
    const TrainData data = TrainData::build(split, nullptr);
    TableModel model(300,
                     [](int32_t u, int32_t i) { return static_cast<float>((u * 7 + i) % 13); });
    model.m_rating = 4.0f;
    std::set<std::string> families;
    for (EvalMode mode : {EvalMode::Full, EvalMode::Sampled}) {
        EvalConfig config;
        config.mode = mode;
        config.negatives = 49;
        config.ks = {5, 10};
        auto r = evaluate(model, data, EvalPart::Test, config);
        QVERIFY(r.ok());
        for (const auto& [key, value] : r->metrics) {
            QVERIFY2(isKnownMetricKey(key), key.c_str());
            std::string family;
            QVERIFY(parseMetricKey(key, &family, nullptr));
            families.insert(family);
        }
    }
    for (const MetricFamily& f : metricFamilies())
        if (f.key != "diversity")
            QVERIFY2(families.count(f.key), f.key.c_str());
    // Labels, directions and decimals as the tables print them.
    QCOMPARE(metricLabel("ndcg@10"), std::string("NDCG@10"));
    QCOMPARE(metricLabel("rmse"), std::string("RMSE"));
    QCOMPARE(metricLabel("foo@3"), std::string("FOO@3"));
    QVERIFY(!higherIsBetter("avgpop@10") && !higherIsBetter("mae") && higherIsBetter("hit@1"));
    QCOMPARE(metricDecimals("avgpop@10"), 1);
    QVERIFY(!isKnownMetricKey("rmse@10") && !isKnownMetricKey("ndcg") &&
            !isKnownMetricKey("ndcg@0") && !isKnownMetricKey("foo@10"));
    QVERIFY(isKnownMetricKey("mrr") && isKnownMetricKey("mrr@10"));
}

QTEST_APPLESS_MAIN(TestEvaluator)
#include "tst_evaluator.moc"
