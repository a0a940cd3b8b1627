// Ranking metrics, top-K selection and catalogue statistics against hand-computed values.
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>

#include "core/eval/Metrics.h"
#include "core/eval/PairedComparison.h"

using namespace recscope;

class TestMetrics : public QObject {
    Q_OBJECT

private slots:
    void handExample();
    void cutOffSmallerThanList();
    void fewerThanKRanked();
    void noRelevantItem();
    void relevantItemsNotRanked();
    void singleItem();
    void topKTiesBySeededOrder();
    void recallCapped();
    void topKLargerThanCatalogue();
    void topKAgainstFullSort();
    void gini();
    void diversity();
    void diversityPrefixesAgainstPairLoop();
    void wilcoxonExact();
    void wilcoxonNormalWithTiesAndZeros();
    void wilcoxonAllZero();
};

void TestMetrics::handExample() {
    // Hits at ranks 2 and 5; three relevant items.
    const std::vector<int32_t> ranked{5, 3, 9, 1, 7};
    const ListMetrics m = listMetrics(ranked.data(), 5, {3, 7, 8}, 5);
    const double dcg = 1.0 / std::log2(3.0) + 1.0 / std::log2(6.0);
    const double idcg = 1.0 + 1.0 / std::log2(3.0) + 0.5;
    QCOMPARE(m.hit, 1.0);
    QVERIFY(std::fabs(m.recall - 2.0 / 3.0) < 1e-12);
    QVERIFY(std::fabs(m.precision - 0.4) < 1e-12);
    QVERIFY(std::fabs(m.ndcg - dcg / idcg) < 1e-12);
    QVERIFY(std::fabs(m.ndcg - 0.4776237) < 1e-6);
    QCOMPARE(m.mrr, 0.5);
    QVERIFY(std::fabs(m.map - (0.5 + 0.4) / 3.0) < 1e-12);
}

void TestMetrics::cutOffSmallerThanList() {
    const std::vector<int32_t> ranked{5, 3, 9, 1, 7};
    const ListMetrics m = listMetrics(ranked.data(), 5, {3, 7, 8}, 2);
    QCOMPARE(m.hit, 1.0);
    QVERIFY(std::fabs(m.recall - 1.0 / 3.0) < 1e-12);
    QCOMPARE(m.precision, 0.5);
    // Ideal DCG over min(|rel|, K) = 2 items.
    QVERIFY(std::fabs(m.ndcg - (1.0 / std::log2(3.0)) / (1.0 + 1.0 / std::log2(3.0))) < 1e-12);
    QCOMPARE(m.mrr, 0.5);
    QCOMPARE(m.map, 0.25);  // (1/2) / min(3, 2)
}

void TestMetrics::fewerThanKRanked() {
    const std::vector<int32_t> ranked{4};
    const ListMetrics m = listMetrics(ranked.data(), 1, {4}, 10);
    QCOMPARE(m.hit, 1.0);
    QCOMPARE(m.recall, 1.0);
    QVERIFY(std::fabs(m.precision - 0.1) < 1e-12);  // hits / K, not / list length
    QCOMPARE(m.ndcg, 1.0);
    QCOMPARE(m.mrr, 1.0);
    QCOMPARE(m.map, 1.0);
}

void TestMetrics::noRelevantItem() {
    const std::vector<int32_t> ranked{1, 2, 3};
    const ListMetrics m = listMetrics(ranked.data(), 3, {}, 3);
    QCOMPARE(m.hit, 0.0);
    QCOMPARE(m.recall, 0.0);
    QCOMPARE(m.ndcg, 0.0);
    QCOMPARE(m.map, 0.0);
    const ListMetrics miss = listMetrics(ranked.data(), 3, {7}, 3);
    QCOMPARE(miss.hit, 0.0);
    QCOMPARE(miss.mrr, 0.0);
    QCOMPARE(miss.precision, 0.0);
}

void TestMetrics::relevantItemsNotRanked() {
    // 4 relevant items, only 2 of them rankable: the denominators still use 4.
    const std::vector<int32_t> ranked{2, 1};
    const ListMetrics m = listMetrics(ranked.data(), 2, {1, 2}, 10, 4);
    QCOMPARE(m.recall, 0.5);
    QCOMPARE(m.map, 0.5);  // (1 + 1) / min(4, 10)
}

void TestMetrics::singleItem() {
    const ListMetrics m = singleItemMetrics(3, 10);
    QCOMPARE(m.hit, 1.0);
    QVERIFY(std::fabs(m.ndcg - 0.5) < 1e-12);  // 1 / log2(4)
    QVERIFY(std::fabs(m.mrr - 1.0 / 3.0) < 1e-12);
    QVERIFY(std::fabs(m.precision - 0.1) < 1e-12);
    const ListMetrics out = singleItemMetrics(11, 10);
    QCOMPARE(out.hit, 0.0);
    QCOMPARE(out.mrr, 0.0);
}

// Ties in the seeded order (docs/protocols.md, "Ties"). Key order for seed 42, user 0, by an
// independent Python mixSeed (tst_determinism.cpp): 2, 3, 0, 1, 5, 4.
void TestMetrics::topKTiesBySeededOrder() {
    const float nan = std::nanf("");
    const std::vector<float> scores{1.0f, 3.0f, 3.0f, -INFINITY, 2.0f, 3.0f, nan};
    const TieOrder ties(42, 0);
    std::vector<int32_t> out;
    QCOMPARE(topK(scores.data(), 7, 3, ties, out), int64_t{3});
    QCOMPARE(out, (std::vector<int32_t>{2, 1, 5}));
    QCOMPARE(topK(scores.data(), 7, 4, ties, out), int64_t{4});
    QCOMPARE(out, (std::vector<int32_t>{2, 1, 5, 4}));
}

void TestMetrics::topKLargerThanCatalogue() {
    const std::vector<float> scores{0.5f, -INFINITY, 0.5f, 0.7f};
    std::vector<int32_t> out;
    QCOMPARE(topK(scores.data(), 4, 100, TieOrder(42, 0), out), int64_t{3});
    QCOMPARE(out, (std::vector<int32_t>{3, 2, 0}));  // 2 before 0 (seed 42, user 0)
    const ListMetrics m = listMetrics(out.data(), 3, {0}, 100);
    QVERIFY(std::fabs(m.ndcg - 0.5) < 1e-12);  // rank 3
    QVERIFY(std::fabs(m.precision - 0.01) < 1e-12);
}

// The selection against a full sort by the same order, with filters, -inf, NaN and heavy ties
// (scores drawn from a few values), for k below, near and above the buffer size and the
// eligible count.
void TestMetrics::topKAgainstFullSort() {
    std::mt19937 rng(7);
    for (int trial = 0; trial < 60; ++trial) {
        const int32_t n = 1 + static_cast<int32_t>(rng() % 3000);
        const int levels = trial % 3 == 0 ? 4 : (trial % 3 == 1 ? 50 : 1000000);
        std::vector<float> scores(static_cast<size_t>(n));
        std::vector<char> allowed(static_cast<size_t>(n));
        std::vector<int32_t> excluded;
        for (int32_t i = 0; i < n; ++i) {
            const uint32_t r = rng();
            scores[static_cast<size_t>(i)] = r % 97 == 0   ? -INFINITY
                                             : r % 89 == 0 ? std::nanf("")
                                                           : static_cast<float>(rng() % levels);
            allowed[static_cast<size_t>(i)] = rng() % 10 != 0;
            if (rng() % 7 == 0)
                excluded.push_back(i);
        }
        const TieOrder ties(99, trial);
        std::vector<int32_t> eligible;
        for (int32_t i = 0; i < n; ++i) {
            const float s = scores[static_cast<size_t>(i)];
            if (std::isnan(s) || s == -INFINITY || !allowed[static_cast<size_t>(i)] ||
                std::binary_search(excluded.begin(), excluded.end(), i))
                continue;
            eligible.push_back(i);
        }
        std::sort(eligible.begin(), eligible.end(), [&](int32_t a, int32_t b) {
            return ties.before(scores[static_cast<size_t>(a)], a, scores[static_cast<size_t>(b)],
                               b);
        });
        const RankFilter filter{allowed.data(), excluded.data(), excluded.size()};
        for (int k : {1, 10, 63, 64, 100, 250, n + 5}) {
            std::vector<int32_t> out;
            const int64_t got = topK(scores.data(), n, k, ties, out, filter);
            const size_t want = std::min(eligible.size(), static_cast<size_t>(k));
            QCOMPARE(got, static_cast<int64_t>(want));
            QCOMPARE(out,
                     std::vector<int32_t>(eligible.begin(),
                                          eligible.begin() + static_cast<std::ptrdiff_t>(want)));
        }
    }
}

// Recall capped at K (Mult-VAE): 1 hit of 3 relevant at K = 2 is 1/2, plain recall 1/3.
void TestMetrics::recallCapped() {
    const std::vector<int32_t> ranked{7, 1, 8};
    const ListMetrics m = listMetrics(ranked.data(), 3, {1, 2, 3}, 2);
    QVERIFY(std::fabs(m.recall - 1.0 / 3.0) < 1e-12);
    QVERIFY(std::fabs(m.recallCapped - 0.5) < 1e-12);
    const ListMetrics wide = listMetrics(ranked.data(), 3, {1, 2, 3}, 10);
    QVERIFY(std::fabs(wide.recallCapped - 1.0 / 3.0) < 1e-12);
    QCOMPARE(singleItemMetrics(3, 10).recallCapped, 1.0);
}

void TestMetrics::gini() {
    QCOMPARE(giniCoefficient({0, 0, 0, 4}), 0.75);
    QCOMPARE(giniCoefficient({2, 2, 2, 2}), 0.0);
    QCOMPARE(giniCoefficient({0, 0, 0}), 0.0);
    // (2i - n - 1) weights over sorted {1, 2, 3}: (-2*1 + 0*2 + 2*3) / (3 * 6) = 4/18.
    QVERIFY(std::fabs(giniCoefficient({3, 1, 2}) - 4.0 / 18.0) < 1e-12);
}

void TestMetrics::diversity() {
    const std::vector<uint32_t> masks{0b011, 0b010, 0b000, 0b011};
    const std::vector<int32_t> list{0, 1, 2};
    // (0,1): 1 - 1/2; (0,2): 1; (1,2): 1.
    QVERIFY(std::fabs(intraListDiversity(list.data(), 3, masks) - 2.5 / 3.0) < 1e-12);
    const std::vector<int32_t> same{0, 3};
    QCOMPARE(intraListDiversity(same.data(), 2, masks), 0.0);
    QCOMPARE(intraListDiversity(list.data(), 1, masks), 0.0);
}

// Every prefix's value against the mean over its pairs written out, on lists with empty masks.
void TestMetrics::diversityPrefixesAgainstPairLoop() {
    std::mt19937 rng(3);
    std::vector<uint32_t> masks(500);
    for (auto& m : masks)
        m = rng() % 5 == 0 ? 0u : (rng() & rng() & 0x7FFFFu);
    for (int trial = 0; trial < 20; ++trial) {
        std::vector<int32_t> list(static_cast<size_t>(rng() % 120));
        for (auto& item : list)
            item = static_cast<int32_t>(rng() % masks.size());
        const int ks[] = {1, 2, 10, 20, 50, 100};
        double got[6];
        intraListDiversityPrefixes(list.data(), static_cast<int64_t>(list.size()), masks, ks, 6,
                                   got);
        for (int j = 0; j < 6; ++j) {
            const int64_t c = std::min<int64_t>(static_cast<int64_t>(list.size()), ks[j]);
            double sum = 0.0;
            for (int64_t a = 0; a < c; ++a)
                for (int64_t b = a + 1; b < c; ++b) {
                    const uint32_t ma = masks[static_cast<size_t>(list[static_cast<size_t>(a)])];
                    const uint32_t mb = masks[static_cast<size_t>(list[static_cast<size_t>(b)])];
                    const int uni = __builtin_popcount(ma | mb);
                    if (uni > 0)
                        sum += 1.0 - static_cast<double>(__builtin_popcount(ma & mb)) / uni;
                }
            const double want = c < 2 ? 0.0 : sum / (static_cast<double>(c) * (c - 1) / 2.0);
            QVERIFY2(std::fabs(got[j] - want) < 1e-12,
                     qPrintable(QString("prefix %1: %2 vs %3").arg(c).arg(got[j]).arg(want)));
        }
    }
}

void TestMetrics::wilcoxonExact() {
    // All five differences positive: W- = 0, P(W <= 0) = 1/32, two-sided 1/16 (scipy: 0.0625).
    WilcoxonResult r = wilcoxonSignedRank({1, 2, 3, 4, 5});
    QVERIFY(r.exact);
    QCOMPARE(r.wPlus, 15.0);
    QCOMPARE(r.pValue, 0.0625);
    // Ranks 1..6 with rank 2 negative: W- = 2; subsets of {1..6} summing to <= 2: {}, {1}, {2}.
    r = wilcoxonSignedRank({1, -2, 3, 4, 5, 6});
    QCOMPARE(r.wMinus, 2.0);
    QCOMPARE(r.pValue, 2.0 * 3.0 / 64.0);
}

void TestMetrics::wilcoxonNormalWithTiesAndZeros() {
    // The zero is dropped (n = 9); tied |d| share ranks: 1s -> 2, 2s -> 5, 3s -> 7.5, 4 -> 9.
    const WilcoxonResult r = wilcoxonSignedRank({1, 1, -1, 2, 2, 2, 3, -3, 4, 0});
    QVERIFY(!r.exact);
    QCOMPARE(r.n, int64_t{9});
    QCOMPARE(r.wPlus, 35.5);
    QCOMPARE(r.wMinus, 9.5);
    // mean 22.5, variance 9*10*19/24 - (24 + 24 + 6)/48 = 70.125.
    const double z = 13.0 / std::sqrt(70.125);
    QVERIFY(std::fabs(r.z - z) < 1e-12);
    QVERIFY(std::fabs(r.pValue - 0.12056374) < 1e-7);
}

void TestMetrics::wilcoxonAllZero() {
    const WilcoxonResult r = wilcoxonSignedRank({0, 0, 0});
    QCOMPARE(r.n, int64_t{0});
    QCOMPARE(r.pValue, 1.0);
}

QTEST_APPLESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
