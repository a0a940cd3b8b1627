// Training-side sampling: negatives are never training positives, counter-based draws do not
// depend on the thread count, popularity negatives follow popularity, and the per-epoch
// shuffle is a seeded permutation of the training entries.

#include <QtTest>

#include <algorithm>
#include <array>
#include <map>
#include <numeric>
#include <set>
#include <utility>
#include <vector>

#include "core/train/ScatterShuffle.h"
#include "core/train/ShuffledPairs.h"
#include "core/train/TrainNegativeSampler.h"

using namespace recscope;

namespace {

// users x items CSR from (user, item) pairs.
CsrMatrix makeCsr(int32_t users, int32_t items, std::vector<std::pair<int32_t, int32_t>> pairs) {
    std::sort(pairs.begin(), pairs.end());
    CsrMatrix m;
    m.rows = users;
    m.cols = items;
    m.offsets.assign(size_t(users) + 1, 0);
    for (auto [u, i] : pairs) {
        ++m.offsets[size_t(u) + 1];
        m.indices.push_back(i);
        m.values.push_back(float(u * 1000 + i));
    }
    for (int32_t u = 0; u < users; ++u)
        m.offsets[size_t(u) + 1] += m.offsets[size_t(u)];
    return m;
}

CsrMatrix skewed() {
    // 30 users, 50 items; item i is liked by users u with (u + i) % (1 + i / 5) == 0, which makes
    // low ids popular; user 0 likes all but items 48 and 49.
    std::vector<std::pair<int32_t, int32_t>> pairs;
    for (int32_t u = 1; u < 30; ++u)
        for (int32_t i = 0; i < 50; ++i)
            if ((u + i) % (1 + i / 5) == 0)
                pairs.emplace_back(u, i);
    for (int32_t i = 0; i < 48; ++i)
        pairs.emplace_back(0, i);
    return makeCsr(30, 50, pairs);
}

}  // namespace

class TestNnSampling : public QObject {
    Q_OBJECT

private slots:
    void negativesAreNeverPositives_data() {
        QTest::addColumn<int>("kind");
        QTest::newRow("uniform") << int(NegativeKind::Uniform);
        QTest::newRow("popularity") << int(NegativeKind::Popularity);
    }
    void negativesAreNeverPositives() {
        QFETCH(int, kind);
        const CsrMatrix m = skewed();
        TrainNegativeSampler sampler(m, NegativeKind(kind));
        std::vector<int32_t> users;
        for (int rep = 0; rep < 400; ++rep)
            for (int32_t u = 0; u < 30; ++u)
                users.push_back(u);
        std::vector<int32_t> out(users.size());
        sampler.fill(users.data(), int64_t(users.size()), 99, 0, out.data());
        std::set<std::pair<int32_t, int32_t>> positives;
        for (int32_t u = 0; u < m.rows; ++u)
            for (int64_t k = m.offsets[size_t(u)]; k < m.offsets[size_t(u) + 1]; ++k)
                positives.emplace(u, m.indices[size_t(k)]);
        std::set<int32_t> user0;
        for (size_t k = 0; k < users.size(); ++k) {
            QVERIFY(out[k] >= 0 && out[k] < 50);
            QVERIFY(!positives.count({users[k], out[k]}));
            QCOMPARE(sampler.isPositive(users[k], out[k]), false);
            if (users[k] == 0)
                user0.insert(out[k]);
        }
        if (NegativeKind(kind) == NegativeKind::Uniform)
            QCOMPARE(user0, (std::set<int32_t>{48, 49}));  // its only two non-positives
    }

    void drawsIndependentOfThreadCount() {
        const CsrMatrix m = skewed();
        TrainNegativeSampler sampler(m, NegativeKind::Uniform);
        std::vector<int32_t> users(50000);
        for (size_t k = 0; k < users.size(); ++k)
            users[k] = int32_t((k * 7) % 30);
        std::vector<int32_t> one(users.size()), two(users.size()), four(users.size());
        sampler.fill(users.data(), int64_t(users.size()), 5, 100, one.data(), 1);
        sampler.fill(users.data(), int64_t(users.size()), 5, 100, two.data(), 2);
        sampler.fill(users.data(), int64_t(users.size()), 5, 100, four.data(), 4);
        QCOMPARE(one, two);
        QCOMPARE(one, four);
        QCOMPARE(one[10], sampler.draw(users[10], 5, 110));
        std::vector<int32_t> other(users.size());
        sampler.fill(users.data(), int64_t(users.size()), 6, 100, other.data(), 2);
        QVERIFY(one != other);
    }

    void popularityNegativesFollowPopularity() {
        // User 1 likes only item 0; the other items have popularity 1..9 from users 2..10.
        std::vector<std::pair<int32_t, int32_t>> pairs{{1, 0}};
        for (int32_t i = 1; i < 10; ++i)
            for (int32_t u = 2; u < 2 + i; ++u)
                pairs.emplace_back(u, i);
        const CsrMatrix m = makeCsr(12, 10, pairs);
        TrainNegativeSampler sampler(m, NegativeKind::Popularity);
        const int n = 90000;
        std::vector<int32_t> users(static_cast<size_t>(n), 1), out(static_cast<size_t>(n));
        sampler.fill(users.data(), n, 3, 0, out.data());
        std::map<int32_t, int> counts;
        for (int32_t i : out)
            ++counts[i];
        QCOMPARE(counts.count(0), size_t(0));
        // Expected share of item i among the non-positive draws: i / 45.
        for (int32_t i = 1; i < 10; ++i) {
            const double expected = double(n) * i / 45.0;
            QVERIFY2(std::abs(counts[i] - expected) < 0.08 * expected + 60,
                     qPrintable(QString("item %1: %2 vs %3").arg(i).arg(counts[i]).arg(expected)));
        }
    }

    void shuffleIsASeededPermutation() {
        const CsrMatrix m = skewed();
        ShuffledPairs a(m), b(m);
        a.shuffle(11, 1);
        b.shuffle(11, 1);
        QCOMPARE(a.size(), m.nnz());
        std::multiset<std::tuple<int32_t, int32_t, float>> original, shuffled;
        bool moved = false;
        for (int32_t u = 0; u < m.rows; ++u)
            for (int64_t k = m.offsets[size_t(u)]; k < m.offsets[size_t(u) + 1]; ++k)
                original.emplace(u, m.indices[size_t(k)], m.values[size_t(k)]);
        int64_t k = 0;
        for (int32_t u = 0; u < m.rows; ++u) {
            for (int64_t e = m.offsets[size_t(u)]; e < m.offsets[size_t(u) + 1]; ++e, ++k)
                moved |= a.users()[k] != u || a.items()[k] != m.indices[size_t(e)];
        }
        for (int64_t s = 0; s < a.size(); ++s) {
            shuffled.emplace(a.users()[s], a.items()[s], a.values()[s]);
            QCOMPARE(a.users()[s], b.users()[s]);
            QCOMPARE(a.items()[s], b.items()[s]);
            QCOMPARE(a.values()[s], float(a.users()[s] * 1000 + a.items()[s]));
        }
        QCOMPARE(shuffled, original);
        QVERIFY(moved);
        b.shuffle(11, 2);
        bool differs = false;
        for (int64_t s = 0; s < a.size(); ++s)
            differs |= a.items()[s] != b.items()[s] || a.users()[s] != b.users()[s];
        QVERIFY(differs);
    }

    // scatterShuffle keeps rows together, depends only on the seed, and gives every
    // permutation the same probability, with several buckets too: 5 rows, 4 buckets, 120,000
    // seeds, the 120 orders counted (chi-square, 119 degrees of freedom: mean 119, sd 15.4).
    void scatterShuffleIsUniform() {
        const int64_t n = 5;
        const std::array<int32_t, 5> a{0, 1, 2, 3, 4}, b{10, 11, 12, 13, 14};
        std::map<std::array<int32_t, 5>, int> counts;
        const int trials = 120000;
        for (int s = 0; s < trials; ++s) {
            std::array<int32_t, 5> x{}, y{};
            scatterShuffle<2>({a.data(), b.data()}, {x.data(), y.data()}, n, uint64_t(s), 4);
            for (int k = 0; k < 5; ++k)
                QCOMPARE(y[size_t(k)], x[size_t(k)] + 10);
            ++counts[x];
        }
        QCOMPARE(int(counts.size()), 120);
        double chi2 = 0;
        const double expected = double(trials) / 120.0;
        for (const auto& [order, c] : counts)
            chi2 += (c - expected) * (c - expected) / expected;
        qInfo("chi-square %.1f over 120 orders", chi2);
        QVERIFY(chi2 < 119 + 5 * 15.4);

        // Big input, automatic buckets: a permutation, the same for the same seed.
        const int64_t big = 100000;
        std::vector<int32_t> in(big), out1(big), out2(big), out3(big);
        std::iota(in.begin(), in.end(), 0);
        scatterShuffle<1>({in.data()}, {out1.data()}, big, 7);
        scatterShuffle<1>({in.data()}, {out2.data()}, big, 7);
        scatterShuffle<1>({in.data()}, {out3.data()}, big, 8);
        QVERIFY(out1 == out2);
        QVERIFY(out1 != out3);
        QVERIFY(out1 != in);
        std::sort(out1.begin(), out1.end());
        QVERIFY(out1 == in);
    }
};

QTEST_GUILESS_MAIN(TestNnSampling)
#include "tst_nnsampling.moc"
