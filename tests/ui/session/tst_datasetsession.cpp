// DatasetSession + DatasetLoadWorker (load off the GUI thread, supersede, cancel, failure keeps
// the previous dataset), DatasetSummary against hand-computed figures, and the small helpers
// (count tick labels, recent-dataset list). No window is built here.

#include <QtTest>

#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>

#include "core/data/DatasetBuilder.h"
#include "core/data/SyntheticGenerator.h"
#include "support/UiTestSupport.h"
#include "ui/dataset/DatasetSummary.h"
#include "ui/session/DatasetSession.h"
#include "ui/session/RecentDatasets.h"
#include "ui/widgets/CountAxisTicker.h"

using namespace recscope;
using namespace recscope::ui;
using Change = DatasetSession::Change;

namespace {

QList<Change> changesOf(const QSignalSpy& spy) {
    QList<Change> out;
    for (const QList<QVariant>& args : spy)
        out << args.at(0).value<Change>();
    return out;
}

// Big enough that generating it takes far longer than the test needs to cancel it.
SyntheticConfig bigConfig() {
    SyntheticConfig config;
    config.seed = 7;
    config.users = 20000;
    config.items = 10000;
    config.ratings = 4000000;
    return config;
}

}  // namespace

class TestDatasetSession : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void summaryHandComputed();
    void summaryHalfStarsAndOffScale();
    void demoLoadsOffGuiThread();
    void failureKeepsPreviousDataset();
    void newLoadSupersedesOld();
    void cancelKeepsPreviousDataset();
    void destroyWhileLoading();
    void shortCountLabels_data();
    void shortCountLabels();
    void recentDatasets();

private:
    QTemporaryDir m_tmp;
};

void TestDatasetSession::initTestCase() {
    QVERIFY(recscope::test::isolateApplication(m_tmp, "tst_datasetsession"));
}

void TestDatasetSession::summaryHandComputed() {
    // 3 users, 5 items (item 50 only in metadata), whole stars.
    RawRatings r;
    r.append(1, 10, 10, 1);  // 5 stars
    r.append(1, 20, 8, 2);   // 4
    r.append(1, 30, 8, 3);   // 4
    r.append(2, 10, 2, 4);   // 1
    r.append(2, 20, 6, 5);   // 3
    r.append(3, 10, 8, 6);   // 4
    r.append(3, 40, 10, 7);  // 5
    DatasetBuilder b;
    b.setRatings(std::move(r));
    b.addItem(50, "Unrated (1999)", 0);
    const Dataset ds = b.build(DatasetFormat::Ml100k, "hand", RatingScale{1, 5, 1}, 1);
    QCOMPARE(ds.numItems(), 5);

    const DatasetSummary s = DatasetSummary::compute(ds);
    QCOMPARE(s.ratingValues, (std::vector<double>{1, 2, 3, 4, 5}));
    QCOMPARE(s.ratingCounts, (std::vector<int64_t>{1, 0, 1, 3, 2}));
    // item 10: 3, item 20: 2, item 30: 1, item 40: 1, item 50: none
    QCOMPARE(s.itemPopularity, (std::vector<int64_t>{3, 2, 1, 1}));
    QCOMPARE(s.unratedItems, 1);
    // Head = ceil(0.2 * 4) = 1 item holding 3 of 7 ratings.
    QCOMPARE(s.headShare, 3.0 / 7.0);
}

void TestDatasetSession::summaryHalfStarsAndOffScale() {
    RawRatings r;
    r.append(1, 1, 1, 1);  // 0.5
    r.append(1, 2, 7, 1);  // 3.5
    r.append(2, 1, 7, 1);  // 3.5
    DatasetBuilder b;
    b.setRatings(std::move(r));
    // A 1..5 whole-star scale with off-scale values: the bars still sum to the ratings.
    const Dataset ds = b.build(DatasetFormat::MlCsv, "hand", RatingScale{1, 5, 1}, 1);
    const DatasetSummary s = DatasetSummary::compute(ds);
    QCOMPARE(s.ratingValues, (std::vector<double>{0.5, 1, 2, 3, 3.5, 4, 5}));
    QCOMPARE(s.ratingCounts, (std::vector<int64_t>{1, 0, 0, 0, 2, 0, 0}));
    QCOMPARE(s.itemPopularity, (std::vector<int64_t>{2, 1}));
    QCOMPARE(s.unratedItems, 0);
}

void TestDatasetSession::demoLoadsOffGuiThread() {
    const Dataset demo = demoDataset();
    DatasetSession session;
    QSignalSpy spy(&session, &DatasetSession::changed);
    session.openDemo();
    QVERIFY(session.isLoading());
    QCOMPARE(changesOf(spy).value(0), Change::LoadStarted);
    QTRY_VERIFY_WITH_TIMEOUT(!session.isLoading(), 60000);
    QCOMPARE(changesOf(spy).last(), Change::DatasetReplaced);
    QVERIFY(session.dataset());
    QCOMPARE(session.dataset()->numUsers(), demo.numUsers());
    QCOMPARE(session.dataset()->numItems(), demo.numItems());
    QCOMPARE(session.dataset()->numRatings(), demo.numRatings());
    QCOMPARE(session.dataset()->halfStars(), demo.halfStars());
    QCOMPARE(session.summary().itemPopularity.size(), size_t(demo.numRatedItems()));
    QVERIFY(!session.lastError());
    QVERIFY(session.sourcePath().isEmpty());
}

void TestDatasetSession::failureKeepsPreviousDataset() {
    DatasetSession session;
    session.openDemo();
    QTRY_VERIFY_WITH_TIMEOUT(!session.isLoading(), 60000);
    const auto before = session.dataset();
    QVERIFY(before);

    QSignalSpy spy(&session, &DatasetSession::changed);
    const QString missing = m_tmp.filePath("does-not-exist");
    session.openPath(missing);
    QTRY_VERIFY_WITH_TIMEOUT(!session.isLoading(), 60000);
    QCOMPARE(changesOf(spy).last(), Change::LoadFailed);
    QVERIFY(session.lastError());
    QCOMPARE(session.failedLabel(), missing);
    QCOMPARE(session.dataset(), before);  // the very same object, untouched
}

void TestDatasetSession::newLoadSupersedesOld() {
    DatasetSession session;
    QSignalSpy spy(&session, &DatasetSession::changed);
    session.openSynthetic(bigConfig(), "big");
    session.openDemo();
    QTRY_VERIFY_WITH_TIMEOUT(!session.isLoading(), 120000);
    const QList<Change> changes = changesOf(spy);
    QCOMPARE(changes.count(Change::DatasetReplaced), 1);
    QCOMPARE(changes.count(Change::LoadFailed), 0);
    QCOMPARE(session.dataset()->numRatings(), demoDataset().numRatings());
    QCOMPARE(session.sourceLabel(), QStringLiteral("Demo data"));
}

void TestDatasetSession::cancelKeepsPreviousDataset() {
    DatasetSession session;
    session.openDemo();
    QTRY_VERIFY_WITH_TIMEOUT(!session.isLoading(), 60000);
    const auto before = session.dataset();

    QSignalSpy spy(&session, &DatasetSession::changed);
    session.openSynthetic(bigConfig(), "big");
    // Wait until the worker is inside the job, so that the token is seen mid-way.
    QTRY_VERIFY_WITH_TIMEOUT(changesOf(spy).contains(Change::LoadProgressed), 60000);
    session.cancel();
    QVERIFY(!session.isLoading());
    QCOMPARE(changesOf(spy).last(), Change::LoadCancelled);
    QCOMPARE(session.failedLabel(), QStringLiteral("big"));
    QCOMPARE(session.dataset(), before);

    // The worker is free again: a later load completes and is the only replacement.
    session.openDemo();
    QTRY_VERIFY_WITH_TIMEOUT(!session.isLoading(), 120000);
    QCOMPARE(changesOf(spy).count(Change::DatasetReplaced), 1);
    QCOMPARE(changesOf(spy).last(), Change::DatasetReplaced);
}

void TestDatasetSession::destroyWhileLoading() {
    // The destructor cancels and joins the worker thread; reaching the end is the test.
    auto session = std::make_unique<DatasetSession>();
    QSignalSpy spy(session.get(), &DatasetSession::changed);
    session->openSynthetic(bigConfig(), "big");
    QTRY_VERIFY_WITH_TIMEOUT(changesOf(spy).contains(Change::LoadProgressed), 60000);
    session.reset();
    QVERIFY(!session);
}

void TestDatasetSession::shortCountLabels_data() {
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("label");
    QTest::newRow("zero") << 0.0 << "0";
    QTest::newRow("small") << 950.0 << "950";
    QTest::newRow("exact below 1k") << 999.0 << "999";
    QTest::newRow("thousands") << 12000.0 << "12k";
    QTest::newRow("fraction of a thousand") << 1500.0 << "1.5k";
    QTest::newRow("three digits") << 123456.0 << "123k";
    QTest::newRow("rounds up a unit") << 999999.0 << "1M";
    QTest::newRow("fraction of a million") << 1500000.0 << "1.5M";
    QTest::newRow("round millions") << 20000000.0 << "20M";
    QTest::newRow("billions") << 3e9 << "3G";
}

void TestDatasetSession::shortCountLabels() {
    QFETCH(double, value);
    QFETCH(QString, label);
    QCOMPARE(CountAxisTicker::shortCount(value), label);
}

void TestDatasetSession::recentDatasets() {
    RecentDatasets::clear();
    QVERIFY(RecentDatasets::paths().isEmpty());
    const QString a = m_tmp.filePath("a");
    const QString b = m_tmp.filePath("b");
    RecentDatasets::add(a);
    RecentDatasets::add(b);
    RecentDatasets::add(a + "/");  // same folder: moves to the front, no duplicate
    QCOMPARE(RecentDatasets::paths(), (QStringList{a, b}));
    for (int i = 0; i < 20; ++i)
        RecentDatasets::add(m_tmp.filePath(QString::number(i)));
    QCOMPARE(RecentDatasets::paths().size(), RecentDatasets::kMaxEntries);
    QCOMPARE(RecentDatasets::paths().first(), m_tmp.filePath("19"));
    RecentDatasets::remove(m_tmp.filePath("19"));
    QCOMPARE(RecentDatasets::paths().first(), m_tmp.filePath("18"));
}

QTEST_MAIN(TestDatasetSession)
#include "tst_datasetsession.moc"
