// Reference rows (core/export/ReferenceRows.h): published figures join the runs they compare
// with, matched by protocol, data set family and K; runs on another protocol, another family,
// another evaluation (full ranking vs sampled) or scored on validation bring none; the export
// appends them after the runs, never marked best.

#include <QtTest>

#include <set>

#include "core/eval/PublishedFigures.h"
#include "core/export/LeaderboardTable.h"
#include "core/export/ReferenceRows.h"

using namespace recscope;

namespace {

RunRecord run(const std::string& format, int64_t ratings, Protocol protocol, int negatives,
              std::vector<int> ks = {10}) {
    RunRecord r;
    r.id = 1;
    r.name = "run";
    r.status = RunStatus::Finished;
    r.config.model = "ease";
    r.config.split = defaultSplitConfig(protocol);
    r.config.ks = std::move(ks);
    r.config.negatives = negatives;
    r.evaluatedNegatives = negatives;
    r.dataset.name = "data";
    r.dataset.format = format;
    r.dataset.ratings = ratings;
    r.metrics = {{"hit@10", 0.70}, {"ndcg@10", 0.43}};
    return r;
}

std::set<std::string> tables(const std::vector<ReferenceRow>& rows) {
    std::set<std::string> out;
    for (const ReferenceRow& r : rows)
        out.insert(r.table);
    return out;
}

}  // namespace

class TestReferenceRows : public QObject {
    Q_OBJECT

private slots:
    void matchedByProtocolFamilyAndK() {
        // ML-1M, leave-one-out with 99 uniform negatives: the NCF table.
        const std::vector<ReferenceRow> ncf =
            referenceRows({run("1m", 1000209, Protocol::Loo, 99)});
        QVERIFY(tables(ncf).count("ncf-loo-ml1m"));
        bool neumf = false;
        for (const ReferenceRow& r : ncf) {
            QVERIFY(!r.figures.empty());
            for (const auto& [metric, f] : r.figures) {
                QCOMPARE(f->metric, metric);
                QCOMPARE(f->datasetFamily, std::string("ml-1m"));
                QVERIFY(setupMatches(f->setup, defaultSplitConfig(Protocol::Loo), 99,
                                     NegativeSampler::Uniform));
                QVERIFY(f->k == 10 || f->k == 0);
            }
            if (r.table == "ncf-loo-ml1m" && r.name.rfind("NeuMF with pre-training", 0) == 0) {
                neumf = true;
                QCOMPARE(r.figures.at("hit@10")->value, 0.730);
                QCOMPARE(r.model, std::string("neumf"));
            }
        }
        QVERIFY(neumf);
        // One row per published model of the table (nine in the NCF table of docs/protocols.md).
        int ncfRows = 0;
        for (const ReferenceRow& r : ncf)
            ncfRows += r.table == "ncf-loo-ml1m";
        QCOMPARE(ncfRows, 9);

        // Same data, full ranking: the sampled tables do not compare.
        QVERIFY(!tables(referenceRows({run("1m", 1000209, Protocol::Loo, 0)}))
                     .count("ncf-loo-ml1m"));
        // Popularity-sampled negatives: BERT4Rec's table, not NCF's.
        RunRecord bert = run("1m", 1000209, Protocol::Loo, 100);
        bert.config.sampler = NegativeSampler::Popularity;
        const std::set<std::string> b = tables(referenceRows({bert}));
        QVERIFY(b.count("bert4rec-loo-ml1m"));
        QVERIFY(!b.count("ncf-loo-ml1m"));
        // Another family: nothing from ML-1M.
        for (const ReferenceRow& r : referenceRows({run("100k", 100000, Protocol::Loo, 99)}))
            QCOMPARE(r.datasetFamily, std::string("ml-100k"));
        // Only K = 100 evaluated: no @10 figure.
        for (const ReferenceRow& r :
             referenceRows({run("1m", 1000209, Protocol::Loo, 99, {100})}))
            for (const auto& [metric, f] : r.figures)
                QVERIFY(f->k == 100 || f->k == 0);
        // Temporal ML-1M with the seed 003 set-up (threshold 4, last 5 to test).
        QVERIFY(!referenceRows({run("1m", 1000209, Protocol::Temporal, 0)}).empty());
        // The demo data have no family; a validation run or an unfinished one brings nothing.
        QVERIFY(referenceRows({run("synthetic", 100000, Protocol::Loo, 99)}).empty());
        RunRecord trial = run("1m", 1000209, Protocol::Loo, 99);
        trial.config.evaluateOn = EvalPart::Validation;
        QVERIFY(referenceRows({trial}).empty());
        RunRecord failed = run("1m", 1000209, Protocol::Loo, 99);
        failed.status = RunStatus::Failed;
        QVERIFY(referenceRows({failed}).empty());
    }

    void exportAppendsUnmarkedRows() {
        const std::vector<RunRecord> runs = {run("1m", 1000209, Protocol::Loo, 99)};
        Table t = leaderboardTable(runs, {"hit@10", "ndcg@10"}, 4);
        const size_t before = t.rows.size();
        appendReferenceRows(t, referenceRows(runs), 4);
        QVERIFY(t.rows.size() > before);
        QCOMPARE(t.best.size(), t.rows.size());
        const size_t hit = size_t(std::find(t.headers.begin(), t.headers.end(), "hit@10") -
                                  t.headers.begin());
        bool found = false;
        for (size_t r = before; r < t.rows.size(); ++r) {
            QCOMPARE(t.rows[r][0], std::string("published"));
            for (bool b : t.best[r])
                QVERIFY(!b);
            if (t.rows[r][1].rfind("NeuMF with pre-training", 0) == 0) {
                QCOMPARE(t.rows[r][hit], std::string("0.7300"));
                found = true;
            }
        }
        QVERIFY(found);
        // The run keeps its mark although a published figure is higher.
        QVERIFY(t.best[0][hit]);
        // No chosen metric in common: no row.
        Table other = leaderboardTable(runs, {"recall@20"}, 4);
        appendReferenceRows(other, referenceRows(runs), 4);
        QCOMPARE(other.rows.size(), size_t(1));
        QCOMPARE(referenceCell(*referenceRows(runs).front().figures.begin()->second, 2).empty(),
                 false);
    }
};

QTEST_GUILESS_MAIN(TestReferenceRows)
#include "tst_referencerows.moc"
