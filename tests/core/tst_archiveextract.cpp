// extractArchive: a release laid out as GroupLens ships it unpacks to the same bytes with its
// top folder dropped; unsafe names, damaged entries, an existing destination and a cancel are
// refused and leave nothing behind; a process killed while unpacking leaves all or nothing.
#include <zip.h>
#include <QtTest>

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/data/ArchiveExtractor.h"
#include "support/KillChild.h"

using namespace recscope;
namespace fs = std::filesystem;

namespace {

using Files = std::map<std::string, std::string>;  // entry name -> content

// Writes a zip holding `files` (entries stored uncompressed when `store` is set, so that a
// test can damage their bytes in place).
bool writeZip(const std::string& path, const Files& files, bool store = false) {
    int err = 0;
    zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
    if (!z)
        return false;
    for (const auto& [name, content] : files) {
        zip_source_t* src = zip_source_buffer(z, content.data(), content.size(), 0);
        const zip_int64_t index = zip_file_add(z, name.c_str(), src, ZIP_FL_ENC_UTF_8);
        if (index < 0) {
            zip_source_free(src);
            zip_discard(z);
            return false;
        }
        if (store)
            zip_set_file_compression(z, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0);
    }
    return zip_close(z) == 0;
}

std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::vector<std::string> listing(const fs::path& dir) {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(dir, ec))
        names.push_back(fs::relative(e.path(), dir).string());
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace

class TestArchiveExtract : public QObject {
    Q_OBJECT

private slots:
    void init();
    void unpacksOfficialLayout();
    void keepsFlatLayoutAndMixedFolders();
    void refusesUnsafeNames_data();
    void refusesUnsafeNames();
    void refusesExistingDestination();
    void damagedEntryLeavesNothing();
    void notAZip();
    void cancelLeavesNothing();
    void reportsProgress();
    void killedUnpackLeavesAllOrNothing();

private:
    std::string path(const std::string& name) const {
        return m_tmp->filePath(QString::fromStdString(name)).toStdString();
    }
    std::unique_ptr<QTemporaryDir> m_tmp;
};

void TestArchiveExtract::init() {
    m_tmp = std::make_unique<QTemporaryDir>();
    QVERIFY(m_tmp->isValid());
}

void TestArchiveExtract::unpacksOfficialLayout() {
    const std::string big(300000, 'r');
    const Files files{{"ml-x/ratings.csv", "userId,movieId\n1,2\n" + big},
                      {"ml-x/movies.csv", "movieId,title\n2,A (1999)\n"}};
    QVERIFY(writeZip(path("ml-x.zip"), files));
    const Status status = extractArchive(path("ml-x.zip"), path("out"));
    QVERIFY2(status.ok(), status.ok() ? "" : status.error().toString().c_str());
    QCOMPARE(listing(path("out")), (std::vector<std::string>{"movies.csv", "ratings.csv"}));
    QCOMPARE(readFile(path("out") + "/ratings.csv"), files.at("ml-x/ratings.csv"));
    QCOMPARE(readFile(path("out") + "/movies.csv"), files.at("ml-x/movies.csv"));
    QVERIFY(!fs::exists(path("out.partial")));
}

void TestArchiveExtract::keepsFlatLayoutAndMixedFolders() {
    // No shared top folder: names are kept as they are.
    const Files files{{"u.data", "1\t2\t3\t4\n"}, {"extra/readme.txt", "hi"}};
    QVERIFY(writeZip(path("flat.zip"), files));
    QVERIFY(extractArchive(path("flat.zip"), path("flat")).ok());
    QCOMPARE(listing(path("flat")),
             (std::vector<std::string>{"extra", "extra/readme.txt", "u.data"}));
    QCOMPARE(readFile(path("flat") + "/extra/readme.txt"), std::string("hi"));
}

void TestArchiveExtract::refusesUnsafeNames_data() {
    QTest::addColumn<QString>("name");
    QTest::newRow("parent") << "../evil.csv";
    QTest::newRow("parent inside") << "ml/../../evil.csv";
    QTest::newRow("absolute") << "/tmp/evil.csv";
    QTest::newRow("backslash") << "ml\\evil.csv";
    QTest::newRow("too deep") << "a/b/c.csv";
    QTest::newRow("dot folder") << "./x.csv";
}

void TestArchiveExtract::refusesUnsafeNames() {
    QFETCH(QString, name);
    const Files files{{"ok.csv", "1"}, {name.toStdString(), "evil"}};
    QVERIFY(writeZip(path("bad.zip"), files));
    const Status status = extractArchive(path("bad.zip"), path("out"));
    QVERIFY(!status.ok());
    const std::string text = status.error().toString();
    QVERIFY2(text.find("refusing the entry") != std::string::npos, text.c_str());
    QVERIFY2(text.find("bad.zip") != std::string::npos, text.c_str());
    QVERIFY(!fs::exists(path("out")));
    QVERIFY(!fs::exists(path("out.partial")));
    QVERIFY(!fs::exists(path("evil.csv")));
}

void TestArchiveExtract::refusesExistingDestination() {
    QVERIFY(writeZip(path("a.zip"), {{"x.csv", "1"}}));
    fs::create_directories(path("out"));
    std::ofstream(path("out") + "/keep.txt") << "mine";
    const Status status = extractArchive(path("a.zip"), path("out"));
    QVERIFY(!status.ok());
    QVERIFY2(status.error().toString().find("already exists") != std::string::npos,
             status.error().toString().c_str());
    QCOMPARE(readFile(path("out") + "/keep.txt"), std::string("mine"));  // untouched
}

void TestArchiveExtract::damagedEntryLeavesNothing() {
    // A stored entry whose bytes are changed after writing: the CRC check must catch it.
    const std::string content(5000, 'a');
    QVERIFY(writeZip(path("d.zip"), {{"ml/ratings.csv", content}, {"ml/movies.csv", "m"}}, true));
    std::string bytes = readFile(path("d.zip"));
    const size_t at = bytes.find(std::string(100, 'a'));
    QVERIFY(at != std::string::npos);
    bytes[at + 50] = 'b';
    std::ofstream(path("d.zip"), std::ios::binary | std::ios::trunc) << bytes;

    const Status status = extractArchive(path("d.zip"), path("out"));
    QVERIFY(!status.ok());
    const std::string text = status.error().toString();
    QVERIFY2(text.find("d.zip") != std::string::npos, text.c_str());
    QVERIFY(!fs::exists(path("out")));
    QVERIFY(!fs::exists(path("out.partial")));
}

void TestArchiveExtract::notAZip() {
    std::ofstream(path("page.zip")) << "<html>captive portal</html>";
    const Status status = extractArchive(path("page.zip"), path("out"));
    QVERIFY(!status.ok());
    QVERIFY2(status.error().toString().find("zip") != std::string::npos,
             status.error().toString().c_str());
    QVERIFY(!fs::exists(path("out")) && !fs::exists(path("out.partial")));
}

void TestArchiveExtract::cancelLeavesNothing() {
    QVERIFY(writeZip(path("c.zip"), {{"ml/ratings.csv", std::string(10000, 'x')}}));
    CancelToken token;
    token.cancel();
    const Status status = extractArchive(path("c.zip"), path("out"), {}, &token);
    QVERIFY(!status.ok());
    QCOMPARE(status.error().message, std::string("cancelled"));
    QVERIFY(!fs::exists(path("out")) && !fs::exists(path("out.partial")));
}

void TestArchiveExtract::reportsProgress() {
    const std::string a(3u << 20, 'a');  // three read chunks
    const std::string b(1u << 20, 'b');
    QVERIFY(writeZip(path("p.zip"), {{"ml/a.csv", a}, {"ml/b.csv", b}}));
    std::vector<double> fractions;
    const Status status = extractArchive(path("p.zip"), path("out"), [&](const Progress& p) {
        QCOMPARE(p.stage, std::string("Unpacking"));
        fractions.push_back(p.fraction);
    });
    QVERIFY(status.ok());
    QVERIFY(fractions.size() >= 4);
    QVERIFY(std::is_sorted(fractions.begin(), fractions.end()));
    QCOMPARE(fractions.back(), 1.0);
    QCOMPARE(readFile(path("out") + "/a.csv").size(), a.size());
}

// The process killed at any moment of an unpack (the download's last step) leaves the release
// folder whole or absent, never partly written; the next unpack then succeeds. Twelve kills
// spread over the time a whole unpack takes (at least one lands inside it), one after it.
void TestArchiveExtract::killedUnpackLeavesAllOrNothing() {
    std::string ratings = "userId,movieId,rating,timestamp\n";
    uint64_t x = 12345;
    while (ratings.size() < (24u << 20)) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        ratings += std::to_string(1 + (x >> 33) % 5000) + "," + std::to_string((x >> 20) % 9000) +
                   "," + std::to_string(1 + (x >> 50) % 5) + "," +
                   std::to_string(900000000 + (x >> 30) % 100000000) + "\n";
    }
    const Files files{{"ml-big/ratings.csv", ratings},
                      {"ml-big/movies.csv", "movieId,title,genres\n1,A (1999),Drama\n"},
                      {"ml-big/tags.csv", ratings.substr(0, 4u << 20)}};
    QVERIFY(writeZip(path("big.zip"), files));
    QElapsedTimer timer;
    timer.start();
    QVERIFY(extractArchive(path("big.zip"), path("timing")).ok());
    const qint64 whole = std::max<qint64>(timer.nsecsElapsed() / 1000, 2000);  // µs
    const std::vector<std::string> names = listing(path("timing"));

    int midway = 0, complete = 0;
    for (int step = 0; step <= 12; ++step) {
        const std::string dest = path("out" + std::to_string(step));
        const bool killed = test::runAndKill(
            [&] { (void)extractArchive(path("big.zip"), dest); },
            std::chrono::microseconds(step == 12 ? whole * 20 : whole * step / 10));
        if (fs::exists(dest)) {
            ++complete;
            QCOMPARE(listing(dest), names);
            for (const auto& [name, content] : files)
                QCOMPARE(fs::file_size(dest + "/" + name.substr(name.find('/') + 1)),
                         uintmax_t(content.size()));
            QVERIFY(!fs::exists(dest + ".partial"));
        } else {
            midway += killed && fs::exists(dest + ".partial") ? 1 : 0;
            // The next unpack clears what the killed one left and succeeds.
            const Status again = extractArchive(path("big.zip"), dest);
            QVERIFY2(again.ok(), again.ok() ? "" : again.error().toString().c_str());
            QCOMPARE(listing(dest), names);
            QVERIFY(!fs::exists(dest + ".partial"));
        }
        fs::remove_all(dest);
    }
    QVERIFY2(midway >= 1, "no kill landed inside the unpack: the test proved nothing");
    QVERIFY(complete >= 1);
}

QTEST_GUILESS_MAIN(TestArchiveExtract)
#include "tst_archiveextract.moc"
