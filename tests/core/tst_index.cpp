// VectorIndex: Flat equals brute force, HNSW / IVF recall on seeded clustered data, factory
// errors as values, and candidate retrieval that never returns an excluded item.

#include <QtTest>

#include <algorithm>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "core/index/VectorIndex.h"
#include "core/models/TrainData.h"
#include "core/pipeline/CandidateRetriever.h"

using namespace recscope;

namespace {

// n points around `clusters` random centres, L2-normalised (as the retriever's vectors are).
std::vector<float> clusteredVectors(int64_t n, int d, int clusters, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> g(0.0f, 1.0f);
    std::vector<float> centres(static_cast<size_t>(clusters) * d);
    for (auto& c : centres)
        c = g(rng);
    std::vector<float> out(static_cast<size_t>(n) * d);
    std::uniform_int_distribution<int> pick(0, clusters - 1);
    for (int64_t i = 0; i < n; ++i) {
        const int c = pick(rng);
        float norm = 0.0f;
        for (int k = 0; k < d; ++k) {
            float x = centres[static_cast<size_t>(c * d + k)] + 0.5f * g(rng);
            out[static_cast<size_t>(i * d + k)] = x;
            norm += x * x;
        }
        norm = std::sqrt(norm);
        for (int k = 0; k < d; ++k)
            out[static_cast<size_t>(i * d + k)] /= norm;
    }
    return out;
}

}  // namespace

class TestIndex : public QObject {
    Q_OBJECT

private slots:
    void flatEqualsBruteForce();
    void hnswRecall();
    void ivfRecallAndParams();
    void autoIsExactForSmallCatalogues();
    void errorsAreValues();
    void candidatesSkipExcluded();
};

void TestIndex::flatEqualsBruteForce() {
    const int64_t n = 3000, nq = 40;
    const int d = 24, k = 15;
    std::mt19937_64 rng(11);
    std::normal_distribution<float> g;
    std::vector<float> x(static_cast<size_t>(n * d)), q(static_cast<size_t>(nq * d));
    for (auto& v : x)
        v = g(rng);
    for (auto& v : q)
        v = g(rng);
    auto index = VectorIndex::create("Flat", d);
    QVERIFY(index.ok());
    QVERIFY(index->build(x.data(), n).ok());
    QVERIFY(index->exact());
    std::vector<int64_t> ids(static_cast<size_t>(nq * k));
    std::vector<float> sc(ids.size());
    QVERIFY(index->search(q.data(), nq, k, ids.data(), sc.data()).ok());
    for (int64_t a = 0; a < nq; ++a) {
        std::vector<std::pair<double, int64_t>> all;
        for (int64_t i = 0; i < n; ++i) {
            double dot = 0.0;
            for (int j = 0; j < d; ++j)
                dot += double(q[a * d + j]) * double(x[i * d + j]);
            all.push_back({-dot, i});
        }
        std::sort(all.begin(), all.end());
        for (int j = 0; j < k; ++j) {
            QCOMPARE(ids[static_cast<size_t>(a * k + j)], all[static_cast<size_t>(j)].second);
            QVERIFY(std::abs(sc[static_cast<size_t>(a * k + j)] +
                             all[static_cast<size_t>(j)].first) < 1e-4);
        }
    }
}

void TestIndex::hnswRecall() {
    const int64_t n = 20000, nq = 200;
    const int d = 32;
    auto x = clusteredVectors(n, d, 50, 5);
    auto q = clusteredVectors(nq, d, 50, 5);  // same centres (same seed), fresh points
    auto index = VectorIndex::create("HNSW32", d);
    QVERIFY(index.ok());
    QVERIFY(index->build(x.data(), n).ok());
    QVERIFY(!index->exact());
    auto recall = measureRecall(index.value(), x.data(), n, q.data(), nq, 10);
    QVERIFY(recall.ok());
    QVERIFY2(recall.value() >= 0.95, qPrintable(QString("HNSW recall@10 %1").arg(recall.value())));
}

void TestIndex::ivfRecallAndParams() {
    const int64_t n = 20000, nq = 100;
    const int d = 32;
    auto x = clusteredVectors(n, d, 50, 9);
    auto q = clusteredVectors(nq, d, 50, 9);
    auto low = VectorIndex::create("IVF64,Flat|nprobe=1", d);
    auto high = VectorIndex::create("IVF64,Flat|nprobe=64", d);
    QVERIFY(low.ok() && high.ok());
    QVERIFY(low->build(x.data(), n).ok());
    QVERIFY(high->build(x.data(), n).ok());
    auto rl = measureRecall(low.value(), x.data(), n, q.data(), nq, 10);
    auto rh = measureRecall(high.value(), x.data(), n, q.data(), nq, 10);
    QVERIFY(rl.ok() && rh.ok());
    // Probing every cell is exhaustive; probing one is not.
    QVERIFY2(rh.value() > 0.999, qPrintable(QString::number(rh.value())));
    QVERIFY(rl.value() < rh.value());
    QCOMPARE(QString::fromStdString(high->description()), QString("IVF64,Flat|nprobe=64"));
}

void TestIndex::autoIsExactForSmallCatalogues() {
    auto x = clusteredVectors(500, 8, 4, 1);
    auto index = VectorIndex::create("auto", 8);
    QVERIFY(index.ok());
    QVERIFY(index->build(x.data(), 500).ok());
    QVERIFY(index->exact());
    QCOMPARE(QString::fromStdString(index->description()), QString("Flat"));
}

void TestIndex::errorsAreValues() {
    QVERIFY(!VectorIndex::create("PQ16", 8).ok());
    QVERIFY(!VectorIndex::create("Flat", 0).ok());
    QVERIFY(!VectorIndex::create("HNSWx", 8).ok());
    auto ivf = VectorIndex::create("IVF256,Flat", 8);
    QVERIFY(ivf.ok());
    auto x = clusteredVectors(100, 8, 4, 1);
    QVERIFY(!ivf->build(x.data(), 100).ok());  // fewer vectors than cells
    std::vector<int64_t> ids(5);
    std::vector<float> sc(5);
    QVERIFY(!ivf->search(x.data(), 1, 5, ids.data(), sc.data()).ok());  // never built
    auto flat = VectorIndex::create("Flat", 8);
    QVERIFY(flat->build(x.data(), 100).ok());
    QVERIFY(!flat->search(x.data(), 1, 0, ids.data(), sc.data()).ok());
    // k beyond the catalogue pads with -1.
    std::vector<int64_t> many(150);
    std::vector<float> msc(150);
    QVERIFY(flat->search(x.data(), 1, 150, many.data(), msc.data()).ok());
    QCOMPARE(many[99] >= 0, true);
    QCOMPARE(many[100], int64_t(-1));
}

void TestIndex::candidatesSkipExcluded() {
    // Every user "likes" a seeded random set that includes its nearest items, so the excluded
    // items are exactly the ones a careless miner would return.
    const int32_t nu = 60, ni = 400;
    const int d = 16, topN = 30;
    auto items = clusteredVectors(ni, d, 8, 3);
    auto users = clusteredVectors(nu, d, 8, 3);
    auto index = VectorIndex::create("Flat", d);
    QVERIFY(index->build(items.data(), ni).ok());
    std::vector<int64_t> near(static_cast<size_t>(nu) * 40);
    std::vector<float> nearSc(near.size());
    QVERIFY(index->search(users.data(), nu, 40, near.data(), nearSc.data()).ok());
    std::mt19937_64 rng(2);
    CsrMatrix pos;
    pos.rows = nu;
    pos.cols = ni;
    for (int32_t u = 0; u < nu; ++u) {
        std::set<int32_t> liked;
        for (int j = 0; j < 40; j += 2)
            liked.insert(static_cast<int32_t>(near[static_cast<size_t>(u * 40 + j)]));
        for (int j = 0; j < 10; ++j)
            liked.insert(static_cast<int32_t>(rng() % ni));
        pos.indices.insert(pos.indices.end(), liked.begin(), liked.end());
        pos.offsets.push_back(static_cast<int64_t>(pos.indices.size()));
    }
    std::vector<int32_t> ids(nu);
    std::iota(ids.begin(), ids.end(), 0);
    auto mined =
        retrieveCandidates(index.value(), users.data(), ids.data(), nu, &pos, topN, nullptr, 7);
    QVERIFY(mined.ok());
    for (int32_t u = 0; u < nu; ++u) {
        QCOMPARE(mined->rowLength(static_cast<size_t>(u)), topN);
        const int32_t* row = mined->row(static_cast<size_t>(u));
        const int32_t* b = pos.indices.data() + pos.offsets[u];
        const int32_t* e = pos.indices.data() + pos.offsets[u + 1];
        std::set<int32_t> seen;
        for (int j = 0; j < topN; ++j) {
            QVERIFY2(!std::binary_search(b, e, row[j]), "a positive was mined");
            QVERIFY(seen.insert(row[j]).second);
            if (j > 0)
                QVERIFY(mined->scores[static_cast<size_t>(u * topN + j)] <=
                        mined->scores[static_cast<size_t>(u * topN + j - 1)]);
        }
    }
}

QTEST_APPLESS_MAIN(TestIndex)
#include "tst_index.moc"
