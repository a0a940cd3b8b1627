// Taste recovery (core/inspect/TasteRecovery.h) against a brute-force computation with a model
// whose scores are known, the generator's hidden tastes (SyntheticGenerator.h) against its
// favourite genres, and a trained BPR on generated data against a popularity model.

#include <QtTest>

#include <cmath>
#include <numeric>

#include "core/data/SyntheticGenerator.h"
#include "core/inspect/TasteRecovery.h"
#include "core/models/Compute.h"
#include "core/models/Recommender.h"
#include "core/models/TrainData.h"
#include "core/split/Split.h"

using namespace recscope;

namespace {

// Scores given by a table: users x items.
class TableModel : public Recommender {
public:
    TableModel(std::vector<std::vector<float>> scores) : m_scores(std::move(scores)) {}
    std::string name() const override { return "table"; }
    std::vector<ParamSpec> paramSpecs() const override { return {}; }
    Status fit(const TrainData&, const FitContext&) override { return {}; }
    int32_t numItems() const override { return int32_t(m_scores.front().size()); }
    void scoreUsers(const int32_t* users, int64_t n, float* out) const override {
        for (int64_t k = 0; k < n; ++k)
            for (size_t i = 0; i < m_scores.front().size(); ++i)
                out[size_t(k) * m_scores.front().size() + i] = m_scores[size_t(users[k])][i];
    }
    Status save(const std::string&) const override { return {}; }
    Status load(const std::string&) override { return {}; }

private:
    std::vector<std::vector<float>> m_scores;
};

}  // namespace

class TestTasteRecovery : public QObject {
    Q_OBJECT

private slots:
    void pearsonByHand() {
        QCOMPARE(pearson({1, 2, 3}, {2, 4, 6}), 1.0);
        QCOMPARE(pearson({1, 2, 3}, {3, 2, 1}), -1.0);
        // x = 1,2,3,4; y = 1,3,2,4: sxy = 4, sxx = syy = 5 -> 0.8
        QVERIFY(std::fabs(pearson({1, 2, 3, 4}, {1, 3, 2, 4}) - 0.8) < 1e-12);
        QVERIFY(std::isnan(pearson({1, 1, 1}, {1, 2, 3})));
    }

    void matchesBruteForceOnAKnownModel() {
        // 4 users, 5 items, 2 genres. Item genres: 0:A, 1:A, 2:B, 3:AB, 4:B (item 4 not a
        // candidate).
        const std::vector<uint32_t> masks = {1, 1, 2, 3, 2};
        const std::vector<char> candidate = {1, 1, 1, 1, 0};
        const std::vector<std::vector<float>> scores = {
            {1, 2, 0, 1, 9}, {0, 0, 3, 1, 9}, {2, 2, 2, 2, 9}, {5, 1, 0, 4, 9}};
        const std::vector<std::vector<double>> tastes = {
            {0.9, 0.1}, {0.2, 0.8}, {0.5, 0.5}, {0.7, 0.3}};
        TableModel model(scores);
        const Result<TasteRecovery> r =
            measureTasteRecovery(model, tastes, masks, {"A", "B"}, candidate);
        QVERIFY(r.ok());
        QCOMPARE(r->users, int64_t(4));
        QCOMPARE(r->genres.size(), size_t(2));
        QCOMPARE(r->genres[0].items, int64_t(3));       // items 0, 1, 3
        QCOMPARE(r->genres[1].items, int64_t(2));       // items 2, 3
        QCOMPARE(r->genres[0].favouredBy, int64_t(2));  // 0.9, 0.7 > 0.5
        // By hand: favour = mean over the genre's candidates - mean over the 4 candidates.
        for (size_t g = 0; g < 2; ++g) {
            std::vector<double> truth, favour;
            for (size_t u = 0; u < 4; ++u) {
                double all = 0, in = 0;
                int n = 0;
                for (size_t i = 0; i < 4; ++i) {
                    all += scores[u][i];
                    if (masks[i] & (1u << g)) {
                        in += scores[u][i];
                        ++n;
                    }
                }
                truth.push_back(tastes[u][g]);
                favour.push_back(in / n - all / 4);
            }
            QVERIFY(std::fabs(r->genres[g].correlation - pearson(truth, favour)) < 1e-12);
        }
        QVERIFY(!measureTasteRecovery(model, tastes, masks, {"A"}, candidate).ok());
        QVERIFY(!measureTasteRecovery(model, tastes, {1, 1}, {"A", "B"}, candidate).ok());
    }

    void generatorTastesFollowItsFavourites() {
        SyntheticConfig c;
        c.users = 300;
        const std::vector<std::vector<double>> tastes = syntheticUserTastes(c);
        const std::vector<uint32_t> fav = syntheticFavouriteGenres(c);
        QCOMPARE(tastes.size(), size_t(300));
        for (size_t u = 0; u < tastes.size(); ++u) {
            QVERIFY(std::fabs(std::accumulate(tastes[u].begin(), tastes[u].end(), 0.0) - 1.0) <
                    1e-9);
            for (size_t g = 0; g < tastes[u].size(); ++g)
                QCOMPARE(tastes[u][g] > 0.15 / double(tastes[u].size()) + 1e-12,
                         bool(fav[u] & (1u << g)));
        }
        const Dataset demo = demoDataset();
        SyntheticConfig found;
        QVERIFY(syntheticConfigOf(demo, &found));
        QCOMPARE(found.seed, SyntheticConfig().seed);
        QCOMPARE(found.users, demo.numUsers());
    }

    void trainedBprRecoversTastesPopularityCannot() {
        setComputeThreads(1);
        SyntheticConfig c;
        c.seed = 9;
        c.users = 300;
        c.items = 400;
        c.ratings = 30000;
        const Dataset data = generateSynthetic(c).value();
        const Split split = makeSplit(data, defaultSplitConfig(Protocol::Temporal)).value();
        const TrainData train = TrainData::build(split, &data);
        std::vector<char> candidate(size_t(data.numItems()));
        for (size_t i = 0; i < candidate.size(); ++i)
            candidate[i] = train.itemPopularity[i] > 0;
        const auto& meta = data.itemMetadata();
        const std::vector<std::vector<double>> tastes = syntheticUserTastes(c);

        std::unique_ptr<Recommender> bpr = createModel("bpr");
        QVERIFY(bpr->configure({{"epochs", "15"}, {"patience", "0"}, {"factors", "32"}}).ok());
        FitContext context;
        QVERIFY(bpr->fit(train, context).ok());
        const TasteRecovery learned =
            measureTasteRecovery(*bpr, tastes, meta.genreMasks, meta.genreNames, candidate).value();
        QVERIFY2(learned.meanCorrelation > 0.3,
                 qPrintable(QString::number(learned.meanCorrelation)));

        // Popularity gives every user the same scores: nothing to correlate.
        std::unique_ptr<Recommender> pop = createModel("pop");
        QVERIFY(pop->configure({}).ok());
        QVERIFY(pop->fit(train, context).ok());
        const TasteRecovery none =
            measureTasteRecovery(*pop, tastes, meta.genreMasks, meta.genreNames, candidate).value();
        for (const GenreTasteRecovery& g : none.genres)
            QVERIFY(std::isnan(g.correlation));
    }
};

QTEST_GUILESS_MAIN(TestTasteRecovery)
#include "tst_tasterecovery.moc"
