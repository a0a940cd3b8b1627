// The readers on the real MovieLens files (ml-100k, ml-latest-small folder and zip), checked
// against counts from the releases' READMEs and against an independent brute-force parse.

#include <QtTest>

#include <algorithm>
#include <map>
#include <tuple>

#include "core/data/DatasetLoader.h"

using namespace recscope;

namespace {

const QString kData = QStringLiteral(RECSCOPE_SHARED_DATA);

struct Row {
    int64_t user, item;
    int half;
    int64_t ts;
};

// Independent reference: split lines with Qt, no shared code with the readers.
std::vector<Row> referenceRows(const QString& file, QChar sep, bool header) {
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    std::vector<Row> rows;
    bool first = true;
    while (!f.atEnd()) {
        const QByteArray line = f.readLine().trimmed();
        if (first && header) {
            first = false;
            continue;
        }
        if (line.isEmpty())
            continue;
        const QList<QByteArray> p = line.split(sep.toLatin1());
        rows.push_back(Row{p[0].toLongLong(), p[1].toLongLong(),
                           static_cast<int>(p[2].toDouble() * 2 + 0.5), p[3].toLongLong()});
    }
    return rows;
}

// Per user (ascending id), rows stably sorted by timestamp: what the Dataset must hold.
void compareWithReference(const Dataset& ds, const std::vector<Row>& rows) {
    std::map<int64_t, std::vector<Row>> byUser;
    for (const Row& r : rows)
        byUser[r.user].push_back(r);
    QCOMPARE(ds.numRatings(), int64_t(rows.size()));
    QCOMPARE(size_t(ds.numRatedUsers()), byUser.size());
    size_t pos = 0;
    for (auto& [user, list] : byUser) {
        std::stable_sort(list.begin(), list.end(),
                         [](const Row& a, const Row& b) { return a.ts < b.ts; });
        const auto u = ds.userIndex(user);
        QVERIFY(u.has_value());
        QCOMPARE(ds.userOffsets()[size_t(*u)], int64_t(pos));
        for (const Row& r : list) {
            QCOMPARE(ds.originalItemId(ds.items()[pos]), r.item);
            QCOMPARE(int(ds.halfStars()[pos]), r.half);
            QCOMPARE(ds.timestamps()[pos], r.ts);
            ++pos;
        }
    }
}

LoadOptions noCache() {
    LoadOptions o;
    o.useCache = false;
    return o;
}

QString title(const Dataset& ds, int64_t movieId) {
    const auto i = ds.itemIndex(movieId);
    return i ? QString::fromStdString(ds.itemMetadata().titles[size_t(*i)]) : QString("<none>");
}

}  // namespace

class TestMovieLensReaders : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void ml100k();
    void ml100kMetadata();
    void latestSmall();
    void latestSmallTitlesAndGenres();
    void zipEqualsFolder();
    void detection();
    void perUserTimeOrder();
    void progressAndCancel();
};

void TestMovieLensReaders::initTestCase() {
    if (!QFileInfo::exists(kData + "/ml-100k/u.data"))
        QSKIP("MovieLens files not found under RECSCOPE_SHARED_DATA");
}

void TestMovieLensReaders::ml100k() {
    auto r = loadDataset((kData + "/ml-100k").toStdString(), noCache());
    QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
    const Dataset& ds = r.value();
    QCOMPARE(ds.format(), DatasetFormat::Ml100k);
    QCOMPARE(ds.numRatedUsers(), 943);
    QCOMPARE(ds.numRatedItems(), 1682);
    QCOMPARE(ds.numUsers(), 943);
    QCOMPARE(ds.numItems(), 1682);
    QCOMPARE(ds.numRatings(), int64_t(100000));
    QCOMPARE(ds.ratingScale().min, 1.0f);
    QCOMPARE(ds.ratingScale().step, 1.0f);
    // Whole stars only; every value 1..5 occurs.
    int hist[11] = {};
    for (uint8_t h : ds.halfStars())
        ++hist[h];
    QCOMPARE(hist[1] + hist[3] + hist[5] + hist[7] + hist[9], 0);
    for (int s = 1; s <= 5; ++s)
        QVERIFY(hist[2 * s] > 0);
    // First line of u.data: 196 242 3 881250949.
    const int32_t u = ds.userIndex(196).value();
    const int32_t it = ds.itemIndex(242).value();
    bool found = false;
    for (int64_t k = ds.userOffsets()[size_t(u)]; k < ds.userOffsets()[size_t(u) + 1]; ++k)
        if (ds.items()[size_t(k)] == it && ds.timestamps()[size_t(k)] == 881250949)
            found = ds.rating(k) == 3.0f;
    QVERIFY(found);
    compareWithReference(ds, referenceRows(kData + "/ml-100k/u.data", '\t', false));
    QVERIFY(std::abs(ds.density() - 100000.0 / (943.0 * 1682.0)) < 1e-12);
}

void TestMovieLensReaders::ml100kMetadata() {
    auto r = loadDataset((kData + "/ml-100k").toStdString(), noCache());
    QVERIFY(r.ok());
    const Dataset& ds = r.value();
    const ItemMetadata& im = ds.itemMetadata();
    QCOMPARE(im.genreNames.size(), size_t(19));
    QCOMPARE(QString::fromStdString(im.genreNames[0]), QStringLiteral("unknown"));
    QCOMPARE(QString::fromStdString(im.genreNames[4]), QStringLiteral("Children's"));
    // Toy Story: Animation (3), Children's (4), Comedy (5).
    const size_t toy = size_t(ds.itemIndex(1).value());
    QCOMPARE(title(ds, 1), QStringLiteral("Toy Story (1995)"));
    QCOMPARE(im.genreMasks[toy], uint32_t((1u << 3) | (1u << 4) | (1u << 5)));
    QCOMPARE(im.years[toy], int16_t(1995));
    // u.item is Latin-1: 0xE9 must arrive as UTF-8 "é"; the comma stays inside the title.
    QCOMPARE(title(ds, 543), QString::fromUtf8("Mis\xC3\xA9rables, Les (1995)"));
    QCOMPARE(title(ds, 1104),
             QString::fromUtf8("C'est arriv\xC3\xA9 pr\xC3\xA8s de chez vous (1992)"));
    QCOMPARE(im.years[size_t(ds.itemIndex(1104).value())], int16_t(1992));
    QCOMPARE(title(ds, 267), QStringLiteral("unknown"));
    QCOMPARE(im.years[size_t(ds.itemIndex(267).value())], int16_t(0));
    const UserMetadata& um = ds.userMetadata();
    QVERIFY(um.present);
    const size_t u1 = size_t(ds.userIndex(1).value());
    QCOMPARE(um.ages[u1], int16_t(24));
    QCOMPARE(um.genders[u1], 'M');
    QCOMPARE(QString::fromStdString(um.occupations[u1]), QStringLiteral("technician"));
    QCOMPARE(QString::fromStdString(um.zipCodes[u1]), QStringLiteral("85711"));
    QCOMPARE(um.genders[size_t(ds.userIndex(2).value())], 'F');
}

void TestMovieLensReaders::latestSmall() {
    auto r = loadDataset((kData + "/ml-latest-small").toStdString(), noCache());
    QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
    const Dataset& ds = r.value();
    QCOMPARE(ds.format(), DatasetFormat::MlCsv);
    QCOMPARE(ds.numRatedUsers(), 610);
    QCOMPARE(ds.numRatedItems(), 9724);
    QCOMPARE(ds.numItems(), 9742);  // movies.csv lists 18 movies nobody rated
    QCOMPARE(ds.numRatings(), int64_t(100836));
    QVERIFY(!ds.userMetadata().present);
    QCOMPARE(ds.ratingScale().min, 0.5f);
    QCOMPARE(ds.ratingScale().step, 0.5f);
    // Half stars: counts from the file (awk over the rating column).
    int hist[11] = {};
    for (uint8_t h : ds.halfStars())
        ++hist[h];
    QCOMPARE(hist[1], 1370);    // 0.5
    QCOMPARE(hist[7], 13136);   // 3.5
    QCOMPARE(hist[10], 13211);  // 5.0
    QCOMPARE(hist[0], 0);
    compareWithReference(ds, referenceRows(kData + "/ml-latest-small/ratings.csv", ',', true));
    QCOMPARE(ds.userOffsets()[size_t(ds.userIndex(610).value()) + 1] -
                 ds.userOffsets()[size_t(ds.userIndex(610).value())],
             int64_t(1302));
}

void TestMovieLensReaders::latestSmallTitlesAndGenres() {
    auto r = loadDataset((kData + "/ml-latest-small").toStdString(), noCache());
    QVERIFY(r.ok());
    const Dataset& ds = r.value();
    const ItemMetadata& im = ds.itemMetadata();
    // Quoted titles with commas, accents (UTF-8 in the file), doubled quotes.
    QCOMPARE(title(ds, 73), QString::fromUtf8("Mis\xC3\xA9rables, Les (1995)"));
    QCOMPARE(title(ds, 29),
             QString::fromUtf8(
                 "City of Lost Children, The (Cit\xC3\xA9 des enfants perdus, La) (1995)"));
    QCOMPARE(title(ds, 7789), QStringLiteral("11'09\"01 - September 11 (2002)"));
    QCOMPARE(im.years[size_t(ds.itemIndex(7789).value())], int16_t(2002));
    QCOMPARE(im.years[size_t(ds.itemIndex(29).value())], int16_t(1995));
    // Genres: 19 names in ascending order; "(no genres listed)" gives an empty mask.
    QCOMPARE(im.genreNames.size(), size_t(19));
    QCOMPARE(QString::fromStdString(im.genreNames.front()), QStringLiteral("Action"));
    QCOMPARE(QString::fromStdString(im.genreNames.back()), QStringLiteral("Western"));
    QVERIFY(std::is_sorted(im.genreNames.begin(), im.genreNames.end()));
    QCOMPARE(im.genreMasks[size_t(ds.itemIndex(114335).value())], uint32_t(0));
    auto bit = [&](const char* name) {
        const auto it = std::find(im.genreNames.begin(), im.genreNames.end(), name);
        return uint32_t(1) << (it - im.genreNames.begin());
    };
    QCOMPARE(im.genreMasks[size_t(ds.itemIndex(73).value())], bit("Drama") | bit("War"));
    QCOMPARE(im.genreMasks[size_t(ds.itemIndex(1).value())], bit("Adventure") | bit("Animation") |
                                                                 bit("Children") | bit("Comedy") |
                                                                 bit("Fantasy"));
    // Every listed movie has a title; count parsed years.
    int withYear = 0;
    for (size_t i = 0; i < im.titles.size(); ++i) {
        QVERIFY(!im.titles[i].empty());
        withYear += im.years[i] > 0;
    }
    QVERIFY(withYear > 9700);
}

void TestMovieLensReaders::zipEqualsFolder() {
    auto a = loadDataset((kData + "/ml-latest-small").toStdString(), noCache());
    auto b = loadDataset((kData + "/ml-latest-small.zip").toStdString(), noCache());
    QVERIFY(a.ok());
    QVERIFY2(b.ok(), b.ok() ? "" : b.error().toString().c_str());
    const Dataset& x = a.value();
    const Dataset& y = b.value();
    QCOMPARE(y.format(), DatasetFormat::MlCsv);
    QVERIFY(x.userOffsets() == y.userOffsets());
    QVERIFY(x.items() == y.items());
    QVERIFY(x.halfStars() == y.halfStars());
    QVERIFY(x.timestamps() == y.timestamps());
    QCOMPARE(x.numItems(), y.numItems());
    for (int32_t i = 0; i < x.numItems(); ++i)
        QCOMPARE(x.originalItemId(i), y.originalItemId(i));
    QVERIFY(x.itemMetadata().titles == y.itemMetadata().titles);
    QVERIFY(x.itemMetadata().genreMasks == y.itemMetadata().genreMasks);
    QVERIFY(x.itemMetadata().years == y.itemMetadata().years);
    QVERIFY(QString::fromStdString(y.source()).endsWith("ml-latest-small.zip"));
}

void TestMovieLensReaders::detection() {
    QCOMPARE(detectFormat((kData + "/ml-100k").toStdString()).value(), DatasetFormat::Ml100k);
    QCOMPARE(detectFormat((kData + "/ml-latest-small").toStdString()).value(),
             DatasetFormat::MlCsv);
    QCOMPARE(detectFormat((kData + "/ml-latest-small.zip").toStdString()).value(),
             DatasetFormat::MlCsv);
    // The parent folder holds two releases one level down: refused, both named.
    auto both = detectFormat(kData.toStdString());
    QVERIFY(!both.ok());
    const QString msg = QString::fromStdString(both.error().message);
    QVERIFY2(msg.contains("more than one"), qPrintable(msg));
    QVERIFY(msg.contains("ml-100k/u.data"));
    QVERIFY(msg.contains("ml-latest-small/ratings.csv"));
    auto missing = detectFormat((kData + "/does-not-exist").toStdString());
    QVERIFY(!missing.ok());
}

void TestMovieLensReaders::perUserTimeOrder() {
    for (const char* rel : {"/ml-100k", "/ml-latest-small"}) {
        auto r = loadDataset((kData + rel).toStdString(), noCache());
        QVERIFY(r.ok());
        const Dataset& ds = r.value();
        int64_t lo = INT64_MAX, hi = INT64_MIN;
        for (int32_t u = 0; u < ds.numUsers(); ++u) {
            const auto b = ds.timestamps().begin() + ds.userOffsets()[size_t(u)];
            const auto e = ds.timestamps().begin() + ds.userOffsets()[size_t(u) + 1];
            QVERIFY(std::is_sorted(b, e));
        }
        for (int64_t t : ds.timestamps()) {
            lo = std::min(lo, t);
            hi = std::max(hi, t);
        }
        QCOMPARE(ds.minTimestamp(), lo);
        QCOMPARE(ds.maxTimestamp(), hi);
    }
}

void TestMovieLensReaders::progressAndCancel() {
    std::vector<Progress> seen;
    LoadOptions o = noCache();
    auto r = loadDataset((kData + "/ml-latest-small").toStdString(), o,
                         [&](const Progress& p) { seen.push_back(p); });
    QVERIFY(r.ok());
    QVERIFY(seen.size() >= 3);
    QCOMPARE(seen.back().fraction, 1.0);
    for (size_t i = 1; i < seen.size(); ++i)
        QVERIFY(seen[i].fraction >= seen[i - 1].fraction);

    CancelToken token;
    token.cancel();
    auto c = loadDataset((kData + "/ml-latest-small").toStdString(), o, {}, &token);
    QVERIFY(!c.ok());
    QCOMPARE(QString::fromStdString(c.error().message), QStringLiteral("cancelled"));
}

QTEST_GUILESS_MAIN(TestMovieLensReaders)
#include "tst_movielensreaders.moc"
