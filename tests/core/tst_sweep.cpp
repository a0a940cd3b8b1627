// Sweeps (core/sweep): grid, linear, log and drawn values against hand-computed lists; the
// definition's JSON round trip; a sweep run into a workspace checked against the same runs made
// by hand (each trial's validation metrics, the best pick, the test run of the best); cancel and
// resume without redoing finished trials; the sweep tables next to an existing schema.

#include <QtTest>

#include <QTemporaryDir>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "core/data/SyntheticGenerator.h"
#include "core/models/Compute.h"
#include "core/run/Experiment.h"
#include "core/sweep/SweepResults.h"
#include "core/sweep/SweepRunner.h"
#include "core/sweep/SweepSpec.h"
#include "core/workspace/SweepStore.h"
#include "core/workspace/Workspace.h"

using namespace recscope;

namespace {

using Params = std::map<std::string, std::string>;

Dataset smallData() {
    SyntheticConfig cfg;
    cfg.seed = 5;
    cfg.users = 200;
    cfg.items = 300;
    cfg.ratings = 12000;
    Result<Dataset> ds = generateSynthetic(cfg);
    if (!ds)
        qFatal("synthetic data: %s", ds.error().message.c_str());
    return std::move(ds).value();
}

SweepSpec spec(const std::string& model) {
    SweepSpec s;
    s.base.dataset = "synthetic";
    s.base.model = model;
    s.base.split = defaultSplitConfig(Protocol::Temporal);
    s.base.split.threshold = 3.5;
    s.base.ks = {10, 20};
    return s;
}

SweepDimension dim(SweepDimension::Kind kind, const std::string& param, const std::string& text) {
    Result<SweepDimension> d = parseSweepDimension(kind, param, text);
    if (!d)
        qFatal("dimension: %s", d.error().message.c_str());
    return d.value();
}

std::vector<Params> expanded(const SweepSpec& s) {
    Result<std::vector<SweepTrial>> t = expandSweep(s);
    if (!t)
        qFatal("expand: %s", t.error().message.c_str());
    std::vector<Params> out;
    for (const SweepTrial& trial : t.value())
        out.push_back(trial.params);
    return out;
}

QString expandError(const SweepSpec& s) {
    Result<std::vector<SweepTrial>> t = expandSweep(s);
    return t ? QString() : QString::fromStdString(t.error().message);
}

const Params* findRunParams(const std::vector<RunRecord>& runs, int64_t id) {
    for (const RunRecord& r : runs)
        if (r.id == id)
            return &r.config.params;
    return nullptr;
}

}  // namespace

class TestSweep : public QObject {
    Q_OBJECT

private:
    Dataset m_data;

private slots:
    void initTestCase() {
        setComputeThreads(1);
        m_data = smallData();
    }

    void gridIsTheProductFirstDimensionSlowest() {
        SweepSpec s = spec("bpr");
        s.dimensions = {dim(SweepDimension::Kind::List, "factors", "16,32,64"),
                        dim(SweepDimension::Kind::Log, "lr", "1e-3:1e-1:3")};
        const std::vector<Params> expected = {
            {{"factors", "16"}, {"lr", "0.001"}}, {{"factors", "16"}, {"lr", "0.01"}},
            {{"factors", "16"}, {"lr", "0.1"}},   {{"factors", "32"}, {"lr", "0.001"}},
            {{"factors", "32"}, {"lr", "0.01"}},  {{"factors", "32"}, {"lr", "0.1"}},
            {{"factors", "64"}, {"lr", "0.001"}}, {{"factors", "64"}, {"lr", "0.01"}},
            {{"factors", "64"}, {"lr", "0.1"}}};
        QCOMPARE(expanded(s), expected);
    }

    void linearAndLogPoints() {
        SweepSpec s = spec("itemknn");
        s.dimensions = {dim(SweepDimension::Kind::Linear, "shrink", "0:10:5")};
        QCOMPARE(expanded(s), (std::vector<Params>{{{"shrink", "0"}},
                                                   {{"shrink", "2.5"}},
                                                   {{"shrink", "5"}},
                                                   {{"shrink", "7.5"}},
                                                   {{"shrink", "10"}}}));
        // Log over an integer: 1, 1.41, 2, 2.83, 4 rounds to 1, 1, 2, 3, 4; the repeat goes.
        s.dimensions = {dim(SweepDimension::Kind::Log, "neighbours", "1:4:5")};
        QCOMPARE(expanded(s), (std::vector<Params>{{{"neighbours", "1"}},
                                                   {{"neighbours", "2"}},
                                                   {{"neighbours", "3"}},
                                                   {{"neighbours", "4"}}}));
        s.dimensions = {dim(SweepDimension::Kind::Log, "shrink", "1:1000:4")};
        QCOMPARE(
            expanded(s),
            (std::vector<Params>{
                {{"shrink", "1"}}, {{"shrink", "10"}}, {{"shrink", "100"}}, {{"shrink", "1000"}}}));
        // sqrt(10) between 1 and 10, six significant digits.
        s.dimensions = {dim(SweepDimension::Kind::Log, "shrink", "1:10:3")};
        QCOMPARE(expanded(s), (std::vector<Params>{
                                  {{"shrink", "1"}}, {{"shrink", "3.16228"}}, {{"shrink", "10"}}}));
        s.dimensions = {dim(SweepDimension::Kind::Linear, "shrink", "3:9:1")};
        QCOMPARE(expanded(s), (std::vector<Params>{{{"shrink", "3"}}}));
    }

    void budgetKeepsASeededSubsetInGridOrder() {
        SweepSpec s = spec("itemknn");
        s.dimensions = {dim(SweepDimension::Kind::List, "neighbours", "5,10,20"),
                        dim(SweepDimension::Kind::List, "shrink", "0,1,2")};
        const std::vector<Params> all = expanded(s);
        QCOMPARE(all.size(), size_t(9));
        s.budget = 4;
        s.drawSeed = 7;
        const std::vector<Params> subset = expanded(s);
        QCOMPARE(subset.size(), size_t(4));
        std::vector<size_t> positions;
        for (const Params& p : subset) {
            const auto it = std::find(all.begin(), all.end(), p);
            QVERIFY(it != all.end());
            positions.push_back(size_t(it - all.begin()));
        }
        QVERIFY(std::is_sorted(positions.begin(), positions.end()));
        QCOMPARE(std::set<size_t>(positions.begin(), positions.end()).size(), size_t(4));
        QCOMPARE(expanded(s), subset);  // same seed, same subset
        std::set<std::vector<Params>> seen;
        for (uint64_t seed = 1; seed <= 10; ++seed) {
            s.drawSeed = seed;
            seen.insert(expanded(s));
        }
        QVERIFY(seen.size() > 3);  // the seed matters
        s.budget = 20;             // more than the grid: the whole grid
        QCOMPARE(expanded(s), all);
    }

    void drawsFollowTheDocumentedFormula() {
        SweepSpec s = spec("bpr");
        s.dimensions = {dim(SweepDimension::Kind::LogUniform, "lr", "1e-4:1e-1"),
                        dim(SweepDimension::Kind::Uniform, "weight_decay", "0:0.5"),
                        dim(SweepDimension::Kind::List, "factors", "8,16,32")};
        s.budget = 5;
        s.drawSeed = 3;
        // By hand: u from the top 53 bits of std::mt19937_64; dimensions drawn in order.
        std::mt19937_64 rng(3);
        const auto u = [&rng] { return double(rng() >> 11) * 0x1.0p-53; };
        const auto text = [](double v) {
            std::ostringstream o;
            o.precision(6);
            o << v;
            return o.str();
        };
        const char* factors[] = {"8", "16", "32"};
        std::vector<Params> expected;
        for (int i = 0; i < 5; ++i) {
            Params p;
            p["lr"] = text(std::exp(std::log(1e-4) + u() * (std::log(1e-1) - std::log(1e-4))));
            p["weight_decay"] = text(0.5 * u());
            p["factors"] = factors[std::min(2, int(u() * 3))];
            expected.push_back(p);
        }
        QCOMPARE(expanded(s), expected);

        // Log-uniform: half the draws below the geometric middle (10^-2.5); uniform would put
        // fewer than 1% there.
        s.dimensions = {dim(SweepDimension::Kind::LogUniform, "lr", "1e-4:1e-1")};
        s.budget = 2000;
        int below = 0;
        for (const Params& p : expanded(s)) {
            const double lr = std::stod(p.at("lr"));
            QVERIFY(lr >= 1e-4 && lr <= 1e-1);
            below += lr < std::pow(10.0, -2.5) ? 1 : 0;
        }
        QVERIFY2(below > 900 && below < 1100, qPrintable(QString::number(below)));
    }

    void badDefinitionsAreRefusedWithTheirReason() {
        SweepSpec s = spec("bpr");
        QVERIFY(expandError(s).contains("at least one parameter"));
        s.dimensions = {dim(SweepDimension::Kind::List, "factorz", "1,2")};
        QVERIFY(expandError(s).contains("unknown parameter 'factorz'"));
        s.dimensions = {dim(SweepDimension::Kind::Log, "factors", "0:64:3")};
        QVERIFY(expandError(s).contains("LOW > 0"));
        s.dimensions = {dim(SweepDimension::Kind::Linear, "factors", "1:5000:3")};
        QVERIFY(expandError(s).contains("range"));
        s.dimensions = {dim(SweepDimension::Kind::Log, "sampler", "1:2:2")};
        QVERIFY(expandError(s).contains("not a number"));
        s.dimensions = {dim(SweepDimension::Kind::List, "sampler", "uniform,hard")};
        QVERIFY(expandError(s).contains("sampler"));
        s.dimensions = {dim(SweepDimension::Kind::List, "factors", "8"),
                        dim(SweepDimension::Kind::Log, "factors", "8:64:4")};
        QVERIFY(expandError(s).contains("twice"));
        s.dimensions = {dim(SweepDimension::Kind::Uniform, "lr", "0:0.1")};
        QVERIFY(expandError(s).contains("--budget"));
        s.budget = 3;
        s.metric = "ndcg@5";
        QVERIFY(expandError(s).contains("K = 5"));
        s.metric = "ndcg@10";
        s.base.split.nVal = 0;
        QVERIFY(expandError(s).contains("validation"));
        QVERIFY(!parseSweepDimension(SweepDimension::Kind::Log, "lr", "1e-3:1e-1"));
        QVERIFY(!parseSweepDimension(SweepDimension::Kind::Linear, "lr", "a:b:3"));
        QVERIFY(!parseSweepDimension(SweepDimension::Kind::Linear, "lr", "0:1:2.5"));
        QVERIFY(!parseSweepDimension(SweepDimension::Kind::List, "lr", "1,,2"));
    }

    void definitionRoundTripsThroughJson() {
        SweepSpec s = spec("bpr");
        s.base.params = {{"epochs", "3"}};
        s.dimensions = {dim(SweepDimension::Kind::List, "factors", "8,16"),
                        dim(SweepDimension::Kind::LogUniform, "lr", "0.001:0.1"),
                        dim(SweepDimension::Kind::Linear, "weight_decay", "0:0.01:3")};
        s.budget = 4;
        s.drawSeed = 99;
        s.metric = "recall@20";
        const nlohmann::json j = sweepSpecToJson(s);
        Result<SweepSpec> back = sweepSpecFromJson(j);
        QVERIFY(back.ok());
        QCOMPARE(sweepSpecToJson(back.value()).dump(), j.dump());
        QCOMPARE(expanded(back.value()), expanded(s));
        nlohmann::json broken = j;
        broken["dimensions"][0]["kind"] = "cubic";
        QVERIFY(!sweepSpecFromJson(broken));
        broken = j;
        broken.erase("metric");
        QVERIFY(!sweepSpecFromJson(broken));
    }

    void sweepRunsAsTheSameRunsByHand() {
        QTemporaryDir dir;
        auto ws = Workspace::open(dir.path().toStdString());
        QVERIFY(ws.ok());
        SweepSpec s = spec("itemknn");
        s.dimensions = {dim(SweepDimension::Kind::List, "neighbours", "5,40"),
                        dim(SweepDimension::Kind::List, "shrink", "0,20")};
        int started = 0, ended = 0;
        SweepHooks hooks;
        hooks.runStarted = [&](int, int, int64_t, const std::string&) { ++started; };
        hooks.runEnded = [&](int, int64_t) { ++ended; };
        Result<SweepSummary> summary = runSweep(*ws.value(), m_data, "small", s, "knn", hooks);
        QVERIFY2(summary.ok(), summary ? "" : summary.error().message.c_str());
        QCOMPARE(summary->trials, 4);
        QCOMPARE(summary->trained, 4);
        QCOMPARE(started, 5);  // four trials and the test run
        QCOMPARE(ended, 5);
        QVERIFY(summary->testRunId > 0);

        const std::vector<RunRecord> runs = ws.value()->runs().value();
        QCOMPARE(runs.size(), size_t(5));
        const Result<SweepRecord> record = SweepStore(*ws.value()).sweep(summary->sweepId);
        QVERIFY(record.ok());
        QCOMPARE(record->status, RunStatus::Finished);
        QCOMPARE(record->name, std::string("knn"));
        QCOMPARE(record->trials.size(), size_t(4));
        QCOMPARE(record->testRunId, summary->testRunId);

        // Each trial: the validation metrics of the same configuration run by hand.
        double bestValue = -1;
        int64_t bestRun = 0;
        for (const SweepTrialRecord& t : record->trials) {
            const Result<RunRecord> run = ws.value()->run(t.runId);
            QVERIFY(run.ok());
            QCOMPARE(run->status, RunStatus::Finished);
            QCOMPARE(run->config.evaluateOn, EvalPart::Validation);
            QVERIFY(!run->fitOnTrainAndValidation);
            RunConfig c = s.base;
            c.params = t.params;
            c.evaluateOn = EvalPart::Validation;
            c.fitOn = "train";
            const Result<RunOutcome> byHand = runExperiment(m_data, c);
            QVERIFY(byHand.ok());
            QCOMPARE(run->metrics.at("ndcg@10"), byHand->test.metrics.at("ndcg@10"));
            QCOMPARE(run->metrics.at("recall@20"), byHand->test.metrics.at("recall@20"));
            if (run->metrics.at("ndcg@10") > bestValue) {
                bestValue = run->metrics.at("ndcg@10");
                bestRun = run->id;
            }
        }
        QCOMPARE(summary->bestRunId, bestRun);
        QCOMPARE(record->bestRunId, bestRun);
        QCOMPARE(summary->bestValue, bestValue);

        // The test run: the base configuration (fit rule "auto") with the best values, on test.
        const Result<RunRecord> test = ws.value()->run(summary->testRunId);
        QVERIFY(test.ok());
        QCOMPARE(test->config.evaluateOn, EvalPart::Test);
        QCOMPARE(test->config.params, *findRunParams(runs, bestRun));
        QVERIFY(QString::fromStdString(test->name).contains("best on test"));
        RunConfig c = s.base;
        c.params = test->config.params;
        const Result<RunOutcome> byHand = runExperiment(m_data, c);
        QVERIFY(byHand.ok());
        QCOMPARE(test->metrics.at("ndcg@10"), byHand->test.metrics.at("ndcg@10"));
        QCOMPARE(test->fitOnTrainAndValidation, byHand->fitOnTrainAndValidation);

        // The table marks the chosen trial.
        std::map<int64_t, const RunRecord*> byId;
        for (const RunRecord& r : runs)
            byId[r.id] = &r;
        const Result<SweepResults> results = collectSweepResults(
            record.value(), [&](int64_t id) { return byId.count(id) ? byId.at(id) : nullptr; });
        QVERIFY(results.ok());
        QCOMPARE(results->rows[size_t(results->bestRow)].runId, bestRun);
        const Table table = sweepTable(results.value());
        QCOMPARE(table.headers,
                 (std::vector<std::string>{"trial", "neighbours", "shrink", "val ndcg@10", "status",
                                           "run", "train s"}));
        QCOMPARE(table.rows.size(), size_t(4));
        QVERIFY(table.best[size_t(results->bestRow)][3]);
    }

    void cancelledSweepResumesWithoutRedoingTrials() {
        QTemporaryDir dir;
        auto ws = Workspace::open(dir.path().toStdString());
        QVERIFY(ws.ok());
        SweepSpec s = spec("itemknn");
        s.dimensions = {dim(SweepDimension::Kind::List, "neighbours", "5,10,20,40")};
        CancelToken cancel;
        SweepHooks hooks;
        hooks.cancel = &cancel;
        int ended = 0;
        hooks.runEnded = [&](int, int64_t) {
            if (++ended == 2)
                cancel.cancel();
        };
        Result<SweepSummary> first = runSweep(*ws.value(), m_data, "small", s, {}, hooks);
        QVERIFY(first.ok());
        QVERIFY(first->cancelled);
        QCOMPARE(first->trained, 2);
        const int64_t id = first->sweepId;
        Result<SweepRecord> record = SweepStore(*ws.value()).sweep(id);
        QCOMPARE(record->status, RunStatus::Cancelled);
        const int64_t run1 = record->trials[0].runId;
        const int64_t run2 = record->trials[1].runId;
        QVERIFY(run1 > 0 && run2 > 0);
        QCOMPARE(record->trials[2].runId, int64_t(0));
        const std::string created1 = ws.value()->run(run1)->createdAt;

        // The same definition on the same data is found again; other data are refused.
        const std::string fingerprint = datasetIdentity(m_data, "small").fingerprint;
        QCOMPARE(findResumableSweep(*ws.value(), s, fingerprint).value(), id);
        QCOMPARE(findResumableSweep(*ws.value(), s, "other").value(), int64_t(0));
        SweepSpec other = s;
        other.metric = "recall@10";
        QCOMPARE(findResumableSweep(*ws.value(), other, fingerprint).value(), int64_t(0));
        const Dataset demo = demoDataset();
        const Result<SweepSummary> wrongData = resumeSweep(*ws.value(), demo, id);
        QVERIFY(!wrongData.ok());
        QVERIFY(QString::fromStdString(wrongData.error().message).contains("not the same"));

        std::vector<int> skipped;
        SweepHooks again;
        again.trialSkipped = [&](int trial, int64_t) { skipped.push_back(trial); };
        Result<SweepSummary> second = resumeSweep(*ws.value(), m_data, id, again);
        QVERIFY(second.ok());
        QVERIFY(!second->cancelled);
        QCOMPARE(second->skipped, 2);
        QCOMPARE(second->trained, 2);
        QCOMPARE(skipped, (std::vector<int>{0, 1}));
        record = SweepStore(*ws.value()).sweep(id);
        QCOMPARE(record->status, RunStatus::Finished);
        QCOMPARE(record->trials[0].runId, run1);
        QCOMPARE(record->trials[1].runId, run2);
        QCOMPARE(ws.value()->run(run1)->createdAt, created1);
        QCOMPARE(ws.value()->runs()->size(), size_t(5));  // 4 trials + test, nothing twice
        QCOMPARE(findResumableSweep(*ws.value(), s, fingerprint).value(), int64_t(0));

        // Deleting a trial's run unlinks it; the schema version is the one runs need.
        QVERIFY(ws.value()->deleteRun(run1).ok());
        record = SweepStore(*ws.value()).sweep(id);
        QCOMPARE(record->trials[0].runId, int64_t(0));
        QCOMPARE(ws.value()->integrityCheck().value(), std::string("ok"));
    }

    void workspaceWithoutSweepTablesHasNoSweeps() {
        QTemporaryDir dir;
        auto ws = Workspace::open(dir.path().toStdString());
        QVERIFY(ws.ok());
        SweepStore store(*ws.value());
        QVERIFY(store.sweeps().value().empty());
        QVERIFY(!store.sweep(1).ok());
        QVERIFY(!store.claimSweep(1).ok());
    }
};

QTEST_GUILESS_MAIN(TestSweep)
#include "tst_sweep.moc"
