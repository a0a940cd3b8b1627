// The user inspector's core (issue 6) against brute-force references on small seeded data:
// history parts equal the split; top-K lists and their hits equal a full sort of the model's
// scores with the evaluator's masks; per-user metrics equal the evaluator's per-user vectors;
// ranks in another list; activity buckets; "because you liked" from the model and from the
// co-occurrence cosine fallback; what-if lists; loadRun of a run saved in a workspace
// reproduces its scores and refuses another dataset with a clear message.

#include <QtTest>

#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>

#include "core/data/SyntheticGenerator.h"
#include "core/eval/Metrics.h"
#include "core/inspect/LoadedRun.h"
#include "core/inspect/UserInspection.h"
#include "core/models/Compute.h"
#include "core/run/Experiment.h"
#include "core/split/Split.h"
#include "core/workspace/Workspace.h"

using namespace recscope;

namespace {

std::shared_ptr<const Dataset> makeData(uint64_t seed) {
    SyntheticConfig cfg;
    cfg.seed = seed;
    cfg.users = 240;
    cfg.items = 300;
    cfg.ratings = 18000;
    Result<Dataset> ds = generateSynthetic(cfg);
    if (!ds)
        qFatal("synthetic data: %s", ds.error().message.c_str());
    return std::make_shared<const Dataset>(std::move(ds).value());
}

RunConfig config(const std::string& model) {
    RunConfig c;
    c.dataset = "synthetic";
    c.split = defaultSplitConfig(Protocol::Temporal);
    c.split.threshold = 3.5;
    c.model = model;
    c.ks = {5, 10};
    return c;
}

LoadRunRequest requestFor(const RunConfig& c, const RunOutcome& o, int64_t id = 1) {
    LoadRunRequest r;
    r.runId = id;
    r.runName = c.model;
    r.config = c;
    r.params = o.params;
    r.fitOnTrainAndValidation = o.fitOnTrainAndValidation;
    return r;
}

// A hand-made model: item i scores base[i] (+ user for known users); folds in by summing the
// ratings of the history into item (h + 1) % n; item similarity = 1 / (1 + |a - b|) when
// `similarities` is set, else none (co-occurrence fallback).
class StubModel : public Recommender {
public:
    StubModel(int32_t items, bool similarities) : m_items(items), m_similarities(similarities) {}
    std::string name() const override { return "stub"; }
    std::vector<ParamSpec> paramSpecs() const override { return {}; }
    Status fit(const TrainData&, const FitContext&) override { return {}; }
    int32_t numItems() const override { return m_items; }
    void scoreUsers(const int32_t* users, int64_t n, float* out) const override {
        for (int64_t r = 0; r < n; ++r)
            for (int32_t i = 0; i < m_items; ++i)
                out[r * m_items + i] = float((i * 37 + users[r] * 11) % 101);
    }
    Status save(const std::string&) const override { return {}; }
    Status load(const std::string&) override { return {}; }
    bool canFoldIn() const override { return true; }
    Status scoreHistory(const std::vector<HistoryEntry>& history, float* out) const override {
        for (int32_t i = 0; i < m_items; ++i)
            out[i] = float(i % 7) * 0.01f;
        for (const HistoryEntry& e : history)
            out[(e.item + 1) % m_items] += e.rating;
        return {};
    }
    bool itemSimilarities(int32_t item, const int32_t* items, int64_t n,
                          float* out) const override {
        if (!m_similarities)
            return false;
        for (int64_t j = 0; j < n; ++j)
            out[j] = 1.0f / float(1 + std::abs(item - items[j]));
        return true;
    }

private:
    int32_t m_items;
    bool m_similarities;
};

// Everything of `user` in a split part as (item, rating, timestamp) triples.
std::multiset<std::tuple<int32_t, float, int64_t>> rowsOf(const Interactions& part, int32_t user) {
    std::multiset<std::tuple<int32_t, float, int64_t>> rows;
    for (size_t i = 0; i < part.size(); ++i)
        if (part.users[i] == user)
            rows.insert({part.items[i], part.ratings[i], part.timestamps[i]});
    return rows;
}

// The evaluator's full-ranking list, by a plain sort of every item.
std::vector<int32_t> bruteTopK(const LoadedRun& run, const Recommender& model, int32_t user,
                               int k) {
    const TrainData& train = *run.train;
    std::vector<float> s(size_t(train.numItems));
    model.scoreUsers(&user, 1, s.data());
    std::vector<char> allowed(size_t(train.numItems), 0);
    for (int32_t u = 0; u < train.numUsers; ++u)
        for (int64_t p = train.allRatings.offsets[u]; p < train.allRatings.offsets[u + 1]; ++p)
            allowed[size_t(train.allRatings.indices[size_t(p)])] = 1;
    for (int64_t p = train.positives.offsets[user]; p < train.positives.offsets[user + 1]; ++p)
        allowed[size_t(train.positives.indices[size_t(p)])] = 0;
    // Validation items are removed from test lists even when the run trained on them.
    for (const Interactions* v : {&train.split->validation, &train.split->validationInTrain})
        for (size_t i = 0; i < v->size(); ++i)
            if (v->users[i] == user)
                allowed[size_t(v->items[i])] = 0;
    std::vector<int32_t> items;
    for (int32_t i = 0; i < train.numItems; ++i)
        if (allowed[size_t(i)])
            items.push_back(i);
    const TieOrder ties(run.config.seed, user);
    std::sort(items.begin(), items.end(),
              [&](int32_t a, int32_t b) { return ties.before(s[size_t(a)], a, s[size_t(b)], b); });
    items.resize(std::min<size_t>(items.size(), size_t(k)));
    return items;
}

std::vector<int32_t> itemsOf(const std::vector<RecommendedItem>& list) {
    std::vector<int32_t> items;
    for (const RecommendedItem& r : list)
        items.push_back(r.item);
    return items;
}

}  // namespace

class TestInspect : public QObject {
    Q_OBJECT

private:
    std::shared_ptr<const Dataset> m_data;
    RunConfig m_easeConfig;
    RunOutcome m_ease;
    std::shared_ptr<const LoadedRun> m_easeRun;

    // A run of `model` over m_data (its split) without training.
    std::shared_ptr<const LoadedRun> stubRun(bool similarities,
                                             ExcludeRule rule = ExcludeRule::Positives) {
        LoadRunRequest r;
        r.runId = 9;
        r.config = config("pop");
        r.config.split.exclude = rule;
        Result<LoadedRun> run =
            loadRun(r, m_data, std::make_shared<StubModel>(m_data->numItems(), similarities));
        if (!run)
            qFatal("stub run: %s", run.error().message.c_str());
        return std::make_shared<const LoadedRun>(std::move(run).value());
    }

private slots:
    void initTestCase() {
        setComputeThreads(1);
        m_data = makeData(5);
        m_easeConfig = config("ease");
        Result<RunOutcome> o = runExperiment(*m_data, m_easeConfig);
        QVERIFY2(o.ok(), o.ok() ? "" : o.error().message.c_str());
        m_ease = std::move(o).value();
        QVERIFY(m_ease.fitOnTrainAndValidation);  // ease does not stop early
        std::shared_ptr<const Recommender> model(std::move(m_ease.model));
        Result<LoadedRun> run = loadRun(requestFor(m_easeConfig, m_ease), m_data, model);
        QVERIFY2(run.ok(), run.ok() ? "" : run.error().message.c_str());
        m_easeRun = std::make_shared<const LoadedRun>(std::move(run).value());
    }

    void loadedRunMatchesTheExperiment() {
        const LoadedRun& run = *m_easeRun;
        QVERIFY(!run.twoStage());
        QCOMPARE(run.stageName(RunStage::Final), std::string("ease"));
        QCOMPARE(&run.stageModel(RunStage::Retriever), run.model.get());
        // Train + validation, as the run fitted.
        QCOMPARE(int64_t(run.train->split->train.size()),
                 int64_t(run.split->train.size() + run.split->validation.size()));
        QVERIFY(run.train->split->validation.empty());
        QVERIFY(!run.split->validation.empty());
        QCOMPARE(int64_t(m_ease.trainRatings), int64_t(run.train->split->train.size()));
    }

    void historyPartsEqualTheSplit() {
        UserInspection inspect(m_easeRun);
        const Split& split = *m_easeRun->split;
        for (int32_t user : {0, 17, 101, 239}) {
            const std::vector<HistoryRow> rows = inspect.history(user);
            std::multiset<std::tuple<int32_t, float, int64_t>> parts[3];
            for (const HistoryRow& r : rows)
                parts[int(r.part)].insert({r.item, r.rating, r.timestamp});
            QCOMPARE(parts[0], rowsOf(split.train, user));
            QCOMPARE(parts[1], rowsOf(split.validation, user));
            QCOMPARE(parts[2], rowsOf(split.test, user));
            for (size_t i = 1; i < rows.size(); ++i)
                QVERIFY(rows[i - 1].timestamp <= rows[i].timestamp);
            for (const HistoryRow& r : rows)
                QCOMPARE(r.positive, r.rating >= 3.5f);
        }
        QCOMPARE(historyPartName(HistoryPart::Validation), std::string("validation"));
    }

    void topKAndHitsEqualBruteForce() {
        UserInspection inspect(m_easeRun);
        const Recommender& model = *m_easeRun->model;
        int hitsSeen = 0;
        for (int32_t user = 0; user < inspect.numUsers(); user += 7) {
            Result<std::vector<RecommendedItem>> list = inspect.topK(RunStage::Final, user, 10);
            QVERIFY(list.ok());
            QCOMPARE(itemsOf(list.value()), bruteTopK(*m_easeRun, model, user, 10));
            const std::vector<int32_t> positives = inspect.testPositives(user);
            std::vector<float> scores(size_t(model.numItems()));
            model.scoreUsers(&user, 1, scores.data());
            for (const RecommendedItem& r : list.value()) {
                QCOMPARE(r.hit, std::binary_search(positives.begin(), positives.end(), r.item));
                QCOMPARE(r.score, scores[size_t(r.item)]);
                hitsSeen += r.hit ? 1 : 0;
            }
        }
        QVERIFY(hitsSeen > 0);  // the check above compared some true flags
        QVERIFY(!inspect.topK(RunStage::Final, -1, 10).ok());
        QVERIFY(!inspect.topK(RunStage::Final, inspect.numUsers(), 10).ok());
        QVERIFY(!inspect.topK(RunStage::Final, 0, 0).ok());
    }

    void perUserMetricsEqualTheEvaluator() {
        UserInspection inspect(m_easeRun);
        const EvalResult& test = m_ease.test;
        QVERIFY(test.users.size() > 50);
        for (int k : {5, 10}) {
            const std::vector<float>& recall = test.perUser.at("recall@" + std::to_string(k));
            const std::vector<float>& ndcg = test.perUser.at("ndcg@" + std::to_string(k));
            const std::vector<float>& hit = test.perUser.at("hit@" + std::to_string(k));
            for (size_t e = 0; e < test.users.size(); ++e) {
                const int32_t user = test.users[e];
                const auto list = inspect.topK(RunStage::Final, user, k);
                QVERIFY(list.ok());
                const ListMetrics m = inspect.metrics(list.value(), user, k);
                QCOMPARE(float(m.recall), recall[e]);
                QCOMPARE(float(m.ndcg), ndcg[e]);
                QCOMPARE(float(m.hit), hit[e]);
            }
        }
    }

    void ranksInTheOtherList() {
        const auto list = [](std::vector<int32_t> items) {
            std::vector<RecommendedItem> l;
            for (int32_t i : items)
                l.push_back({i, 0.0f, false});
            return l;
        };
        QCOMPARE(UserInspection::ranksIn(list({5, 3, 9, 7}), list({3, 7, 5})),
                 (std::vector<int>{3, 1, 0, 2}));
        QCOMPARE(UserInspection::ranksIn(list({}), list({1})), std::vector<int>{});
        QCOMPARE(UserInspection::ranksIn(list({4}), list({})), std::vector<int>{0});
    }

    void activityBuckets() {
        UserInspection inspect(m_easeRun);
        const std::vector<int32_t> few = inspect.bucketUsers(ActivityBucket::Few);
        const std::vector<int32_t> median = inspect.bucketUsers(ActivityBucket::Median);
        const std::vector<int32_t> many = inspect.bucketUsers(ActivityBucket::Many);
        // Brute force: evaluated users (test positives) in thirds by training count.
        std::vector<int32_t> users(m_ease.test.users);
        QCOMPARE(few.size() + median.size() + many.size(), users.size());
        QVERIFY(std::abs(int(few.size()) - int(many.size())) <= 1);
        int64_t maxFew = 0, minMedian = INT64_MAX, maxMedian = 0, minMany = INT64_MAX;
        for (int32_t u : few)
            maxFew = std::max(maxFew, inspect.trainCount(u));
        for (int32_t u : median) {
            minMedian = std::min(minMedian, inspect.trainCount(u));
            maxMedian = std::max(maxMedian, inspect.trainCount(u));
        }
        for (int32_t u : many)
            minMany = std::min(minMany, inspect.trainCount(u));
        QVERIFY(maxFew <= minMedian);
        QVERIFY(maxMedian <= minMany);
        std::set<int32_t> all(few.begin(), few.end());
        all.insert(median.begin(), median.end());
        all.insert(many.begin(), many.end());
        QCOMPARE(std::vector<int32_t>(all.begin(), all.end()), users);
        QCOMPARE(inspect.trainCount(5), m_easeRun->train->allRatings.rowSize(5));

        const int32_t picked = inspect.pickUser(ActivityBucket::Many, 3);
        QVERIFY(std::binary_search(many.begin(), many.end(), picked));
        QCOMPARE(inspect.pickUser(ActivityBucket::Many, 3), picked);
        std::set<int32_t> distinct;
        for (uint64_t seed = 0; seed < 20; ++seed)
            distinct.insert(inspect.pickUser(ActivityBucket::Few, seed));
        QVERIFY(distinct.size() > 3);
        const int32_t random = inspect.pickRandomUser(8);
        QVERIFY(std::binary_search(users.begin(), users.end(), random));
    }

    // Brute force: genre shares of the older and the last `recent` training films, written
    // out per genre name; the pick is the evaluated user with the largest distance.
    void genreShiftUserByBruteForce() {
        UserInspection inspect(m_easeRun);
        const ItemMetadata& data = m_data->itemMetadata();
        const int recent = 10;
        const auto reference = [&](int32_t user) {
            std::vector<int32_t> train;
            for (const HistoryRow& row : inspect.history(user))
                if (row.part == HistoryPart::Train)
                    train.push_back(row.item);
            if (train.size() < 2 * size_t(recent))
                return 0.0;
            std::map<std::string, double> older, newer;
            double olderFilms = 0, newerFilms = 0;
            for (size_t k = 0; k < train.size(); ++k) {
                const bool isNew = k + recent >= train.size();
                std::vector<std::string> genres;
                for (size_t g = 0; g < data.genreNames.size(); ++g)
                    if (data.genreMasks[size_t(train[k])] >> g & 1u)
                        genres.push_back(data.genreNames[g]);
                if (genres.empty())
                    continue;
                (isNew ? newerFilms : olderFilms) += 1;
                for (const std::string& g : genres)
                    (isNew ? newer : older)[g] += 1.0 / double(genres.size());
            }
            double sum = 0;
            for (const std::string& g : data.genreNames)
                sum += std::fabs(older[g] / olderFilms - newer[g] / newerFilms);
            return sum / 2;
        };
        int32_t best = -1;
        double bestShift = 0;
        for (int32_t u : m_ease.test.users) {
            const double expected = reference(u);
            QVERIFY2(std::fabs(inspect.genreShift(u, recent) - expected) < 1e-12,
                     qPrintable(QString("user %1").arg(u)));
            if (expected > bestShift) {
                bestShift = expected;
                best = u;
            }
        }
        QVERIFY(best >= 0 && bestShift > 0.1);
        QCOMPARE(inspect.genreShiftUser(recent), best);
        // Nobody has 2 x 1000 training ratings.
        QCOMPARE(inspect.genreShiftUser(1000), int32_t(-1));
    }

    void becauseYouLikedFallsBackToCooccurrenceCosine() {
        auto run = stubRun(false);
        UserInspection inspect(run);
        const TrainData& train = *run->train;
        // Dense binary item columns of the training positives.
        const auto column = [&](int32_t item) {
            std::vector<int> c(size_t(train.numUsers), 0);
            for (int32_t u = 0; u < train.numUsers; ++u)
                for (int64_t p = train.positives.offsets[u]; p < train.positives.offsets[u + 1];
                     ++p)
                    if (train.positives.indices[size_t(p)] == item)
                        c[size_t(u)] = 1;
            return c;
        };
        const auto cosine = [&](int32_t a, int32_t b) {
            const auto ca = column(a), cb = column(b);
            double dot = 0, na = 0, nb = 0;
            for (size_t u = 0; u < ca.size(); ++u) {
                dot += ca[u] * cb[u];
                na += ca[u];
                nb += cb[u];
            }
            return na > 0 && nb > 0 ? dot / std::sqrt(na * nb) : 0.0;
        };
        const int32_t user = m_ease.test.users[3];
        const std::vector<int32_t> liked = inspect.likedItems(user);
        QVERIFY(liked.size() > 5);
        const auto list = inspect.topK(RunStage::Final, user, 3);
        QVERIFY(list.ok());
        const int32_t item = list.value()[0].item;
        const BecauseYouLiked why = inspect.becauseYouLiked(RunStage::Final, item, liked, 4);
        QVERIFY(!why.fromModel);
        std::vector<std::pair<double, int32_t>> brute;
        for (int32_t j : liked)
            if (j != item && cosine(item, j) > 0)
                brute.push_back({-cosine(item, j), j});
        std::sort(brute.begin(), brute.end());
        QCOMPARE(int(why.items.size()), std::min(4, int(brute.size())));
        QVERIFY(!why.items.empty());
        for (size_t i = 0; i < why.items.size(); ++i) {
            QCOMPARE(why.items[i].item, brute[i].second);
            QVERIFY(std::abs(why.items[i].similarity + brute[i].first) < 1e-6);
            QVERIFY(std::abs(inspect.cooccurrenceCosine(item, brute[i].second) + brute[i].first) <
                    1e-6);
        }
    }

    void becauseYouLikedFromTheModel() {
        UserInspection inspect(stubRun(true));
        const BecauseYouLiked why =
            inspect.becauseYouLiked(RunStage::Final, 50, {10, 48, 50, 53, 90, 49}, 3);
        QVERIFY(why.fromModel);
        QCOMPARE(int(why.items.size()), 3);
        QCOMPARE(why.items[0].item, 49);  // 1/2
        QCOMPARE(why.items[1].item, 48);  // 1/3
        QCOMPARE(why.items[2].item, 53);  // 1/4
        QCOMPARE(why.items[0].similarity, 0.5f);
        QVERIFY(inspect.becauseYouLiked(RunStage::Final, 50, {}, 3).items.empty());
    }

    void whatIfListsRemoveTheHistory() {
        auto run = stubRun(false);
        UserInspection inspect(run);
        const std::vector<HistoryEntry> history = {inspect.entry(10, 5.0f),
                                                   inspect.entry(11, 2.0f)};
        QVERIFY(history[0].positive);
        QVERIFY(!history[1].positive);  // threshold 3.5
        // --exclude rated: item 11 gets +5 (from 10) but is in the history; item 12 gets +2
        // and leads.
        UserInspection rated(stubRun(false, ExcludeRule::Rated));
        const auto list = rated.topKForHistory(RunStage::Final, history, 5);
        QVERIFY(list.ok());
        QCOMPARE(list.value()[0].item, 12);
        for (const RecommendedItem& r : list.value()) {
            QVERIFY(r.item != 10 && r.item != 11);
            QVERIFY(!r.hit);
        }
        // --exclude positives (the default): only the positive 10 leaves; 11 leads.
        const auto positives = inspect.topKForHistory(RunStage::Final, history, 5);
        QVERIFY(positives.ok());
        QCOMPARE(positives.value()[0].item, 11);
        QCOMPARE(positives.value()[1].item, 12);
        for (const RecommendedItem& r : positives.value())
            QVERIFY(r.item != 10);
        // A model that cannot fold in says so.
        UserInspection ease(m_easeRun);
        const auto refused = ease.topKForHistory(RunStage::Final, history, 5);
        if (!m_easeRun->model->canFoldIn()) {
            QVERIFY(!refused.ok());
            QVERIFY(refused.error().message.find("cannot fold in") != std::string::npos);
        } else {
            QVERIFY(refused.ok());
            for (const RecommendedItem& r : refused.value())
                QVERIFY(r.item != 10 && r.item != 11);
        }
    }

    void loadRunFromAWorkspaceReproducesScores() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        Result<std::unique_ptr<Workspace>> ws = Workspace::open(dir.path().toStdString());
        QVERIFY(ws.ok());
        RunConfig c = config("itemknn");
        Result<RunOutcome> o = runExperiment(*m_data, c);
        QVERIFY(o.ok());
        RunRecord record;
        record.config = c;
        record.dataset = datasetIdentity(*m_data, "synthetic-5");
        Result<int64_t> id = ws.value()->createRun(record);
        QVERIFY(id.ok());
        QVERIFY(ws.value()->finishRun(id.value(), o.value()).ok());
        Result<RunRecord> saved = ws.value()->run(id.value());
        QVERIFY(saved.ok());
        const LoadRunRequest request =
            makeLoadRunRequest(saved.value(), ws.value()->absoluteCheckpoint(saved.value()));
        QCOMPARE(request.fitOnTrainAndValidation, o->fitOnTrainAndValidation);

        Result<LoadedRun> run = loadRun(request, m_data);
        QVERIFY2(run.ok(), run.ok() ? "" : run.error().toString().c_str());
        QCOMPARE(run->runId, id.value());
        std::vector<int32_t> users = {0, 3, 77, 200};
        const int32_t n = m_data->numItems();
        std::vector<float> expected(users.size() * size_t(n)), got(expected.size());
        o->model->scoreUsers(users.data(), int64_t(users.size()), expected.data());
        run->model->scoreUsers(users.data(), int64_t(users.size()), got.data());
        QCOMPARE(got, expected);
        QCOMPARE(int64_t(run->train->split->train.size()), int64_t(o->trainRatings));

        // Another dataset: refused, naming both.
        Result<LoadedRun> other = loadRun(request, makeData(6));
        QVERIFY(!other.ok());
        const std::string message = other.error().message;
        QVERIFY2(message.find("was trained on synthetic-5 (240 users") != std::string::npos,
                 message.c_str());
        QVERIFY2(message.find("Open the run's dataset") != std::string::npos, message.c_str());

        // A missing checkpoint names its path.
        LoadRunRequest missing = request;
        missing.checkpointPath = dir.filePath("nowhere/model.bin").toStdString();
        Result<LoadedRun> broken = loadRun(missing, m_data);
        QVERIFY(!broken.ok());
        QVERIFY2(broken.error().toString().find("nowhere/model.bin") != std::string::npos,
                 broken.error().toString().c_str());
        missing.checkpointPath.clear();
        QVERIFY(!loadRun(missing, m_data).ok());
        QVERIFY(!loadRun(request, nullptr).ok());
    }
};

QTEST_GUILESS_MAIN(TestInspect)
#include "tst_inspect.moc"
