// The distributions view's numbers (core/eval/PerUserDistribution.h): histogram and box
// statistics against hand-computed values, activity groups against activityBreakdown's means,
// paired differences against comparePaired.

#include <QtTest>

#include <cmath>
#include <numeric>

#include "core/data/SyntheticGenerator.h"
#include "core/eval/ActivityBreakdown.h"
#include "core/eval/Evaluator.h"
#include "core/eval/PairedComparison.h"
#include "core/eval/PerUserDistribution.h"
#include "core/models/TrainData.h"
#include "core/split/Split.h"

using namespace recscope;

class TestPerUserDistribution : public QObject {
    Q_OBJECT

private slots:
    void histogramCountsByHand() {
        const Histogram h = histogram({0.0, 0.1, 0.25, 0.5, 0.99, 1.0, 1.5, -0.1}, 4, 0.0, 1.0);
        QCOMPARE(h.width, 0.25);
        // [0, .25): 0, 0.1; [.25, .5): 0.25; [.5, .75): 0.5; [.75, 1]: 0.99, 1.0 (1.5, -0.1 out)
        QCOMPARE(h.counts, (std::vector<int64_t>{2, 1, 1, 2}));
        const Histogram one = histogram({3.0, 3.0}, 10, 3.0, 3.0);
        QCOMPARE(one.counts, (std::vector<int64_t>{2}));
    }

    void boxStatsByHand() {
        const BoxStats b = boxStats({4, 1, 3, 2, 10});
        QCOMPARE(b.n, int64_t(5));
        QCOMPARE(b.min, 1.0);
        QCOMPARE(b.q1, 2.0);
        QCOMPARE(b.median, 3.0);
        QCOMPARE(b.q3, 4.0);
        QCOMPARE(b.max, 10.0);
        QCOMPARE(b.mean, 4.0);
        const BoxStats four = boxStats({0, 1, 2, 3});
        QCOMPARE(four.q1, 0.75);  // position 0.75
        QCOMPARE(four.median, 1.5);
        QCOMPARE(boxStats({}).n, int64_t(0));
    }

    void activityGroupsMatchTheBreakdown() {
        SyntheticConfig cfg;
        cfg.seed = 3;
        cfg.users = 120;
        cfg.items = 200;
        cfg.ratings = 6000;
        const Dataset data = generateSynthetic(cfg).value();
        const Split split = makeSplit(data, defaultSplitConfig(Protocol::Temporal)).value();
        const TrainData train = TrainData::build(split, &data);
        EvalResult r;
        for (int32_t u = 0; u < data.numUsers(); u += 2)
            r.users.push_back(u);
        std::vector<float> values;
        for (size_t i = 0; i < r.users.size(); ++i)
            values.push_back(float((i * 37) % 11) / 10.0f);
        r.perUser["ndcg@10"] = values;
        const Result<std::vector<ActivityValues>> groups = valuesByActivity(r, train, "ndcg@10");
        QVERIFY(groups.ok());
        const std::vector<ActivityGroup> breakdown = activityBreakdown(r, train);
        QCOMPARE(groups->size(), breakdown.size());
        size_t total = 0;
        for (size_t g = 0; g < breakdown.size(); ++g) {
            const auto& v = groups.value()[g].values;
            total += v.size();
            QCOMPARE(int64_t(v.size()), breakdown[g].users);
            QCOMPARE(groups.value()[g].minTrain, breakdown[g].minTrain);
            QCOMPARE(groups.value()[g].maxTrain, breakdown[g].maxTrain);
            const double mean = std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
            QVERIFY(std::fabs(mean - breakdown[g].means.at("ndcg@10")) < 1e-9);
            if (g > 0)
                QVERIFY(groups.value()[g].minTrain >= groups.value()[g - 1].maxTrain);
        }
        QCOMPARE(total, r.users.size());
        QVERIFY(!valuesByActivity(r, train, "recall@10").ok());
    }

    void pairedDifferencesMatchTheComparison() {
        EvalResult a, b;
        a.users = {1, 2, 5, 8, 9};
        b.users = {2, 3, 5, 9};
        a.perUser["hit@10"] = {1, 0, 1, 1, 0};
        b.perUser["hit@10"] = {1, 1, 0, 1};
        const std::vector<double> d = pairedDifferences(a, b, "hit@10").value();
        QCOMPARE(d, (std::vector<double>{-1.0, 1.0, -1.0}));  // users 2, 5, 9
        const PairedComparison c = comparePaired(a, b, "hit@10").value();
        QCOMPARE(double(c.users), double(d.size()));
        QVERIFY(std::fabs(c.meanA - c.meanB -
                          std::accumulate(d.begin(), d.end(), 0.0) / double(d.size())) < 1e-12);
        QVERIFY(!pairedDifferences(a, b, "ndcg@10").ok());
    }
};

QTEST_GUILESS_MAIN(TestPerUserDistribution)
#include "tst_peruserdistribution.moc"
