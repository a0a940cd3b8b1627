// Generate -> write in each MovieLens layout -> read back with loadDataset: every column, the
// titles, genres and years survive (Latin-1 layouts: titles that Latin-1 can hold), also from
// a zip of a written folder.

#include <QtTest>

#include <zip.h>
#include <QTemporaryDir>
#include <fstream>
#include <set>

#include "core/data/DatasetLoader.h"
#include "core/data/MovieLensWriter.h"
#include "core/data/SyntheticGenerator.h"

using namespace recscope;

namespace {

Dataset generated(bool halfStars, bool userMetadata) {
    SyntheticConfig c;
    c.seed = 99;
    c.users = 120;
    c.items = 700;  // large enough for accented and non-Latin-1 titles
    c.ratings = 6000;
    c.halfStars = halfStars;
    c.userMetadata = userMetadata;
    Result<Dataset> r = generateSynthetic(c);
    if (!r)
        qFatal("generate: %s", r.error().toString().c_str());
    return std::move(r).value();
}

Dataset loadOk(const std::string& path) {
    LoadOptions o;
    o.useCache = false;
    Result<Dataset> r = loadDataset(path, o);
    if (!r)
        qFatal("load %s: %s", path.c_str(), r.error().toString().c_str());
    return std::move(r).value();
}

// True when every code point of the UTF-8 string is <= U+00FF.
bool fitsLatin1(const std::string& s) {
    for (size_t i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80 && c != 0xC2 && c != 0xC3)
            return false;  // lead byte of a code point above U+00FF (or a continuation)
        if (c == 0xC2 || c == 0xC3)
            ++i;
    }
    return true;
}

std::string normaliseGenre(const std::string& g) {
    return g == "Children's" ? "Children" : g;
}

std::set<std::string> genreSet(const Dataset& d, int32_t item) {
    std::set<std::string> out;
    const ItemMetadata& m = d.itemMetadata();
    for (size_t g = 0; g < m.genreNames.size(); ++g)
        if (m.genreMasks[size_t(item)] & (1u << g))
            out.insert(normaliseGenre(m.genreNames[g]));
    return out;
}

void compareDatasets(const Dataset& a, const Dataset& b, bool latin1) {
    QCOMPARE(b.numUsers(), a.numUsers());
    QCOMPARE(b.numItems(), a.numItems());
    QCOMPARE(b.numRatings(), a.numRatings());
    QCOMPARE(b.numRatedUsers(), a.numRatedUsers());
    QCOMPARE(b.numRatedItems(), a.numRatedItems());
    for (int32_t u = 0; u < a.numUsers(); ++u)
        QCOMPARE(b.originalUserId(u), a.originalUserId(u));
    for (int32_t i = 0; i < a.numItems(); ++i)
        QCOMPARE(b.originalItemId(i), a.originalItemId(i));
    QVERIFY(b.userOffsets() == a.userOffsets());
    QVERIFY(b.items() == a.items());
    QVERIFY(b.halfStars() == a.halfStars());
    QVERIFY(b.timestamps() == a.timestamps());
    QCOMPARE(b.minTimestamp(), a.minTimestamp());
    QCOMPARE(b.maxTimestamp(), a.maxTimestamp());

    int compared = 0, replaced = 0;
    for (int32_t i = 0; i < a.numItems(); ++i) {
        const std::string& ta = a.itemMetadata().titles[size_t(i)];
        const std::string& tb = b.itemMetadata().titles[size_t(i)];
        if (!latin1 || fitsLatin1(ta)) {
            QCOMPARE(tb, ta);
            ++compared;
        } else {
            // Characters Latin-1 cannot hold were written as '?'.
            QVERIFY(tb.find('?') != std::string::npos);
            QCOMPARE(tb.substr(tb.size() - 7), ta.substr(ta.size() - 7));
            ++replaced;
        }
        QCOMPARE(b.itemMetadata().years[size_t(i)], a.itemMetadata().years[size_t(i)]);
        QCOMPARE(genreSet(b, i), genreSet(a, i));
    }
    QVERIFY(compared > a.numItems() / 2);
    if (latin1)
        QVERIFY2(replaced > 0, "the data should exercise the '?' replacement");
}

void writeOk(const Dataset& d, DatasetFormat f, const std::string& dir) {
    const Status s = writeMovieLens(d, f, dir);
    if (!s)
        qFatal("write: %s", s.error().toString().c_str());
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

class TestRoundTrip : public QObject {
    Q_OBJECT

private slots:
    void ml100k() {
        QTemporaryDir tmp;
        const Dataset a = generated(false, true);
        const std::string dir = tmp.filePath("ml-synth").toStdString();
        writeOk(a, DatasetFormat::Ml100k, dir);
        const Dataset b = loadOk(dir);
        QCOMPARE(b.format(), DatasetFormat::Ml100k);
        compareDatasets(a, b, true);
        const UserMetadata& ua = a.userMetadata();
        const UserMetadata& ub = b.userMetadata();
        QVERIFY(ub.present);
        QVERIFY(ub.ages == ua.ages);
        QVERIFY(ub.genders == ua.genders);
        QVERIFY(ub.occupations == ua.occupations);
        QVERIFY(ub.zipCodes == ua.zipCodes);
        // Layout details of the release: u.genre as shipped, 24 fields per u.item line.
        const std::string genre = readFile(dir + "/u.genre");
        QVERIFY(genre.rfind("unknown|0\nAction|1\nAdventure|2\n", 0) == 0);
        QVERIFY(genre.find("Children's|4\n") != std::string::npos);
        QVERIFY(genre.size() > 2 && genre.substr(genre.size() - 12) == "Western|18\n\n");
        const std::string item = readFile(dir + "/u.item");
        const std::string first = item.substr(0, item.find('\n'));
        QCOMPARE(int(std::count(first.begin(), first.end(), '|')), 23);
        QVERIFY(first.find("|01-Jan-") != std::string::npos);
        QVERIFY(first.find("||http://us.imdb.com/M/title-exact?") != std::string::npos);
    }

    void ml100kRejectsHalfStars() {
        QTemporaryDir tmp;
        const Status s = writeMovieLens(generated(true, false), DatasetFormat::Ml100k,
                                        tmp.filePath("x").toStdString());
        QVERIFY(!s.ok());
        QVERIFY(s.error().message.find("half stars") != std::string::npos);
    }

    void ml1m() {
        QTemporaryDir tmp;
        const Dataset a = generated(false, true);
        const std::string dir = tmp.filePath("ml-1m").toStdString();
        writeOk(a, DatasetFormat::Ml1m, dir);
        const Dataset b = loadOk(dir);
        QCOMPARE(b.format(), DatasetFormat::Ml1m);
        compareDatasets(a, b, true);
        // 1M stores age buckets and occupation codes; gender and zip survive as they are.
        QVERIFY(b.userMetadata().present);
        QVERIFY(b.userMetadata().genders == a.userMetadata().genders);
        QVERIFY(b.userMetadata().zipCodes == a.userMetadata().zipCodes);
        const std::set<int> buckets = {1, 18, 25, 35, 45, 50, 56};
        for (int16_t age : b.userMetadata().ages)
            QVERIFY(buckets.count(age) == 1);
        const std::string users = readFile(dir + "/users.dat");
        const std::string line = users.substr(0, users.find('\n'));
        QCOMPARE(int(std::count(line.begin(), line.end(), ':')), 8);
        QVERIFY(readFile(dir + "/movies.dat").find("Children's") != std::string::npos);
    }

    void ml10m() {
        QTemporaryDir tmp;
        const Dataset a = generated(true, false);
        const std::string dir = tmp.filePath("ml-10m").toStdString();
        writeOk(a, DatasetFormat::Ml10m, dir);
        const Dataset b = loadOk(dir);
        QCOMPARE(b.format(), DatasetFormat::Ml10m);
        QCOMPARE(b.ratingScale().step, 0.5f);
        compareDatasets(a, b, true);
        QVERIFY(!QFileInfo::exists(QString::fromStdString(dir + "/users.dat")));
        const std::string ratings = readFile(dir + "/ratings.dat");
        QVERIFY(ratings.find(".5::") != std::string::npos);  // half stars as "3.5"
        QVERIFY(ratings.find(".0::") == std::string::npos);  // whole stars bare, as in 10M
        QVERIFY(readFile(dir + "/movies.dat").find("|Children|") != std::string::npos ||
                readFile(dir + "/movies.dat").find("::Children") != std::string::npos);
    }

    void csv() {
        QTemporaryDir tmp;
        const Dataset a = generated(true, false);
        const std::string dir = tmp.filePath("ml-latest-synth").toStdString();
        writeOk(a, DatasetFormat::MlCsv, dir);
        const Dataset b = loadOk(dir);
        QCOMPARE(b.format(), DatasetFormat::MlCsv);
        compareDatasets(a, b, false);  // UTF-8: every title exactly
        const std::string ratings = readFile(dir + "/ratings.csv");
        QVERIFY(ratings.rfind("userId,movieId,rating,timestamp\n", 0) == 0);
        QVERIFY(ratings.find(",4.0,") != std::string::npos);
        QVERIFY(ratings.find(",3.5,") != std::string::npos);
        const std::string movies = readFile(dir + "/movies.csv");
        QVERIFY(movies.rfind("movieId,title,genres\n", 0) == 0);
        QVERIFY(movies.find(", The (") != std::string::npos);
        QVERIFY(movies.find("\"\"") != std::string::npos);      // embedded quotes doubled
        QVERIFY(movies.find("\xC3\xA9") != std::string::npos);  // é in UTF-8
    }

    // A zip with the release in one folder, as the official downloads are.
    void zipOfWrittenFolder() {
        QTemporaryDir tmp;
        const Dataset a = generated(false, true);
        const std::string dir = tmp.filePath("ml-synth").toStdString();
        writeOk(a, DatasetFormat::Ml100k, dir);
        const std::string zipPath = tmp.filePath("ml-synth.zip").toStdString();
        int err = 0;
        zip_t* z = zip_open(zipPath.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
        QVERIFY(z);
        QVERIFY(zip_dir_add(z, "ml-synth", ZIP_FL_ENC_UTF_8) >= 0);
        for (const char* f : {"u.data", "u.item", "u.user", "u.genre", "u.info", "u.occupation"}) {
            zip_source_t* src = zip_source_file(z, (dir + "/" + f).c_str(), 0, -1);
            QVERIFY(src);
            QVERIFY(zip_file_add(z, (std::string("ml-synth/") + f).c_str(), src,
                                 ZIP_FL_ENC_UTF_8) >= 0);
        }
        QCOMPARE(zip_close(z), 0);
        const Dataset b = loadOk(zipPath);
        QCOMPARE(b.format(), DatasetFormat::Ml100k);
        compareDatasets(a, b, true);
    }

    void writeErrors() {
        QTemporaryDir tmp;
        const Dataset a = generated(false, false);
        // A file where the folder should be.
        const std::string blocker = tmp.filePath("file").toStdString();
        std::ofstream(blocker) << "x";
        const Status s = writeMovieLens(a, DatasetFormat::MlCsv, blocker + "/sub");
        QVERIFY(!s.ok());
        QVERIFY(!s.error().file.empty());
        QVERIFY(!writeMovieLens(a, DatasetFormat::Synthetic, tmp.filePath("y").toStdString()).ok());
    }
};

QTEST_GUILESS_MAIN(TestRoundTrip)
#include "tst_roundtrip.moc"
