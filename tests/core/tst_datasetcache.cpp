// Binary dataset cache: exact round trip, invalidation when a source file changes, corrupt or
// truncated cache files ignored and rewritten. Every test uses its own temporary cache folder.

#include <QtTest>

#include "core/data/DatasetBuilder.h"
#include "core/data/DatasetCache.h"
#include "core/data/DatasetLoader.h"

using namespace recscope;

namespace {

const QString kData = QStringLiteral(RECSCOPE_SHARED_DATA);

void compareDatasets(const Dataset& a, const Dataset& b) {
    QCOMPARE(a.format(), b.format());
    QCOMPARE(a.source(), b.source());
    QCOMPARE(a.numUsers(), b.numUsers());
    QCOMPARE(a.numItems(), b.numItems());
    QCOMPARE(a.numRatedUsers(), b.numRatedUsers());
    QCOMPARE(a.numRatedItems(), b.numRatedItems());
    QCOMPARE(a.minTimestamp(), b.minTimestamp());
    QCOMPARE(a.maxTimestamp(), b.maxTimestamp());
    QCOMPARE(a.ratingScale().min, b.ratingScale().min);
    QCOMPARE(a.ratingScale().max, b.ratingScale().max);
    QCOMPARE(a.ratingScale().step, b.ratingScale().step);
    QVERIFY(a.userOffsets() == b.userOffsets());
    QVERIFY(a.items() == b.items());
    QVERIFY(a.halfStars() == b.halfStars());
    QVERIFY(a.timestamps() == b.timestamps());
    for (int32_t u = 0; u < a.numUsers(); ++u)
        QCOMPARE(a.originalUserId(u), b.originalUserId(u));
    for (int32_t i = 0; i < a.numItems(); ++i)
        QCOMPARE(a.originalItemId(i), b.originalItemId(i));
    const ItemMetadata &x = a.itemMetadata(), &y = b.itemMetadata();
    QVERIFY(x.titles == y.titles);
    QVERIFY(x.years == y.years);
    QVERIFY(x.genreMasks == y.genreMasks);
    QVERIFY(x.genreNames == y.genreNames);
    const UserMetadata &p = a.userMetadata(), &q = b.userMetadata();
    QCOMPARE(p.present, q.present);
    QVERIFY(p.ages == q.ages);
    QVERIFY(p.genders == q.genders);
    QVERIFY(p.occupations == q.occupations);
    QVERIFY(p.zipCodes == q.zipCodes);
}

// Loads and says whether the cache answered (from the progress stages).
Result<Dataset> loadWatch(const QString& path, const QString& cacheDir, bool* fromCache) {
    LoadOptions o;
    o.cacheDir = cacheDir.toStdString();
    *fromCache = false;
    return loadDataset(path.toStdString(), o, [fromCache](const Progress& p) {
        if (p.stage == "Loaded from cache")
            *fromCache = true;
    });
}

bool writeFile(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

QString cacheFileFor(const QString& cacheDir, const QString& source) {
    return QString::fromStdString(
        DatasetCache(cacheDir.toStdString())
            .fileFor(QFileInfo(source).canonicalFilePath().toStdString()));
}

}  // namespace

class TestDatasetCache : public QObject {
    Q_OBJECT

private slots:
    void roundTrip100k();
    void roundTripZip();
    void roundTripDirect();
    void invalidatedWhenSourceChanges();
    void corruptCacheIgnored_data();
    void corruptCacheIgnored();
    void cacheDirFromEnvironment();
    void noCacheWritesNothing();
};

void TestDatasetCache::roundTrip100k() {
    if (!QFileInfo::exists(kData + "/ml-100k/u.data"))
        QSKIP("ml-100k not available");
    QTemporaryDir cache;
    bool hit = true;
    auto first = loadWatch(kData + "/ml-100k", cache.path(), &hit);
    QVERIFY(first.ok());
    QVERIFY(!hit);
    QVERIFY(QFileInfo::exists(cacheFileFor(cache.path(), kData + "/ml-100k")));
    auto second = loadWatch(kData + "/ml-100k", cache.path(), &hit);
    QVERIFY(second.ok());
    QVERIFY(hit);
    compareDatasets(first.value(), second.value());
    QVERIFY(second->userMetadata().present);
    // No temporary files left behind by the atomic write.
    QCOMPARE(QDir(cache.path()).entryList(QDir::Files).size(), 1);
}

void TestDatasetCache::roundTripZip() {
    const QString zip = kData + "/ml-latest-small.zip";
    if (!QFileInfo::exists(zip))
        QSKIP("ml-latest-small.zip not available");
    QTemporaryDir cache;
    bool hit = true;
    auto first = loadWatch(zip, cache.path(), &hit);
    QVERIFY(first.ok());
    QVERIFY(!hit);
    auto second = loadWatch(zip, cache.path(), &hit);
    QVERIFY(second.ok());
    QVERIFY(hit);
    compareDatasets(first.value(), second.value());
}

void TestDatasetCache::roundTripDirect() {
    // Through DatasetCache itself, with metadata-only items and users and negative ids.
    RawRatings r;
    r.append(3, 7, 9, 1500);
    r.append(-2, 7, 1, 100);
    r.append(3, 8, 10, 1400);
    DatasetBuilder b;
    b.setRatings(r);
    b.setGenreNames({"A", "B"});
    b.addItem(7, "Seven, The (1977)", 3);
    b.addItem(9, "Nine \xC3\xA9 (1999)", 1);
    b.addUser(3, 40, 'F', "writer", "0123");
    Dataset ds = b.build(DatasetFormat::Synthetic, "synthetic:1", RatingScale{0.5f, 5.0f, 0.5f});
    QTemporaryDir cache;
    DatasetCache c(cache.path().toStdString());
    QVERIFY(c.store(ds, "/some/source", "fp-1").ok());
    auto back = c.load("/some/source", "fp-1");
    QVERIFY(back.has_value());
    compareDatasets(ds, *back);
    QVERIFY(!c.load("/some/source", "fp-2").has_value());   // stale fingerprint
    QVERIFY(!c.load("/other/source", "fp-1").has_value());  // other source, other file
}

void TestDatasetCache::invalidatedWhenSourceChanges() {
    QTemporaryDir src, cache;
    const QString ratings = src.filePath("ratings.csv");
    QVERIFY(writeFile(ratings, "userId,movieId,rating,timestamp\n1,10,4.0,100\n2,10,3.5,200\n"));
    QVERIFY(writeFile(src.filePath("movies.csv"), "movieId,title,genres\n10,Ten (2010),Drama\n"));
    bool hit = true;
    auto a = loadWatch(src.path(), cache.path(), &hit);
    QVERIFY(a.ok());
    QVERIFY(!hit);
    QCOMPARE(a->numRatings(), int64_t(2));
    QVERIFY(loadWatch(src.path(), cache.path(), &hit).ok());
    QVERIFY(hit);

    // Rewrite with a different row count: the new content must be read.
    QVERIFY(writeFile(ratings,
                      "userId,movieId,rating,timestamp\n1,10,4.0,100\n2,10,3.5,200\n"
                      "3,10,5.0,300\n"));
    auto b = loadWatch(src.path(), cache.path(), &hit);
    QVERIFY(b.ok());
    QVERIFY(!hit);
    QCOMPARE(b->numRatings(), int64_t(3));

    // Touch only (same bytes, new mtime): not trusted either.
    QVERIFY(loadWatch(src.path(), cache.path(), &hit).ok());
    QVERIFY(hit);
    {
        QFile f(ratings);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.setFileTime(QDateTime::currentDateTimeUtc().addSecs(3600),
                              QFileDevice::FileModificationTime));
    }
    auto c = loadWatch(src.path(), cache.path(), &hit);
    QVERIFY(c.ok());
    QVERIFY(!hit);
    QCOMPARE(c->numRatings(), int64_t(3));

    // A change to a metadata file counts too.
    QVERIFY(loadWatch(src.path(), cache.path(), &hit).ok());
    QVERIFY(hit);
    QVERIFY(writeFile(src.filePath("movies.csv"),
                      "movieId,title,genres\n10,Ten Renamed (2011),Drama\n"));
    auto d = loadWatch(src.path(), cache.path(), &hit);
    QVERIFY(d.ok());
    QVERIFY(!hit);
    QCOMPARE(QString::fromStdString(d->itemMetadata().titles[0]),
             QStringLiteral("Ten Renamed (2011)"));
}

void TestDatasetCache::corruptCacheIgnored_data() {
    QTest::addColumn<QString>("damage");
    QTest::newRow("flipped byte in ratings") << "flip";
    QTest::newRow("truncated") << "truncate";
    QTest::newRow("garbage") << "garbage";
    QTest::newRow("empty") << "empty";
    QTest::newRow("huge length field") << "length";
}

void TestDatasetCache::corruptCacheIgnored() {
    QFETCH(QString, damage);
    if (!QFileInfo::exists(kData + "/ml-100k/u.data"))
        QSKIP("ml-100k not available");
    QTemporaryDir cache;
    bool hit = true;
    auto good = loadWatch(kData + "/ml-100k", cache.path(), &hit);
    QVERIFY(good.ok());
    const QString file = cacheFileFor(cache.path(), kData + "/ml-100k");
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QByteArray bytes = f.readAll();
    f.close();
    QVERIFY(bytes.size() > 1000000);  // 100,000 ratings * 13 bytes
    if (damage == "flip") {
        bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x40);
    } else if (damage == "truncate") {
        bytes.truncate(bytes.size() - 100);
    } else if (damage == "garbage") {
        bytes.fill('x');
    } else if (damage == "empty") {
        bytes.clear();
    } else {
        // The user-id count right after the source string: claims 2^62 entries.
        const int at = bytes.indexOf(QFileInfo(kData + "/ml-100k").canonicalFilePath().toUtf8());
        QVERIFY(at > 0);
        const int lenPos = at + QFileInfo(kData + "/ml-100k").canonicalFilePath().toUtf8().size();
        for (int k = 0; k < 8; ++k)
            bytes[lenPos + k] = k == 7 ? char(0x40) : char(0);
    }
    QVERIFY(writeFile(file, bytes));
    auto again = loadWatch(kData + "/ml-100k", cache.path(), &hit);
    QVERIFY(again.ok());
    QVERIFY(!hit);  // damaged cache not trusted
    compareDatasets(good.value(), again.value());
    // ...and rewritten, so the next open is a hit again.
    auto third = loadWatch(kData + "/ml-100k", cache.path(), &hit);
    QVERIFY(third.ok());
    QVERIFY(hit);
    compareDatasets(good.value(), third.value());
}

void TestDatasetCache::cacheDirFromEnvironment() {
    const QByteArray old = qgetenv("RECSCOPE_CACHE_DIR");
    qputenv("RECSCOPE_CACHE_DIR", "/tmp/recscope-env-cache");
    QCOMPARE(QString::fromStdString(DatasetCache::resolveDir("")),
             QStringLiteral("/tmp/recscope-env-cache"));
    QCOMPARE(QString::fromStdString(DatasetCache::resolveDir("/explicit")),
             QStringLiteral("/explicit"));
    if (old.isNull())
        qunsetenv("RECSCOPE_CACHE_DIR");
    else
        qputenv("RECSCOPE_CACHE_DIR", old);
}

void TestDatasetCache::noCacheWritesNothing() {
    QTemporaryDir src, cache;
    QVERIFY(writeFile(src.filePath("u.data"), "1\t2\t3\t100\n"));
    LoadOptions o;
    o.useCache = false;
    o.cacheDir = cache.path().toStdString();
    QVERIFY(loadDataset(src.path().toStdString(), o).ok());
    QCOMPARE(QDir(cache.path()).entryList(QDir::Files).size(), 0);
}

QTEST_GUILESS_MAIN(TestDatasetCache)
#include "tst_datasetcache.moc"
