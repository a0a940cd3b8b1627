// Popularity bias on a tiny hand-made model and split: recommendation counts, coverage, Gini,
// tail share and average popularity against hand-computed values and a brute-force reference;
// the Evaluated user set reproduces the evaluator's coverage@K / gini@K / avgpop@K; progress,
// cancellation and bad input.
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/eval/Evaluator.h"
#include "core/eval/Metrics.h"
#include "core/inspect/PopularityBias.h"
#include "core/models/Recommender.h"
#include "core/models/TrainData.h"
#include "core/split/Split.h"

using namespace recscope;

namespace {

// Scores from a fixed users x items table.
class TableModel : public Recommender {
public:
    TableModel(int32_t users, int32_t items, std::vector<float> scores)
        : m_users(users), m_items(items), m_scores(std::move(scores)) {}
    std::string name() const override { return "table"; }
    std::vector<ParamSpec> paramSpecs() const override { return {}; }
    Status fit(const TrainData&, const FitContext&) override { return {}; }
    int32_t numItems() const override { return m_items; }
    void scoreUsers(const int32_t* users, int64_t n, float* out) const override {
        for (int64_t r = 0; r < n; ++r)
            std::copy_n(m_scores.begin() + int64_t(users[r]) * m_items, m_items, out + r * m_items);
    }
    Status save(const std::string&) const override { return {}; }
    Status load(const std::string&) override { return {}; }

private:
    int32_t m_users;
    int32_t m_items;
    std::vector<float> m_scores;
};

// 4 users, 6 items; item 5 has no training rating (outside the catalogue).
// Training positives (threshold 4): u0 {0,1}, u1 {0}, u2 {0,2}, u3 {1}; u3 also rated item 3
// with a 2 (a non-positive training rating: kept in the list, as the evaluator does).
// Popularity: item0 3, item1 2, item2 1, item3 0, item4 0 (rated 1 by u1), item5 0.
Split handSplit() {
    Split s;
    s.threshold = 4.0;
    s.config.threshold = 4.0;
    s.numUsers = 4;
    s.numItems = 6;
    s.train.append(0, 0, 5, 1);
    s.train.append(0, 1, 4, 2);
    s.train.append(1, 0, 4, 1);
    s.train.append(1, 4, 1, 2);
    s.train.append(2, 0, 5, 1);
    s.train.append(2, 2, 4, 2);
    s.train.append(3, 1, 5, 1);
    s.train.append(3, 3, 2, 2);
    s.validation.append(0, 2, 5, 3);
    s.test.append(0, 3, 5, 4);  // u0 and u2 have test positives, u1 only a negative
    s.test.append(1, 2, 1, 4);
    s.test.append(2, 4, 4, 4);
    return s;
}

// Every user prefers lower item ids, except that item 5 (not in the catalogue) is the top score.
std::vector<float> handScores() {
    std::vector<float> s;
    for (int u = 0; u < 4; ++u)
        for (int i = 0; i < 6; ++i)
            s.push_back(i == 5 ? 100.0f : 10.0f - float(i));
    return s;
}

}  // namespace

class TestPopularityBias : public QObject {
    Q_OBJECT

private slots:
    void handExample();
    void evaluatedUsersMatchTheEvaluator();
    void randomAgainstBruteForce();
    void progressCancelAndBadInput();
};

void TestPopularityBias::handExample() {
    const Split split = handSplit();
    const TrainData train = TrainData::build(split, nullptr);
    const TableModel model(4, 6, handScores());
    PopularityBiasConfig config;
    config.k = 2;
    const auto r = measurePopularityBias(model, train, config);
    QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
    // Lists (training positives removed, item 5 never): u0 {2,3}, u1 {1,2}, u2 {1,3}, u3 {0,2}.
    QCOMPARE(r->usersScored, 4);
    QCOMPARE(r->entries, int64_t(8));
    const std::vector<int64_t> counts{1, 2, 3, 2, 0, 0};
    QCOMPARE(r->recommendationCounts, counts);
    QCOMPARE(r->catalogueSize, 5);
    QCOMPARE(r->recommendedItems, 4);
    QVERIFY(std::abs(r->coverage - 4.0 / 5.0) < 1e-12);
    // Head: ceil(0.2 x 5) = 1 item, the most popular: item 0. Tail entries: 8 - 1 = 7.
    QCOMPARE(r->headSize, 1);
    QCOMPARE(r->inHead[0], char(1));
    QVERIFY(std::abs(r->tailShare - 7.0 / 8.0) < 1e-12);
    // Popularity of the entries: 3 + 2*2 + 1*3 + 0*2 = 10 over 8.
    QVERIFY(std::abs(r->avgPopularity - 10.0 / 8.0) < 1e-12);
    // Gini of the catalogue counts {1,2,3,2,0}: sorted 0,1,2,2,3, sum 8, n 5:
    // sum (2i - n - 1) x_i = (-4*0 - 2*1 + 0*2 + 2*2 + 4*3) = 14 -> 14 / (5 x 8) = 0.35.
    QVERIFY(std::abs(r->gini - 0.35) < 1e-12);
    QVERIFY(std::abs(r->gini - giniCoefficient({1, 2, 3, 2, 0})) < 1e-12);
    QCOMPARE(r->trainingPopularity, (std::vector<int64_t>{3, 2, 1, 0, 0, 0}));
    QCOMPARE(r->inCatalogue, (std::vector<char>{1, 1, 1, 1, 1, 0}));
}

void TestPopularityBias::evaluatedUsersMatchTheEvaluator() {
    const Split split = handSplit();
    const TrainData train = TrainData::build(split, nullptr);
    const TableModel model(4, 6, handScores());
    PopularityBiasConfig config;
    config.k = 2;
    config.users = PopularityBiasUsers::Evaluated;
    const auto r = measurePopularityBias(model, train, config);
    QVERIFY(r.ok());
    // Test users u0 (validation item 2 removed too: {3,4}) and u2 ({1,3}).
    QCOMPARE(r->usersScored, 2);
    QCOMPARE(r->recommendationCounts, (std::vector<int64_t>{0, 1, 0, 2, 1, 0}));
    EvalConfig eval;
    eval.ks = {2};
    const auto e = evaluate(model, train, EvalPart::Test, eval);
    QVERIFY(e.ok());
    QCOMPARE(e->usersEvaluated, 2);
    QVERIFY(std::abs(r->coverage - e->metrics.at("coverage@2")) < 1e-12);
    QVERIFY(std::abs(r->gini - e->metrics.at("gini@2")) < 1e-12);
    QVERIFY(std::abs(r->avgPopularity - e->metrics.at("avgpop@2")) < 1e-12);
}

void TestPopularityBias::randomAgainstBruteForce() {
    // 40 users x 30 items of random ratings and random scores with ties; brute force with a
    // plain sort per user.
    std::mt19937 rng(5);
    Split split;
    split.threshold = 3.0;
    split.numUsers = 40;
    split.numItems = 30;
    for (int u = 0; u < 40; ++u)
        for (int i = 0; i < 30; ++i)
            if (i != 29 && rng() % 4 == 0)
                split.train.append(u, i, float(1 + rng() % 5), 0);
    std::vector<float> scores(40 * 30);
    for (float& s : scores)
        s = float(rng() % 7);  // many ties: the seeded tie order (TieOrder, seed 42)
    const TrainData train = TrainData::build(split, nullptr);
    const TableModel model(40, 30, scores);
    for (int k : {1, 5, 30}) {
        PopularityBiasConfig config;
        config.k = k;
        config.batchUsers = 7;
        const auto r = measurePopularityBias(model, train, config);
        QVERIFY(r.ok());
        std::vector<int64_t> pop(30, 0);
        std::vector<char> catalogue(30, 0);
        std::vector<std::vector<int32_t>> positives(40);
        std::vector<char> hasTrain(40, 0);
        for (size_t j = 0; j < split.train.size(); ++j) {
            catalogue[split.train.items[j]] = 1;
            hasTrain[split.train.users[j]] = 1;
            if (split.train.ratings[j] >= 3.0f) {
                ++pop[split.train.items[j]];
                positives[split.train.users[j]].push_back(split.train.items[j]);
            }
        }
        std::vector<int32_t> head(30);
        std::iota(head.begin(), head.end(), 0);
        head.erase(std::remove_if(head.begin(), head.end(), [&](int i) { return !catalogue[i]; }),
                   head.end());
        const int catalogueSize = int(head.size());
        std::stable_sort(head.begin(), head.end(), [&](int a, int b) { return pop[a] > pop[b]; });
        head.resize(size_t(std::ceil(0.2 * catalogueSize - 1e-9)));
        std::vector<int64_t> counts(30, 0);
        int64_t entries = 0;
        int64_t tail = 0;
        double popSum = 0;
        int users = 0;
        for (int u = 0; u < 40; ++u) {
            if (!hasTrain[u])
                continue;
            ++users;
            std::vector<int32_t> items;
            for (int i = 0; i < 30; ++i)
                if (catalogue[i] &&
                    std::find(positives[u].begin(), positives[u].end(), i) == positives[u].end())
                    items.push_back(i);
            const TieOrder ties(config.seed, u);
            std::sort(items.begin(), items.end(), [&](int a, int b) {
                return ties.before(scores[u * 30 + a], a, scores[u * 30 + b], b);
            });
            items.resize(std::min<size_t>(items.size(), size_t(k)));
            for (int i : items) {
                ++counts[i];
                ++entries;
                popSum += double(pop[i]);
                tail += std::find(head.begin(), head.end(), i) == head.end() ? 1 : 0;
            }
        }
        QCOMPARE(r->usersScored, users);
        QCOMPARE(r->recommendationCounts, counts);
        QCOMPARE(r->entries, entries);
        int distinct = 0;
        std::vector<int64_t> catalogueCounts;
        for (int i = 0; i < 30; ++i) {
            distinct += counts[i] > 0;
            if (catalogue[i])
                catalogueCounts.push_back(counts[i]);
        }
        QVERIFY(std::abs(r->coverage - double(distinct) / catalogueSize) < 1e-12);
        QVERIFY(std::abs(r->avgPopularity - popSum / double(entries)) < 1e-12);
        QVERIFY(std::abs(r->tailShare - double(tail) / double(entries)) < 1e-12);
        // Gini by the mean absolute difference: sum |xi - xj| / (2 n^2 mean).
        double diff = 0, sum = 0;
        for (int64_t a : catalogueCounts) {
            sum += double(a);
            for (int64_t b : catalogueCounts)
                diff += std::abs(double(a - b));
        }
        const double n = double(catalogueCounts.size());
        QVERIFY2(std::abs(r->gini - diff / (2 * n * sum)) < 1e-9,
                 qPrintable(QStringLiteral("%1 vs %2").arg(r->gini).arg(diff / (2 * n * sum))));
    }
}

void TestPopularityBias::progressCancelAndBadInput() {
    const Split split = handSplit();
    const TrainData train = TrainData::build(split, nullptr);
    const TableModel model(4, 6, handScores());
    PopularityBiasConfig config;
    config.batchUsers = 1;
    std::vector<double> fractions;
    const auto r = measurePopularityBias(
        model, train, config, [&](const Progress& p) { fractions.push_back(p.fraction); });
    QVERIFY(r.ok());
    QCOMPARE(int(fractions.size()), 5);  // one per batch of one user, then 1
    QCOMPARE(fractions.front(), 0.0);
    QCOMPARE(fractions.back(), 1.0);
    QVERIFY(std::is_sorted(fractions.begin(), fractions.end()));

    CancelToken cancel;
    cancel.cancel();
    const auto cancelled = measurePopularityBias(model, train, config, {}, &cancel);
    QVERIFY(!cancelled.ok());
    QCOMPARE(QString::fromStdString(cancelled.error().message), QStringLiteral("cancelled"));

    config.k = 0;
    QVERIFY(!measurePopularityBias(model, train, config).ok());
    config.k = 3;
    const TableModel wrong(4, 5, std::vector<float>(20, 0.0f));
    const auto mismatch = measurePopularityBias(wrong, train, config);
    QVERIFY(!mismatch.ok());
    QVERIFY(mismatch.error().message.find("5 items") != std::string::npos);
    TrainData noSplit = train;
    noSplit.split = nullptr;
    config.users = PopularityBiasUsers::Evaluated;
    QVERIFY(!measurePopularityBias(model, noSplit, config).ok());
}

QTEST_GUILESS_MAIN(TestPopularityBias)
#include "tst_popbias.moc"
