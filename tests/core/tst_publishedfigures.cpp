// The catalogue of published figures (core/eval/PublishedFigures.h): every table of
// docs/protocols.md is present with its numbers, each figure is complete, and the matcher
// returns a figure only for a run measured the same way on the same data set family.
#include <QtTest>

#include <algorithm>
#include <set>

#include "core/eval/PublishedFigures.h"
#include "core/models/ModelRegistry.h"

using namespace recscope;

namespace {

const PublishedFigure* find(const std::string& id) {
    for (const PublishedFigure& f : publishedFigures())
        if (f.id == id)
            return &f;
    return nullptr;
}

}  // namespace

class TestPublishedFigures : public QObject {
    Q_OBJECT

private slots:
    void everyFigureIsComplete() {
        std::set<std::string> ids;
        const auto names = ModelRegistry::global().names();
        for (const PublishedFigure& f : publishedFigures()) {
            QVERIFY2(ids.insert(f.id).second, f.id.c_str());  // ids are unique
            QVERIFY(!f.source.empty());
            QVERIFY(!f.publishedModel.empty());
            QVERIFY(!figureTableTitle(f.table).empty());
            QVERIFY(releaseRatings(f.datasetFamily) > 0);
            QVERIFY(f.model.empty() ||
                    std::find(names.begin(), names.end(), f.model) != names.end());
            QVERIFY(f.metric.find('@') == std::string::npos || f.k > 0);
            QVERIFY(f.value > 0.0);
        }
        QCOMPARE(int(ids.size()), int(publishedFigures().size()));
    }

    // Spot checks against docs/protocols.md, one per table.
    void numbersAsPublished() {
        const std::pair<const char*, double> expected[] = {
            {"seed003-temporal-ml1m/neuralmf/ndcg@10", 0.0469},
            {"seed003-temporal-ml1m/bpr/avgpop@10", 1937},
            {"seed000-temporal-ml20m/twotower/hit@100", 0.544},
            {"ncf-loo-ml1m/ease/hit@10", 0.7192},
            {"ncf-loo-ml1m/SLIM/ndcg@10", 0.4470},
            {"ncf-loo-ml1m/neumf-pretrain/hit@10", 0.730},
            {"ncf-loo-ml1m/neumf/hit@10", 0.7120},
            {"bert4rec-loo-ml1m/bpr/mrr", 0.2009},
            {"bert4rec-loo-ml20m/pipeline/hit@10", 0.3788},
            {"seed002-loo-ml100k/neumf/hit@10", 0.65},
            {"seed002-ratio-ml100k/mf/rmse", 0.95},
            {"msr-ratio-ml100k/bpr/map@10", 0.1325},
            {"msr-ratio-ml100k/mf/mae", 0.7427},
            {"recbole-ratio-ml1m/ease/hit@10", 0.7837},
            {"seed004-ml100k/bpr/recall@10", 0.1007},
            {"strong-ml20m/ease/recall_capped@50", 0.521},
        };
        for (const auto& [id, value] : expected) {
            const PublishedFigure* f = find(id);
            QVERIFY2(f, id);
            QCOMPARE(f->value, value);
        }
        QVERIFY(find("seed002-loo-ml100k/neumf/hit@10")->kind == FigureKind::AtLeast);
        QVERIFY(find("seed002-ratio-ml100k/mf/rmse")->kind == FigureKind::AtMost);
        QCOMPARE(find("strong-ml20m/ease/ndcg@100")->k, 100);
        QCOMPARE(find("bert4rec-loo-ml1m/pop/mrr")->k, 0);
        const PublishedFigure* msr = find("msr-ratio-ml100k/bpr/ndcg@10");
        QVERIFY(msr->setup.split.exclude == ExcludeRule::Rated);
        QVERIFY(msr->setup.split.stratify == Stratify::Item);
        QCOMPARE(msr->setup.split.testFraction, 0.25);
        const PublishedFigure* recbole = find("recbole-ratio-ml1m/bpr/recall@10");
        QCOMPARE(recbole->setup.split.kcore, 10);
        QCOMPARE(recbole->setup.split.minRating, 3.0);
    }

    void families() {
        QCOMPARE(datasetFamily("100k", 100000), std::string("ml-100k"));
        QCOMPARE(datasetFamily("1m", 500000), std::string("ml-1m"));  // a subset keeps it
        QCOMPARE(datasetFamily("csv", 20000263), std::string("ml-20m"));
        QCOMPARE(datasetFamily("csv", 100836), std::string("ml-latest-small"));
        QCOMPARE(datasetFamily("csv", 33000000), std::string("ml-latest"));
        QCOMPARE(datasetFamily("synthetic", 100000), std::string());
        QCOMPARE(releaseRatings("ml-1m"), int64_t(1000209));
        QCOMPARE(releaseRatings("demo"), int64_t(0));
    }

    void matcherComparesLikeWithLike() {
        const SplitConfig loo = defaultSplitConfig(Protocol::Loo);
        auto m = matchingFigures(loo, 99, NegativeSampler::Uniform, "ml-1m", 10);
        std::set<std::string> tables;
        for (const PublishedFigure* f : m)
            tables.insert(f->table);
        QCOMPARE(tables, (std::set<std::string>{"ncf-loo-ml1m"}));
        QCOMPARE(int(m.size()), 18);  // 9 models x HR@10, NDCG@10
        // Another data set, another evaluation or another K: nothing from that table.
        QVERIFY(matchingFigures(loo, 99, NegativeSampler::Uniform, "ml-20m", 10).empty());
        QVERIFY(matchingFigures(loo, 0, NegativeSampler::Uniform, "ml-1m", 10).empty());
        QVERIFY(matchingFigures(loo, 99, NegativeSampler::Uniform, "ml-1m", 20).empty());
        QVERIFY(matchingFigures(loo, 99, NegativeSampler::Uniform, "", 10).empty());
        // BERT4Rec: 100 popularity negatives; the global MRR (no K) matches any K.
        m = matchingFigures(loo, 100, NegativeSampler::Popularity, "ml-1m", 10);
        QCOMPARE(int(m.size()), 9);
        m = matchingFigures(loo, 100, NegativeSampler::Popularity, "ml-1m", 20);
        QCOMPARE(int(m.size()), 3);
        QVERIFY(matchingFigures(loo, 100, NegativeSampler::Uniform, "ml-1m", 10).empty());

        // Full ranking: the exclusion rule and the split options count.
        SplitConfig msr = defaultSplitConfig(Protocol::Ratio);
        msr.testFraction = 0.25;
        msr.stratify = Stratify::Item;
        msr.exclude = ExcludeRule::Rated;
        // 8 figures at K = 10 and 3 rating errors (no K).
        QCOMPARE(int(matchingFigures(msr, 0, NegativeSampler::Uniform, "ml-100k", 10).size()), 11);
        msr.seed = 7;  // seeds never count
        QCOMPARE(int(matchingFigures(msr, 0, NegativeSampler::Uniform, "ml-100k", 10).size()), 11);
        const auto fromTable = [](const std::vector<const PublishedFigure*>& figures,
                                  const std::string& table) {
            return std::count_if(figures.begin(), figures.end(),
                                 [&](const PublishedFigure* f) { return f->table == table; });
        };
        msr.exclude = ExcludeRule::Positives;
        QCOMPARE(fromTable(matchingFigures(msr, 0, NegativeSampler::Uniform, "ml-100k", 10),
                           "msr-ratio-ml100k"),
                 0L);
        msr.exclude = ExcludeRule::Rated;
        msr.stratify = Stratify::User;
        QVERIFY(matchingFigures(msr, 0, NegativeSampler::Uniform, "ml-100k", 10).empty());
        // Split not stated (seed 004, seed 002's RMSE): any ratio split with positives compares.
        SplitConfig any = defaultSplitConfig(Protocol::Ratio);
        any.testFraction = 0.3;
        m = matchingFigures(any, 0, NegativeSampler::Uniform, "ml-100k", 10);
        QCOMPARE(int(m.size()), 3);  // seed 004's recall and NDCG, seed 002's RMSE
        // Temporal, seed 000: the validation size is not stated, the threshold is.
        SplitConfig t = defaultSplitConfig(Protocol::Temporal);
        t.threshold = 3.5;
        t.nVal = 2;
        QCOMPARE(int(matchingFigures(t, 0, NegativeSampler::Uniform, "ml-20m", 100).size()), 3);
        t.threshold = 4.0;
        QVERIFY(matchingFigures(t, 0, NegativeSampler::Uniform, "ml-20m", 100).empty());
    }
};

QTEST_APPLESS_MAIN(TestPublishedFigures)
#include "tst_publishedfigures.moc"
