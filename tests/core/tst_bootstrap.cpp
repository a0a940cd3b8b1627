// The percentile bootstrap of a mean (core/eval/Bootstrap.h) against brute force: for a handful
// of values every one of the n^n equally likely resamples is enumerated, giving the exact
// bootstrap distribution of the mean; the seeded Monte-Carlo interval must land on its
// quantiles. Also the quantile rule, degenerate inputs and the paired difference's interval.

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>

#include "core/eval/Bootstrap.h"
#include "core/eval/Evaluator.h"
#include "core/eval/PairedComparison.h"

using namespace recscope;

namespace {

// Exact bootstrap distribution of the mean: mean value -> probability.
std::map<double, double> exactDistribution(const std::vector<double>& values) {
    const size_t n = values.size();
    size_t total = 1;
    for (size_t i = 0; i < n; ++i)
        total *= n;
    std::map<double, double> out;
    std::vector<size_t> pick(n, 0);
    for (size_t r = 0; r < total; ++r) {
        size_t code = r;
        double sum = 0.0;
        for (size_t i = 0; i < n; ++i) {
            sum += values[code % n];
            code /= n;
        }
        // Rounded so that equal means from different orders share a key.
        out[std::round(sum / double(n) * 1e9) / 1e9] += 1.0 / double(total);
    }
    return out;
}

// The smallest mean whose cumulative probability reaches q.
double exactQuantile(const std::map<double, double>& dist, double q) {
    double cumulative = 0.0;
    for (const auto& [mean, p] : dist) {
        cumulative += p;
        if (cumulative >= q - 1e-12)
            return mean;
    }
    return dist.rbegin()->first;
}

}  // namespace

class TestBootstrap : public QObject {
    Q_OBJECT

private slots:
    void quantileInterpolatesBetweenOrderStatistics() {
        const std::vector<double> sorted = {1, 2, 4, 8};
        QCOMPARE(interpolatedQuantile(sorted, 0.0), 1.0);
        QCOMPARE(interpolatedQuantile(sorted, 1.0), 8.0);
        QCOMPARE(interpolatedQuantile(sorted, 0.5), 3.0);    // position 1.5
        QCOMPARE(interpolatedQuantile(sorted, 0.25), 1.75);  // position 0.75
    }

    void intervalMatchesTheExactBootstrapDistribution() {
        // Six per-user values like NDCG@10 scores (many zeros, a few hits).
        const std::vector<double> values = {0.0, 0.0, 0.1, 0.35, 0.6, 1.0};
        const std::map<double, double> dist = exactDistribution(values);  // 6^6 resamples
        double expectedMean = 0.0;
        for (const auto& [m, p] : dist)
            expectedMean += m * p;
        QVERIFY(std::fabs(expectedMean - 2.05 / 6.0) < 1e-9);  // the bootstrap is unbiased
        const double lo = exactQuantile(dist, 0.025);
        const double hi = exactQuantile(dist, 0.975);

        const BootstrapInterval b = bootstrapMean(values, 100000, 0.95, 7);
        QCOMPARE(b.resamples, 100000);
        QVERIFY(std::fabs(b.mean - 2.05 / 6.0) < 1e-12);
        // Means lie on a grid of 0.05 / 6; the Monte-Carlo quantile must sit within one step.
        const double step = 0.05 / 6.0;
        QVERIFY2(std::fabs(b.low - lo) <= step + 1e-9,
                 qPrintable(QStringLiteral("low %1 exact %2").arg(b.low).arg(lo)));
        QVERIFY2(std::fabs(b.high - hi) <= step + 1e-9,
                 qPrintable(QStringLiteral("high %1 exact %2").arg(b.high).arg(hi)));
        QVERIFY(b.low < b.mean && b.mean < b.high);

        // A 50% interval is inside the 95% one and matches its own exact quantiles.
        const BootstrapInterval half = bootstrapMean(values, 100000, 0.5, 7);
        QVERIFY(std::fabs(half.low - exactQuantile(dist, 0.25)) <= step + 1e-9);
        QVERIFY(std::fabs(half.high - exactQuantile(dist, 0.75)) <= step + 1e-9);
        QVERIFY(half.low >= b.low && half.high <= b.high);
    }

    void sameSeedSameIntervalAndDegenerateInputs() {
        std::mt19937_64 rng(3);
        std::vector<double> values(300);
        for (double& v : values)
            v = double(rng() % 1000) / 1000.0;
        const BootstrapInterval a = bootstrapMean(values, 500, 0.95, 11);
        const BootstrapInterval b = bootstrapMean(values, 500, 0.95, 11);
        QCOMPARE(a.low, b.low);
        QCOMPARE(a.high, b.high);
        const BootstrapInterval c = bootstrapMean(values, 500, 0.95, 12);
        QVERIFY(a.low != c.low || a.high != c.high);
        // Width close to the normal theory's 2 * 1.96 * sd / sqrt(n).
        const double mean = std::accumulate(values.begin(), values.end(), 0.0) / 300.0;
        double var = 0.0;
        for (double v : values)
            var += (v - mean) * (v - mean);
        const double width = 2 * 1.96 * std::sqrt(var / 300.0) / std::sqrt(300.0);
        QVERIFY(std::fabs((a.high - a.low) - width) < 0.15 * width);

        const BootstrapInterval same = bootstrapMean({0.25, 0.25, 0.25}, 100);
        QCOMPARE(same.low, 0.25);
        QCOMPARE(same.high, 0.25);
        const BootstrapInterval none = bootstrapMean({}, 100);
        QCOMPARE(none.resamples, 0);
        QVERIFY(std::isnan(none.mean));
    }

    void pairedComparisonCarriesTheDifferenceInterval() {
        EvalResult a, b;
        a.users = {1, 2, 3, 4, 5, 7};
        b.users = {2, 3, 4, 5, 6, 7};
        a.perUser["ndcg@10"] = {0.9f, 0.5f, 0.4f, 0.0f, 1.0f, 0.3f};
        b.perUser["ndcg@10"] = {0.2f, 0.4f, 0.0f, 0.5f, 0.1f, 0.3f};
        const Result<PairedComparison> c = comparePaired(a, b, "ndcg@10");
        QVERIFY(c.ok());
        QCOMPARE(c->users, int64_t(5));  // users 2, 3, 4, 5, 7
        // By id: 2: 0.5-0.2, 3: 0.4-0.4, 4: 0-0, 5: 1.0-0.5, 7: 0.3-0.3.
        const std::vector<double> expected = {double(0.5f) - double(0.2f), 0.0, 0.0,
                                              double(1.0f) - double(0.5f), 0.0};
        const BootstrapInterval direct = bootstrapMean(expected);
        QCOMPARE(c->difference.mean, direct.mean);
        QCOMPARE(c->difference.low, direct.low);
        QCOMPARE(c->difference.high, direct.high);
        QVERIFY(std::fabs(c->difference.mean - (c->meanA - c->meanB)) < 1e-9);
    }
};

QTEST_GUILESS_MAIN(TestBootstrap)
#include "tst_bootstrap.moc"
