// Two-stage pipeline: MMR (lambda = 1 keeps the order; a hand-checked diverse pick), hard
// negatives mined from a trained retriever are never positives, the final lists skip rated
// items and agree with scoreUsers(), stage evaluation bounds, prefixed parameters, save/load,
// a holdout-trained ranker learns what its labels say (and rejects labels that do not fit), with
// each loss and with the epoch chosen on lists kept aside; time context features by hand.

// LibTorch first: Qt's `slots` macro would break its headers.
#include "core/nn/RankerNet.h"

#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "core/data/SyntheticGenerator.h"
#include "core/eval/Evaluator.h"
#include "core/eval/StageReport.h"
#include "core/index/VectorIndex.h"
#include "core/models/TrainData.h"
#include "core/nn/PipelineModel.h"
#include "core/pipeline/CandidateRetriever.h"
#include "core/pipeline/ContextFeatures.h"
#include "core/pipeline/Mmr.h"
#include "core/pipeline/RankerCandidates.h"
#include "core/split/Split.h"

using namespace recscope;

class TestPipeline : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void mmrLambdaOneKeepsOrder();
    void mmrHandExample();
    void prefixedParameters();
    void miningNeverReturnsAPositive();
    void finalListsSkipRatedItems();
    void stageReportBounds();
    void saveLoadRoundTrip();
    void holdoutRankerLearnsItsLabels_data();
    void holdoutRankerLearnsItsLabels();
    void contextFeaturesHandExample();
    void rankerCandidatesMatchBruteForce();
    void latestPositivesHandExample();
    void listSoftmaxLossHandExample();
    void listRankerFollowsTheSecondModel();

private:
    // The trained retriever's vectors of `users`, one row each.
    std::vector<float> queries(const std::vector<int32_t>& users) const {
        const auto& r = m_model->retriever();
        const int d = r.dim();
        std::vector<float> q;
        for (int32_t u : users)
            q.insert(q.end(), r.userVectors() + static_cast<int64_t>(u) * d,
                     r.userVectors() + static_cast<int64_t>(u + 1) * d);
        return q;
    }

    // A holdout set over `lists` for the trained retriever, entry e labelled positive(e).
    RankerHoldoutSet holdoutSet(const RankerCandidates& lists,
                                const std::function<bool(size_t)>& positive) const {
        RankerHoldoutSet set;
        set.lists = &lists;
        set.firstStage = &m_model->retriever();
        set.popularity = RankerModel::popularityFeature(m_train);
        set.labels.resize(lists.items.size());
        for (size_t e = 0; e < set.labels.size(); ++e)
            set.labels[e] = positive(e) ? 1 : 0;
        return set;
    }

    Dataset m_dataset;
    Split m_split;
    TrainData m_train;
    std::unique_ptr<PipelineModel> m_model;
};

void TestPipeline::initTestCase() {
    SyntheticConfig cfg;
    cfg.seed = 11;
    cfg.users = 300;
    cfg.items = 500;
    cfg.ratings = 24000;
    auto ds = generateSynthetic(cfg);
    QVERIFY(ds.ok());
    m_dataset = std::move(ds.value());
    SplitConfig sc = defaultSplitConfig(Protocol::Temporal);
    sc.threshold = 3.5;
    auto split = makeSplit(m_dataset, sc);
    QVERIFY(split.ok());
    m_split = std::move(split.value());
    m_train = TrainData::build(m_split, &m_dataset);
    m_model = std::make_unique<PipelineModel>();
    auto st = m_model->configure({{"retriever.epochs", "4"},
                                  {"retriever.patience", "0"},
                                  {"retriever.batch_size", "256"},
                                  {"retriever.dim", "32"},
                                  {"retriever.embedding", "32"},
                                  {"ranker.epochs", "2"},
                                  {"ranker.patience", "0"},
                                  {"ranker.hard_pool", "40"},
                                  {"pipeline.candidates", "60"}});
    QVERIFY2(st.ok(), st.ok() ? "" : st.error().message.c_str());
    FitContext ctx;
    ctx.seed = 5;
    st = m_model->fit(m_train, ctx);
    QVERIFY2(st.ok(), st.ok() ? "" : st.error().message.c_str());
}

void TestPipeline::mmrLambdaOneKeepsOrder() {
    std::mt19937_64 rng(4);
    const int32_t n = 120;
    std::vector<int32_t> items(n);
    std::vector<float> rel(n);
    std::vector<uint32_t> genres(1000);
    for (auto& g : genres)
        g = static_cast<uint32_t>(rng() & 0x3ffu);
    for (int32_t k = 0; k < n; ++k) {
        items[k] = static_cast<int32_t>(rng() % 1000);
        rel[k] = 10.0f - 0.05f * static_cast<float>(k / 3);  // descending, with ties
    }
    auto order = mmrRerank(items.data(), rel.data(), n, genres.data(), 1.0, n);
    std::vector<int32_t> expected(n);
    std::iota(expected.begin(), expected.end(), 0);
    QCOMPARE(order, expected);
    auto head = mmrRerank(items.data(), rel.data(), n, genres.data(), 1.0, 10);
    QCOMPARE(head, std::vector<int32_t>(expected.begin(), expected.begin() + 10));
}

void TestPipeline::mmrHandExample() {
    // Items 0 and 1 are both genre A; item 2 is genre B. Relevance 1.0, 0.9, 0.5 -> scaled
    // 1.0, 0.8, 0.0. lambda 0.5: pick 0 (0.5); then item 1 scores 0.4 - 0.5 = -0.1, item 2
    // scores 0 - 0 = 0 -> item 2; then item 1.
    const std::vector<int32_t> items = {0, 1, 2};
    const std::vector<float> rel = {1.0f, 0.9f, 0.5f};
    const std::vector<uint32_t> genres = {1u, 1u, 2u};
    QCOMPARE(mmrRerank(items.data(), rel.data(), 3, genres.data(), 0.5, 3),
             (std::vector<int32_t>{0, 2, 1}));
    QCOMPARE(mmrRerank(items.data(), rel.data(), 3, genres.data(), 1.0, 3),
             (std::vector<int32_t>{0, 1, 2}));
    QCOMPARE(genreJaccard(0b011u, 0b110u), 1.0 / 3.0);
    QCOMPARE(genreJaccard(0u, 0b110u), 0.0);
}

void TestPipeline::prefixedParameters() {
    PipelineModel p;
    QVERIFY(p.configure({{"retriever.dim", "16"},
                         {"ranker.loss", "bpr"},
                         {"pipeline.mmr_lambda", "0.5"},
                         {"pipeline.index", "HNSW32"}})
                .ok());
    QCOMPARE(p.params().getInt("retriever.dim"), int64_t(16));
    QVERIFY(!p.configure({{"retriever.nope", "1"}}).ok());
    QVERIFY(!p.configure({{"dim", "16"}}).ok());
    QVERIFY(!p.configure({{"pipeline.index", "PQ8"}}).ok());
}

void TestPipeline::miningNeverReturnsAPositive() {
    const auto& r = m_model->retriever();
    std::vector<int32_t> users;
    for (int32_t u = 0; u < m_train.numUsers; ++u)
        if (r.knownUser(u))
            users.push_back(u);
    QVERIFY(users.size() > 100);
    const std::vector<float> q = queries(users);
    auto mined = retrieveCandidates(*m_model->index(), q.data(), users.data(),
                                    static_cast<int64_t>(users.size()), &m_train.positives, 50);
    QVERIFY(mined.ok());
    int64_t total = 0;
    const auto& pos = m_train.positives;
    for (size_t k = 0; k < users.size(); ++k) {
        const int32_t u = users[k];
        const int32_t* b = pos.indices.data() + pos.offsets[u];
        const int32_t* e = b + pos.rowSize(u);
        const int32_t len = mined->rowLength(k);
        QCOMPARE(len, std::min<int32_t>(50, m_train.numItems - static_cast<int32_t>(e - b)));
        for (int32_t j = 0; j < len; ++j)
            QVERIFY2(!std::binary_search(b, e, mined->row(k)[j]), "mined a training positive");
        total += len;
    }
    QVERIFY(total > 0);
}

void TestPipeline::finalListsSkipRatedItems() {
    const int32_t n = 40;
    std::vector<int32_t> users(n);
    std::iota(users.begin(), users.end(), 0);
    const int32_t cap = m_model->candidates();
    const int32_t ni = m_model->numItems();
    std::vector<int32_t> lists(static_cast<size_t>(n) * cap);
    std::vector<float> scores(static_cast<size_t>(n) * ni);
    m_model->recommendLists(users.data(), n, lists.data(), nullptr);
    m_model->scoreUsers(users.data(), n, scores.data());
    // The candidates skip the run's rule (TrainData::listExclusion(): the training positives
    // here), never more; tst_exclusion checks that non-positive rated items still get in.
    const auto& seen = m_train.listExclusion();
    for (int32_t u = 0; u < n; ++u) {
        const int32_t* row = lists.data() + static_cast<int64_t>(u) * cap;
        const int32_t* b = seen.indices.data() + seen.offsets[u];
        const int32_t* e = b + seen.rowSize(u);
        std::set<int32_t> distinct;
        int32_t len = 0;
        while (len < cap && row[len] >= 0) {
            QVERIFY2(!std::binary_search(b, e, row[len]), "an excluded item was recommended");
            QVERIFY(distinct.insert(row[len]).second);
            ++len;
        }
        QVERIFY(len > 0);
        // scoreUsers encodes the same order: the list's items first, by rank.
        const float* s = scores.data() + static_cast<int64_t>(u) * ni;
        std::vector<int32_t> order(static_cast<size_t>(ni));
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(),
                         [s](int32_t a, int32_t c) { return s[a] > s[c]; });
        for (int32_t j = 0; j < len; ++j)
            QCOMPARE(order[static_cast<size_t>(j)], row[j]);
    }
}

void TestPipeline::stageReportBounds() {
    EvalConfig ec;
    ec.ks = {10, 50};
    auto report = evaluateStages(*m_model, m_train, EvalPart::Test, ec);
    QVERIFY2(report.ok(), report.ok() ? "" : report.error().message.c_str());
    QCOMPARE(report->candidates, 60 + 100);  // the retriever's 60 and the second model's 100
    QCOMPARE(report->retriever.usersEvaluated, report->final.usersEvaluated);
    QVERIFY(report->final.usersEvaluated > 0);
    // The final list is drawn from the candidates: its recall cannot exceed theirs.
    QVERIFY(report->final.metrics.at("recall@50") <= report->candidateRecall + 1e-9);
    QVERIFY(report->candidateRecall > 0.0);
    QCOMPARE(QString::fromStdString(report->index), QString("Flat"));
}

void TestPipeline::saveLoadRoundTrip() {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("recscope_pipeline_" + std::to_string(QCoreApplication::applicationPid()));
    auto saved = m_model->save(dir.string());
    QVERIFY2(saved.ok(), saved.ok() ? "" : saved.error().toString().c_str());
    PipelineModel loaded;
    auto st = loaded.load(dir.string());
    QVERIFY2(st.ok(), st.ok() ? "" : st.error().message.c_str());
    const std::vector<int32_t> users = {0, 5, 17};
    const int32_t ni = m_model->numItems();
    std::vector<float> a(users.size() * static_cast<size_t>(ni)), b(a.size());
    m_model->scoreUsers(users.data(), 3, a.data());
    loaded.scoreUsers(users.data(), 3, b.data());
    for (size_t k = 0; k < a.size(); ++k)
        QVERIFY(std::abs(a[k] - b[k]) < 1e-4f);
    std::filesystem::remove_all(dir);
    QVERIFY(!loaded.load(dir.string()).ok());
}

void TestPipeline::holdoutRankerLearnsItsLabels_data() {
    QTest::addColumn<QString>("loss");
    QTest::addColumn<QString>("patience");
    QTest::newRow("bce, fixed epochs") << "bce"
                                       << "0";
    QTest::newRow("softmax, fixed epochs") << "softmax"
                                           << "0";
    QTest::newRow("bce, epoch chosen on lists") << "bce"
                                                << "4";
    QTest::newRow("list, fixed epochs") << "list"
                                        << "0";
}

void TestPipeline::holdoutRankerLearnsItsLabels() {
    QFETCH(QString, loss);
    QFETCH(QString, patience);
    // Candidate lists of the trained retriever for the first 200 users, labelled 1 exactly on
    // even item ids; the other users have no rows, so their scores come from the item side.
    const auto& r = m_model->retriever();
    std::vector<int32_t> users;
    for (int32_t u = 0; u < 200; ++u)
        if (r.knownUser(u))
            users.push_back(u);
    QVERIFY(users.size() > 150);
    const int d = r.dim();
    const std::vector<float> q = queries(users);
    auto first = retrieveCandidates(*m_model->index(), q.data(), users.data(),
                                    static_cast<int64_t>(users.size()), &m_train.allRatings, 60);
    QVERIFY(first.ok());
    auto lists = rankerCandidates(first.value(), q.data(), r.itemVectors(), d, r.numItems(),
                                  SecondSource{}, &m_train.allRatings);
    QVERIFY(lists.ok());
    const RankerHoldoutSet set = holdoutSet(lists.value(), [&lists](size_t e) {
        return lists->items[e] >= 0 && lists->items[e] % 2 == 0;
    });

    RankerModel ranker;
    QVERIFY(ranker
                .configure({{"epochs", "4"},
                            {"patience", patience.toStdString()},
                            {"loss", loss.toStdString()},
                            {"ids", "true"},  // parity is a property of the item ids
                            {"lr", "0.01"}})
                .ok());
    QVERIFY(ranker.holdoutTraining());
    FitContext ctx;
    ctx.seed = 3;
    auto bad = set;
    bad.labels.pop_back();
    QVERIFY(!ranker.fitHoldout(m_train, bad, r, ctx).ok());
    auto st = ranker.fitHoldout(m_train, set, r, ctx);
    QVERIFY2(st.ok(), st.ok() ? "" : st.error().message.c_str());

    // Users 200..299 over the items the lists held: even ids must score higher on average, by
    // a clear margin (items in no list have untrained embeddings and carry no parity).
    std::set<int32_t> listed(lists->items.begin(), lists->items.end());
    listed.erase(-1);
    QVERIFY(listed.size() > 50);
    double even = 0, odd = 0;
    int64_t ne = 0, no = 0;
    std::vector<int32_t> pu, pi;
    for (int32_t u = 200; u < 300; ++u)
        for (int32_t i : listed) {
            pu.push_back(u);
            pi.push_back(i);
        }
    // Pair inputs: the retriever's score, rank 0.5, no second model (scores 0, rank 1).
    std::vector<float> inputs, out(pu.size());
    std::vector<float> cosine(static_cast<size_t>(r.numItems()));
    for (size_t k = 0; k < pu.size(); ++k) {
        if (k == 0 || pu[k] != pu[k - 1])
            r.scoreUsers(&pu[k], 1, cosine.data());
        inputs.insert(inputs.end(), {cosine[static_cast<size_t>(pi[k])], 0.5f, 0.0f, 1.0f, 0.0f});
    }
    ranker.scorePairs(pu.data(), pi.data(), static_cast<int64_t>(pu.size()), out.data(),
                      inputs.data());
    for (size_t k = 0; k < pu.size(); ++k) {
        (pi[k] % 2 == 0 ? even : odd) += out[k];
        ++(pi[k] % 2 == 0 ? ne : no);
    }
    QVERIFY2(even / static_cast<double>(ne) > odd / static_cast<double>(no) + 1.0,
             "the holdout ranker did not learn its labels");
}

void TestPipeline::contextFeaturesHandExample() {
    // 3 users, 3 items; one day = 86400 s. Item 2 is first rated on day 10, after user 0's
    // last rating (day 5): "not yet" for user 0.
    const int64_t day = 86400;
    Interactions part;
    part.append(0, 0, 4.0f, 1 * day);
    part.append(0, 1, 3.0f, 5 * day);
    part.append(1, 0, 5.0f, 2 * day);
    part.append(1, 2, 4.0f, 10 * day);
    part.append(1, 1, 2.0f, 12 * day);
    const auto f = ContextFeatures::fromInteractions(part, 3, 3);
    QCOMPARE(f.userLast[0], 5 * day);
    QCOMPARE(f.userCount[1], 3);
    QCOMPARE(f.itemFirst[2], 10 * day);
    QCOMPARE(static_cast<int>(f.bucketStarts.size()), ContextFeatures::kBuckets);
    int64_t total = 0;
    for (int32_t c : f.bucketCounts)
        total += c;
    QCOMPARE(total, int64_t{5});

    const std::vector<int32_t> users = {0, 0, 1, 2, 0};
    const std::vector<int32_t> items = {0, 2, 2, 0, 7};
    std::vector<float> out(users.size() * ContextFeatures::kCount, -1.0f);
    f.fill(users.data(), items.data(), static_cast<int64_t>(users.size()), out.data());
    auto at = [&out](size_t pair, int feature) {
        return out[pair * ContextFeatures::kCount + static_cast<size_t>(feature)];
    };
    // (0, 0): 2 ratings, item age 4 days at day 5.
    QVERIFY(std::abs(at(0, 0) - std::log1p(2.0) / 10.0) < 1e-6);
    QCOMPARE(at(0, 1), 0.0f);
    QVERIFY(std::abs(at(0, 2) - std::log1p(4.0) / 10.0) < 1e-6);
    QCOMPARE(at(0, 3), 0.0f);  // item 0's two ratings lie buckets before day 5
    // (0, 2): not yet rated by anyone at day 5.
    QCOMPARE(at(1, 1), 1.0f);
    QCOMPARE(at(1, 2), 0.0f);
    QCOMPARE(at(1, 3), 0.0f);
    // (1, 2): last rating day 12, item first rated day 10.
    QVERIFY(std::abs(at(2, 0) - std::log1p(3.0) / 10.0) < 1e-6);
    QVERIFY(std::abs(at(2, 2) - std::log1p(2.0) / 10.0) < 1e-6);
    // User 2 has no ratings; item 7 is out of range ("not yet").
    for (int c = 0; c < ContextFeatures::kCount; ++c)
        QCOMPARE(at(3, c), 0.0f);
    QCOMPARE(at(4, 1), 1.0f);

    // Trend: 128 users rate item 0 at second u and item 1 at second 1000 + u: 256 ratings, 4
    // per bucket. User 127's last rating (1127) is in the last bucket; with the one before it
    // that window holds 8 ratings, all of item 1.
    Interactions many;
    for (int32_t u = 0; u < 128; ++u) {
        many.append(u, 0, 4.0f, u);
        many.append(u, 1, 4.0f, 1000 + u);
    }
    const auto g = ContextFeatures::fromInteractions(many, 128, 2);
    const std::vector<int32_t> us = {127, 127};
    const std::vector<int32_t> is = {0, 1};
    std::vector<float> o(2 * ContextFeatures::kCount);
    g.fill(us.data(), is.data(), 2, o.data());
    QCOMPARE(o[3], 0.0f);
    QVERIFY(std::abs(o[ContextFeatures::kCount + 3] - std::log1p(8.0) / 5.0) < 1e-6);
}

void TestPipeline::rankerCandidatesMatchBruteForce() {
    // 6 users, 40 items, 3-d vectors; the retriever's top-6 and a second model's top-5 by
    // brute force. Every 13th item is unscored by the second model; users exclude 3 items each.
    const int32_t ni = 40, dim = 3, nu = 6, topN = 6, topM = 5;
    std::mt19937_64 rng(21);
    std::normal_distribution<float> g;
    std::vector<float> iv(static_cast<size_t>(ni) * dim), q(static_cast<size_t>(nu) * dim);
    for (auto& x : iv)
        x = g(rng);
    for (auto& x : q)
        x = g(rng);
    auto dot = [&](int32_t k, int32_t i) {
        float s = 0;
        for (int j = 0; j < dim; ++j)
            s += q[static_cast<size_t>(k * dim + j)] * iv[static_cast<size_t>(i * dim + j)];
        return s;
    };
    auto second = [](int32_t u, int32_t i) {
        return i % 13 == 0 ? -1e9f : std::sin(0.7f * static_cast<float>(u * 40 + i)) + 0.2f;
    };
    auto recent = [](int32_t u, int32_t i) {
        return std::cos(0.3f * static_cast<float>(u + 3 * i));
    };
    // Users 10..15 (ids beyond the item count on purpose); exclusions: items u, u+7, u+20.
    CsrMatrix exclude;
    exclude.rows = 16;
    exclude.cols = ni;
    exclude.offsets.assign(17, 0);
    for (int32_t u = 0; u < 16; ++u) {
        if (u >= 10)
            for (int32_t i : {u - 10, u - 10 + 7, u - 10 + 20})
                exclude.indices.push_back(i);
        exclude.offsets[static_cast<size_t>(u) + 1] = static_cast<int64_t>(exclude.indices.size());
    }
    exclude.values.assign(exclude.indices.size(), 1.0f);
    auto excluded = [&](int32_t u, int32_t i) {
        const int32_t b = u - 10;
        return i == b || i == b + 7 || i == b + 20;
    };
    CandidateLists first;
    first.perUser = topN;
    for (int32_t k = 0; k < nu; ++k) {
        const int32_t u = 10 + k;
        first.users.push_back(u);
        std::vector<int32_t> all;
        for (int32_t i = 0; i < ni; ++i)
            if (!excluded(u, i))
                all.push_back(i);
        std::sort(all.begin(), all.end(),
                  [&](int32_t a, int32_t b) { return dot(k, a) > dot(k, b); });
        for (int32_t j = 0; j < topN; ++j) {
            first.items.push_back(all[static_cast<size_t>(j)]);
            first.scores.push_back(dot(k, all[static_cast<size_t>(j)]));
        }
    }
    SecondSource src;
    src.numItems = ni;
    src.topM = topM;
    src.scores = [&](const int32_t* users, int64_t n, float* out) {
        for (int64_t r = 0; r < n; ++r)
            for (int32_t i = 0; i < ni; ++i)
                out[r * ni + i] = second(users[r], i);
    };
    src.recent = [&](const int32_t* users, int64_t n, float* out) {
        for (int64_t r = 0; r < n; ++r)
            for (int32_t i = 0; i < ni; ++i)
                out[r * ni + i] = recent(users[r], i);
    };
    auto got = rankerCandidates(first, q.data(), iv.data(), dim, ni, src, &exclude, nullptr, 4);
    QVERIFY2(got.ok(), got.ok() ? "" : got.error().message.c_str());
    QCOMPARE(got->perUser, topN + topM);
    QVERIFY(got->hasSecond);
    for (int32_t k = 0; k < nu; ++k) {
        const int32_t u = 10 + k;
        std::vector<int32_t> scored;
        float top = 0, recentTop = 0;
        for (int32_t i = 0; i < ni; ++i)
            if (!excluded(u, i) && i % 13 != 0) {
                scored.push_back(i);
                top = std::max(top, second(u, i));
                recentTop = std::max(recentTop, recent(u, i));
            }
        std::sort(scored.begin(), scored.end(),
                  [&](int32_t a, int32_t b) { return second(u, a) > second(u, b); });
        scored.resize(topM);
        std::vector<int32_t> expected(first.items.begin() + k * topN,
                                      first.items.begin() + (k + 1) * topN);
        for (int32_t i : scored)
            if (std::find(expected.begin(), expected.end(), i) == expected.end())
                expected.push_back(i);
        QCOMPARE(got->rowLength(static_cast<size_t>(k)), static_cast<int32_t>(expected.size()));
        for (size_t j = 0; j < expected.size(); ++j) {
            const int32_t i = expected[j];
            QCOMPARE(got->row(static_cast<size_t>(k))[j], i);
            const float* in = got->input(static_cast<size_t>(k), static_cast<int32_t>(j));
            QVERIFY(std::abs(in[0] - dot(k, i)) < 1e-5f);
            QCOMPARE(in[1], j < static_cast<size_t>(topN) ? static_cast<float>(j) / topN : 1.0f);
            const float s2 = i % 13 == 0 ? 0.0f : second(u, i) / top;
            QVERIFY(std::abs(in[2] - s2) < 1e-5f);
            const auto at = std::find(scored.begin(), scored.end(), i) - scored.begin();
            QCOMPARE(in[3], at < topM ? static_cast<float>(at) / topM : 1.0f);
            QVERIFY(std::abs(in[4] - recent(u, i) / recentTop) < 1e-5f);
        }
    }
    // Without a second model: the retriever's lists, second inputs 0, 1, 0.
    auto plain = rankerCandidates(first, q.data(), iv.data(), dim, ni, SecondSource{}, &exclude);
    QVERIFY(plain.ok());
    QVERIFY(!plain->hasSecond);
    QCOMPARE(plain->perUser, topN);
    QCOMPARE(plain->items, first.items);
    for (size_t e = 0; e < plain->items.size(); ++e) {
        const float* in = plain->inputs.data() + e * RankerCandidates::kInputs;
        QCOMPARE(in[0], first.scores[e]);
        QCOMPARE(in[2], 0.0f);
        QCOMPARE(in[3], 1.0f);
        QCOMPARE(in[4], 0.0f);
    }
}

void TestPipeline::latestPositivesHandExample() {
    Interactions part;  // grouped by user, time order: what a Split keeps
    part.append(0, 5, 5.0f, 1);
    part.append(0, 6, 2.0f, 2);
    part.append(0, 7, 4.0f, 3);
    part.append(0, 8, 4.5f, 4);
    part.append(1, 9, 3.0f, 1);
    part.append(2, 1, 4.0f, 1);
    const auto l = latestPositives(part, 3.5, 4, 2);
    QCOMPARE(l.size(), size_t{4});
    QCOMPARE(l[0], (std::vector<int32_t>{7, 8}));
    QVERIFY(l[1].empty());
    QCOMPARE(l[2], (std::vector<int32_t>{1}));
    QVERIFY(l[3].empty());
}

void TestPipeline::listSoftmaxLossHandExample() {
    // List 0: logits 1 (positive), 2, 0. List 1: 0.5, -1 (positive). List 2: one positive and
    // no negative: skipped.
    auto logits = torch::tensor({1.0, 2.0, 0.0, 0.5, -1.0, 3.0}, torch::kDouble).requires_grad_();
    const std::vector<int64_t> offsets = {0, 3, 5, 6};
    const std::vector<uint8_t> labels = {1, 0, 0, 0, 1, 1};
    auto loss = listSoftmaxLoss(logits, offsets, labels);
    const double l0 = std::log(std::exp(1.0) + std::exp(2.0) + 1.0) - 1.0;
    const double l1 = std::log(std::exp(-1.0) + std::exp(0.5)) + 1.0;
    QVERIFY(std::abs(loss.item<double>() - (l0 + l1) / 2) < 1e-12);
    loss.backward();
    // One positive per list: d/ds = (softmax over the list - one-hot) / 2 lists.
    const double z0 = std::exp(1.0) + std::exp(2.0) + 1.0;
    const double z1 = std::exp(-1.0) + std::exp(0.5);
    const std::vector<double> grad = {
        (std::exp(1.0) / z0 - 1) / 2, std::exp(2.0) / z0 / 2,        1.0 / z0 / 2,
        std::exp(0.5) / z1 / 2,       (std::exp(-1.0) / z1 - 1) / 2, 0.0};
    auto gr = logits.grad();
    for (size_t k = 0; k < grad.size(); ++k)
        QVERIFY(std::abs(gr[static_cast<int64_t>(k)].item<double>() - grad[k]) < 1e-12);
    // Two positives in one list: each against the negatives only, averaged.
    auto two = torch::tensor({1.0, 0.0, -2.0}, torch::kDouble);
    const double want = ((std::log(std::exp(1.0) + std::exp(-2.0)) - 1.0) +
                         (std::log(1.0 + std::exp(-2.0)) - 0.0)) /
                        2;
    QVERIFY(std::abs(listSoftmaxLoss(two, {0, 3}, {1, 1, 0}).item<double>() - want) < 1e-12);
    QCOMPARE(listSoftmaxLoss(two, {0, 3}, {0, 0, 0}).item<double>(), 0.0);
}

void TestPipeline::listRankerFollowsTheSecondModel() {
    // Lists of the trained retriever with a made-up second model; a held-out positive is an
    // entry whose "latest positives" score (input 4) is in the top fifth. Trained with the list
    // loss and no ID embeddings, the ranker must order fresh pairs by that input.
    const auto& r = m_model->retriever();
    std::vector<int32_t> users;
    for (int32_t u = 0; u < 200; ++u)
        if (r.knownUser(u))
            users.push_back(u);
    const int d = r.dim();
    const int32_t ni = r.numItems();
    const std::vector<float> q = queries(users);
    auto first = retrieveCandidates(*m_model->index(), q.data(), users.data(),
                                    static_cast<int64_t>(users.size()), &m_train.positives, 40);
    QVERIFY(first.ok());
    auto hash = [](int32_t u, int32_t i) {
        return static_cast<float>((static_cast<uint32_t>(u * 7919 + i * 104729) % 1000u)) / 999.0f;
    };
    SecondSource src;
    src.numItems = ni;
    src.topM = 20;
    src.scores = [&](const int32_t* us, int64_t n, float* out) {
        for (int64_t k = 0; k < n; ++k)
            for (int32_t i = 0; i < ni; ++i)
                out[k * ni + i] = hash(i, us[k]);
    };
    src.recent = [&](const int32_t* us, int64_t n, float* out) {
        for (int64_t k = 0; k < n; ++k)
            for (int32_t i = 0; i < ni; ++i)
                out[k * ni + i] = hash(us[k], i);
    };
    auto lists =
        rankerCandidates(first.value(), q.data(), r.itemVectors(), d, ni, src, &m_train.positives);
    QVERIFY(lists.ok());
    const RankerHoldoutSet set = holdoutSet(lists.value(), [&lists](size_t e) {
        return lists->items[e] >= 0 && lists->inputs[e * RankerCandidates::kInputs + 4] > 0.8f;
    });
    RankerModel ranker;
    QVERIFY(ranker
                .configure({{"epochs", "6"},
                            {"patience", "0"},
                            {"loss", "list"},
                            {"lr", "0.01"},
                            {"context", "false"}})
                .ok());
    FitContext ctx;
    ctx.seed = 9;
    auto st = ranker.fitHoldout(m_train, set, r, ctx);
    QVERIFY2(st.ok(), st.ok() ? "" : st.error().message.c_str());
    // Fresh pairs (users 200..299, random inputs): the pairs above 0.8 must outscore the rest.
    std::vector<int32_t> pu, pi;
    std::vector<float> inputs;
    std::mt19937_64 rng(2);
    std::uniform_real_distribution<float> unit(0.0f, 1.0f);
    for (int32_t u = 200; u < 300; ++u)
        for (int32_t i = 0; i < 40; ++i) {
            pu.push_back(u);
            pi.push_back(i);
            inputs.insert(inputs.end(),
                          {unit(rng) - 0.5f, unit(rng), unit(rng), unit(rng), unit(rng)});
        }
    std::vector<float> out(pu.size());
    ranker.scorePairs(pu.data(), pi.data(), static_cast<int64_t>(pu.size()), out.data(),
                      inputs.data());
    int64_t right = 0, pairs = 0;
    for (size_t a = 0; a < pu.size(); a += 7)
        for (size_t b = 3; b < pu.size(); b += 11) {
            const bool pa = inputs[a * RankerCandidates::kInputs + 4] > 0.8f;
            const bool pb = inputs[b * RankerCandidates::kInputs + 4] > 0.8f;
            if (pa == pb)
                continue;
            ++pairs;
            right += (pa ? out[a] > out[b] : out[b] > out[a]) ? 1 : 0;
        }
    QVERIFY(pairs > 1000);
    QVERIFY2(static_cast<double>(right) / static_cast<double>(pairs) > 0.9,
             "the list-trained ranker did not follow its second-model input");
}

QTEST_MAIN(TestPipeline)
#include "tst_pipeline.moc"
