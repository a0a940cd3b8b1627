// DatasetBuilder: hand-made rows -> exact CSR, dense ids, stable time order, metadata alignment.

#include <QtTest>

#include <algorithm>
#include <map>
#include <random>
#include <tuple>

#include "core/data/DatasetBuilder.h"

using namespace recscope;

class TestDatasetBuilder : public QObject {
    Q_OBJECT

private slots:
    void handMadeCsr();
    void metadataOnlyItemsAndUsers();
    void emptyDataset();
    void chunksEqualSingleBlock();
    void compactAndRawChunksMixed();
    void largeIdsUseSortedPath();
    void randomAgainstReference_data();
    void randomAgainstReference();
    void parseYear();
};

void TestDatasetBuilder::handMadeCsr() {
    // Original ids are sparse and unordered; rows are in "file order".
    RawRatings r;
    r.append(50, 300, 8, 100);  // row 0
    r.append(10, 200, 10, 50);  // row 1
    r.append(50, 100, 2, 90);   // row 2
    r.append(10, 300, 7, 50);   // row 3: same ts as row 1 -> stays after row 1
    r.append(50, 200, 6, 100);  // row 4: same ts as row 0 -> stays after row 0
    r.append(10, 100, 4, 10);   // row 5
    DatasetBuilder b;
    b.setRatings(std::move(r));
    Dataset ds = b.build(DatasetFormat::Ml10m, "hand", RatingScale{0.5f, 5.0f, 0.5f}, 1);

    QCOMPARE(ds.numUsers(), 2);
    QCOMPARE(ds.numItems(), 3);
    QCOMPARE(ds.numRatings(), int64_t(6));
    QCOMPARE(ds.numRatedUsers(), 2);
    QCOMPARE(ds.numRatedItems(), 3);
    QCOMPARE(ds.originalUserId(0), int64_t(10));
    QCOMPARE(ds.originalUserId(1), int64_t(50));
    QCOMPARE(ds.originalItemId(0), int64_t(100));
    QCOMPARE(ds.originalItemId(2), int64_t(300));
    QCOMPARE(ds.userIndex(50).value_or(-1), 1);
    QVERIFY(!ds.userIndex(11).has_value());
    QCOMPARE(ds.itemIndex(200).value_or(-1), 1);
    QVERIFY(!ds.itemIndex(400).has_value());

    QCOMPARE(ds.userOffsets(), (std::vector<int64_t>{0, 3, 6}));
    // user 10: rows 5 (ts 10), 1 (ts 50), 3 (ts 50)
    // user 50: rows 2 (ts 90), 0 (ts 100), 4 (ts 100)
    QCOMPARE(ds.items(), (std::vector<int32_t>{0, 1, 2, 0, 2, 1}));
    QCOMPARE(ds.halfStars(), (std::vector<uint8_t>{4, 10, 7, 2, 8, 6}));
    QCOMPARE(ds.timestamps(), (std::vector<int64_t>{10, 50, 50, 90, 100, 100}));
    QCOMPARE(ds.rating(2), 3.5f);
    QCOMPARE(ds.minTimestamp(), int64_t(10));
    QCOMPARE(ds.maxTimestamp(), int64_t(100));
    QCOMPARE(ds.density(), 1.0);
    QCOMPARE(ds.format(), DatasetFormat::Ml10m);
    QCOMPARE(QString::fromStdString(ds.source()), QStringLiteral("hand"));
    QCOMPARE(ds.ratingScale().step, 0.5f);
    QCOMPARE(ds.ratingBytes(), size_t(2 * 8 + 3 * 8 + 3 * 8 + 6 * (4 + 1 + 8)));
}

void TestDatasetBuilder::metadataOnlyItemsAndUsers() {
    RawRatings r;
    r.append(2, 20, 10, 5);
    r.append(2, 40, 6, 4);
    DatasetBuilder b;
    b.setRatings(std::move(r));
    b.setGenreNames({"Action", "Comedy"});
    b.addItem(30, "Only In Metadata (1999)", 2);  // no rating
    b.addItem(20, "Rated, The (1995)", 1);
    b.addItem(20, "Duplicate row ignored (2001)", 3);
    b.addUser(1, 33, 'F', "writer", "12345");  // no rating
    b.addUser(2, 40, 'M', "artist", "99999");
    Dataset ds = b.build(DatasetFormat::Ml100k, "meta", RatingScale{}, 2);

    QCOMPARE(ds.numUsers(), 2);
    QCOMPARE(ds.numItems(), 3);  // 20, 30, 40
    QCOMPARE(ds.numRatedUsers(), 1);
    QCOMPARE(ds.numRatedItems(), 2);
    QCOMPARE(ds.userOffsets(), (std::vector<int64_t>{0, 0, 2}));
    QCOMPARE(ds.items(), (std::vector<int32_t>{2, 0}));  // item 40 at ts 4 first
    const ItemMetadata& im = ds.itemMetadata();
    QCOMPARE(im.titles.size(), size_t(3));
    QCOMPARE(QString::fromStdString(im.titles[0]), QStringLiteral("Rated, The (1995)"));
    QCOMPARE(QString::fromStdString(im.titles[1]), QStringLiteral("Only In Metadata (1999)"));
    QCOMPARE(QString::fromStdString(im.titles[2]), QString());  // absent from metadata
    QCOMPARE(im.years, (std::vector<int16_t>{1995, 1999, 0}));
    QCOMPARE(im.genreMasks, (std::vector<uint32_t>{1, 2, 0}));
    QCOMPARE(im.genreNames.size(), size_t(2));
    const UserMetadata& um = ds.userMetadata();
    QVERIFY(um.present);
    QCOMPARE(um.ages, (std::vector<int16_t>{33, 40}));
    QCOMPARE(um.genders, (std::vector<char>{'F', 'M'}));
    QCOMPARE(QString::fromStdString(um.occupations[1]), QStringLiteral("artist"));
    QCOMPARE(QString::fromStdString(um.zipCodes[0]), QStringLiteral("12345"));
    QCOMPARE(ds.density(), 2.0 / (1.0 * 2.0));
}

void TestDatasetBuilder::emptyDataset() {
    DatasetBuilder b;
    Dataset ds = b.build(DatasetFormat::Synthetic, "empty", RatingScale{});
    QCOMPARE(ds.numUsers(), 0);
    QCOMPARE(ds.numItems(), 0);
    QCOMPARE(ds.numRatings(), int64_t(0));
    QCOMPARE(ds.userOffsets(), (std::vector<int64_t>{0}));
    QCOMPARE(ds.density(), 0.0);
    QVERIFY(!ds.userMetadata().present);
}

namespace {

RawRatings randomRows(uint32_t seed, size_t n, int64_t userRange, int64_t itemRange,
                      int64_t idScale) {
    std::mt19937_64 rng(seed);
    RawRatings r;
    for (size_t i = 0; i < n; ++i) {
        const int64_t u = (1 + static_cast<int64_t>(rng() % userRange)) * idScale;
        const int64_t it = (1 + static_cast<int64_t>(rng() % itemRange)) * idScale;
        r.append(u, it, static_cast<uint8_t>(1 + rng() % 10),
                 1000 + static_cast<int64_t>(rng() % 50));  // many ties
    }
    return r;
}

// Brute-force reference: per user (ascending original id), rows stably sorted by timestamp.
void checkAgainstReference(const RawRatings& r, const Dataset& ds) {
    std::map<int64_t, std::vector<size_t>> byUser;
    std::map<int64_t, int> itemsSeen;
    for (size_t i = 0; i < r.size(); ++i) {
        byUser[r.users[i]].push_back(i);
        itemsSeen[r.items[i]] = 1;
    }
    QCOMPARE(size_t(ds.numUsers()), byUser.size());
    QCOMPARE(size_t(ds.numItems()), itemsSeen.size());
    int32_t dense = 0;
    for (auto& [orig, rows] : byUser) {
        std::stable_sort(rows.begin(), rows.end(),
                         [&](size_t a, size_t b) { return r.timestamps[a] < r.timestamps[b]; });
        QCOMPARE(ds.originalUserId(dense), orig);
        const int64_t b = ds.userOffsets()[size_t(dense)];
        QCOMPARE(ds.userOffsets()[size_t(dense) + 1] - b, int64_t(rows.size()));
        for (size_t k = 0; k < rows.size(); ++k) {
            const size_t pos = size_t(b) + k;
            QCOMPARE(ds.originalItemId(ds.items()[pos]), r.items[rows[k]]);
            QCOMPARE(ds.halfStars()[pos], r.halfStars[rows[k]]);
            QCOMPARE(ds.timestamps()[pos], r.timestamps[rows[k]]);
        }
        ++dense;
    }
}

}  // namespace

void TestDatasetBuilder::chunksEqualSingleBlock() {
    RawRatings all = randomRows(7, 300000, 500, 900, 1);
    // Split the same rows into three chunks.
    RawRatings c[3];
    for (size_t i = 0; i < all.size(); ++i) {
        RawRatings& dst = c[i < 100000 ? 0 : (i < 250000 ? 1 : 2)];
        dst.append(all.users[i], all.items[i], all.halfStars[i], all.timestamps[i]);
    }
    DatasetBuilder b;
    for (auto& chunk : c)
        b.addRatingChunk(std::move(chunk));
    Dataset ds = b.build(DatasetFormat::MlCsv, "chunks", RatingScale{0.5f, 5.0f, 0.5f}, 2);
    checkAgainstReference(all, ds);
}

void TestDatasetBuilder::compactAndRawChunksMixed() {
    // The parsers hand CompactRatings; other producers RawRatings. Mixed, order kept.
    RawRatings all = randomRows(5, 240000, 800, 2000, 1);
    CompactRatings first, third;
    RawRatings second;
    for (size_t i = 0; i < all.size(); ++i) {
        if (i < 90000 || i >= 200000) {
            CompactRatings& c = i < 90000 ? first : third;
            c.users.push_back(int32_t(all.users[i]));
            c.items.push_back(int32_t(all.items[i]));
            c.halfStars.push_back(all.halfStars[i]);
            c.timestamps.push_back(uint32_t(all.timestamps[i]));
        } else {
            second.append(all.users[i], all.items[i], all.halfStars[i], all.timestamps[i]);
        }
    }
    DatasetBuilder b;
    b.addRatingChunk(std::move(first));
    b.addRatingChunk(std::move(second));
    b.addRatingChunk(std::move(third));
    Dataset ds = b.build(DatasetFormat::MlCsv, "mixed", RatingScale{0.5f, 5.0f, 0.5f}, 2);
    checkAgainstReference(all, ds);
}

void TestDatasetBuilder::largeIdsUseSortedPath() {
    // Ids far beyond any lookup table force the sort + bisection path.
    RawRatings r = randomRows(11, 5000, 40, 60, 1000000007LL);
    r.append(-5, 3, 2, 0);  // negative ids are the caller's business; they still map
    DatasetBuilder b;
    RawRatings copy = r;
    b.setRatings(std::move(copy));
    Dataset ds = b.build(DatasetFormat::Synthetic, "big", RatingScale{}, 2);
    checkAgainstReference(r, ds);
    QCOMPARE(ds.originalUserId(0), int64_t(-5));
}

void TestDatasetBuilder::randomAgainstReference_data() {
    QTest::addColumn<uint>("seed");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("threads");
    QTest::newRow("small-1t") << 1u << 2000 << 1;
    QTest::newRow("large-2t") << 2u << 250000 << 2;
    QTest::newRow("large-4t") << 3u << 250000 << 4;
}

void TestDatasetBuilder::randomAgainstReference() {
    QFETCH(uint, seed);
    QFETCH(int, rows);
    QFETCH(int, threads);
    RawRatings r = randomRows(seed, size_t(rows), 300, 1000, 3);
    RawRatings copy = r;
    DatasetBuilder b;
    b.setRatings(std::move(copy));
    Dataset ds = b.build(DatasetFormat::MlCsv, "rand", RatingScale{0.5f, 5.0f, 0.5f}, threads);
    checkAgainstReference(r, ds);
    QCOMPARE(ds.minTimestamp(), *std::min_element(r.timestamps.begin(), r.timestamps.end()));
    QCOMPARE(ds.maxTimestamp(), *std::max_element(r.timestamps.begin(), r.timestamps.end()));
}

void TestDatasetBuilder::parseYear() {
    QCOMPARE(parseYearFromTitle("Toy Story (1995)"), int16_t(1995));
    QCOMPARE(parseYearFromTitle("Babe (1995) "), int16_t(1995));
    QCOMPARE(parseYearFromTitle("American President, The (1995)"), int16_t(1995));
    QCOMPARE(parseYearFromTitle("Big Bang Theory (2006-2007)"), int16_t(2006));
    QCOMPARE(parseYearFromTitle("Babylon 5"), int16_t(0));
    QCOMPARE(parseYearFromTitle("unknown"), int16_t(0));
    QCOMPARE(parseYearFromTitle("1984 (abcd)"), int16_t(0));
    QCOMPARE(parseYearFromTitle(""), int16_t(0));
    QCOMPARE(parseFormatName("100K").value_or(DatasetFormat::Synthetic), DatasetFormat::Ml100k);
    QCOMPARE(parseFormatName("csv").value_or(DatasetFormat::Synthetic), DatasetFormat::MlCsv);
    QVERIFY(!parseFormatName("20m").has_value());
    for (auto f : {DatasetFormat::Ml100k, DatasetFormat::Ml1m, DatasetFormat::Ml10m,
                   DatasetFormat::MlCsv, DatasetFormat::Synthetic})
        QCOMPARE(parseFormatName(formatName(f)).value_or(DatasetFormat::Ml1m), f);
}

QTEST_GUILESS_MAIN(TestDatasetBuilder)
#include "tst_datasetbuilder.moc"
