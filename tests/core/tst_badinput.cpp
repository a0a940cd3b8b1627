// Bad input never crashes: every case is a small release written into a temporary folder (or a
// zip built by hand), and the load must fail with an Error naming the file, the 1-based line and
// what was wrong.

#include <QtTest>

#include <functional>

#include "core/data/DatasetLoader.h"

using namespace recscope;

namespace {

// Every byte of a string literal that may hold NULs, without its terminator (counting by hand
// read one byte past a literal once, which AddressSanitizer caught).
template <size_t N>
QByteArray literal(const char (&bytes)[N]) {
    return QByteArray(bytes, qsizetype(N - 1));
}

struct File {
    const char* name;
    QByteArray content;
};

struct Case {
    const char* tag;
    std::vector<File> files;
    const char* errorFile;  // relative to the folder; "" = the folder itself
    int64_t line;
    const char* word;  // must appear in the message
};

const QByteArray kHeader = "userId,movieId,rating,timestamp\n";
const QByteArray kMovies = "movieId,title,genres\n1,Toy Story (1995),Comedy\n";

std::vector<Case> cases() {
    return {
        {"csv wrong delimiter",
         {{"ratings.csv", kHeader + "1,2,3.5,100\n1;3;4.0;101\n"}},
         "ratings.csv",
         3,
         "delimiter"},
        {"csv tab delimiter",
         {{"ratings.csv", kHeader + "1\t3\t4.0\t101\n"}},
         "ratings.csv",
         2,
         "delimiter"},
        {"csv missing column",
         {{"ratings.csv", kHeader + "1,2,3.5,100\n1,2,3.5\n"}},
         "ratings.csv",
         3,
         "missing column"},
        {"csv extra column",
         {{"ratings.csv", kHeader + "1,2,3.5,100,7\n"}},
         "ratings.csv",
         2,
         "extra column"},
        {"csv non-numeric user",
         {{"ratings.csv", kHeader + "1,2,3,9\nabc,2,3.5,100\n"}},
         "ratings.csv",
         3,
         "non-numeric userId"},
        {"csv non-numeric timestamp",
         {{"ratings.csv", kHeader + "1,2,3.5,yesterday\n"}},
         "ratings.csv",
         2,
         "timestamp"},
        {"csv negative id",
         {{"ratings.csv", kHeader + "1,2,3.5,100\n-4,2,3.5,100\n"}},
         "ratings.csv",
         3,
         "negative userId"},
        {"csv id out of range",
         {{"ratings.csv", kHeader + "1,99999999999,3.5,1\n"}},
         "ratings.csv",
         2,
         "out of range"},
        {"csv rating above scale",
         {{"ratings.csv", kHeader + "1,2,5.5,100\n"}},
         "ratings.csv",
         2,
         "rating"},
        {"csv rating off step",
         {{"ratings.csv", kHeader + "1,2,4.0,1\n1,2,3.25,100\n"}},
         "ratings.csv",
         3,
         "0.5..5"},
        {"csv rating zero",
         {{"ratings.csv", kHeader + "1,2,0,100\n"}},
         "ratings.csv",
         2,
         "out of range"},
        {"csv empty file", {{"ratings.csv", ""}}, "ratings.csv", 0, "empty"},
        {"csv header only", {{"ratings.csv", kHeader}}, "ratings.csv", 2, "no ratings"},
        {"csv header missing", {{"ratings.csv", "1,2,3.5,100\n"}}, "ratings.csv", 1, "header"},
        {"csv header wrong",
         {{"ratings.csv", "user,item,rating,time\n1,2,3.5,100\n"}},
         "ratings.csv",
         1,
         "userId,movieId,rating,timestamp"},
        {"csv crlf error line",
         {{"ratings.csv",
           "userId,movieId,rating,timestamp\r\n1,2,3.5,1\r\n"
           "1,3,4.5,2\r\n1,4,x,3\r\n"}},
         "ratings.csv",
         4,
         "rating"},
        {"csv last line unterminated",
         {{"ratings.csv", kHeader + "1,2,3.5,100\n2,2,3.5"}},
         "ratings.csv",
         3,
         "missing column"},
        {"movies unterminated quote",
         {{"ratings.csv", kHeader + "1,1,3.5,100\n"},
          {"movies.csv",
           "movieId,title,genres\n1,Toy Story (1995),Comedy\n2,\"Broken, The "
           "(1999),Drama\n"}},
         "movies.csv",
         3,
         "quote"},
        {"movies unquoted comma",
         {{"ratings.csv", kHeader + "1,1,3.5,100\n"},
          {"movies.csv", kMovies + "5,Father of the Bride Part II, The (1995),Comedy\n"}},
         "movies.csv",
         3,
         "extra column"},
        {"movies header wrong",
         {{"ratings.csv", kHeader + "1,1,3.5,100\n"}, {"movies.csv", "id,name\n1,x\n"}},
         "movies.csv",
         1,
         "movieId,title,genres"},
        {"100k half star",
         {{"u.data", "1\t2\t3\t100\n1\t3\t3.5\t101\n"}},
         "u.data",
         2,
         "1..5 in steps of 1"},
        {"100k comma delimiter",
         {{"u.data", "1\t2\t3\t100\n1,3,3,101\n"}},
         "u.data",
         2,
         "delimiter"},
        {"100k u.item field count",
         {{"u.data", "1\t1\t3\t100\n"}, {"u.item", "1|Toy Story (1995)|01-Jan-1995||url|0|1\n"}},
         "u.item",
         1,
         "24 fields"},
        {"100k u.user gender",
         {{"u.data", "1\t1\t3\t100\n"}, {"u.user", "1|24|M|technician|85711\n2|30|X|writer|1\n"}},
         "u.user",
         2,
         "gender"},
        {"1m missing column",
         {{"ratings.dat", "1::2::3::100\n1::2::3\n"}, {"users.dat", ""}},
         "ratings.dat",
         2,
         "missing column"},
        {"1m half star",
         {{"ratings.dat", "1::2::3::100\n1::2::3.5::100\n"}, {"users.dat", "1::F::1::10::48067\n"}},
         "ratings.dat",
         2,
         "rating"},
        {"10m half star ok, bad movie line",
         {{"ratings.dat", "1::2::3.5::100\n"}, {"movies.dat", "2::Heat (1995)::Action\n3::x\n"}},
         "movies.dat",
         2,
         "missing column"},
        {"1m users occupation",
         {{"ratings.dat", "1::2::3::100\n"}, {"users.dat", "1::F::1::99::48067\n"}},
         "users.dat",
         1,
         "Occupation"},
        {"csv whitespace only", {{"ratings.csv", "   \n\t\n  \n"}}, "ratings.csv", 1, "header"},
        {"csv binary junk",
         {{"ratings.csv", literal("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\xfe")}},
         "ratings.csv",
         1,
         "header"},
        {"csv NUL inside a field",
         {{"ratings.csv", kHeader + literal("1,1,4,100\n1,2\0,4,100\n")}},
         "ratings.csv",
         3,
         "movieId"},
        {"csv semicolon after commas",
         {{"ratings.csv", kHeader + "1,1,4,100\n2,1,4,100\n3;1;4;100\n"}},
         "ratings.csv",
         4,
         "delimiter"},
        {"csv negative rating",
         {{"ratings.csv", kHeader + "1,2,-1,100\n"}},
         "ratings.csv",
         2,
         "rating"},
        {"csv negative timestamp",
         {{"ratings.csv", kHeader + "1,1,4,-100\n"}},
         "ratings.csv",
         2,
         "timestamp"},
        {"csv huge user id",
         {{"ratings.csv", kHeader + "1,1,4,100\n99999999999999999999999,2,4,100\n"}},
         "ratings.csv",
         3,
         "range"},
        {"movies non-numeric id",
         {{"ratings.csv", kHeader + "1,1,4,100\n"},
          {"movies.csv", "movieId,title,genres\nx1,T,Comedy\n"}},
         "movies.csv",
         2,
         "movieId"},
        {"movies binary junk",
         {{"ratings.csv", kHeader + "1,1,4,100\n"},
          {"movies.csv", literal("\x89PNG\r\n\x1a\n\0\0")}},
         "movies.csv",
         1,
         "header"},
        {"100k empty u.data", {{"u.data", ""}}, "u.data", 0, "empty"},
        {"100k whitespace u.data", {{"u.data", " \n \n"}}, "u.data", 1, "no ratings"},
        {"100k u.item non-numeric id",
         {{"u.data", "1\t1\t4\t100\n"},
          {"u.item", "abc|T (1995)|01-Jan-1995||u|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|1\n"}},
         "u.item",
         1,
         "movie id"},
        {"1m empty ratings.dat",
         {{"ratings.dat", ""}, {"users.dat", ""}},
         "ratings.dat",
         0,
         "empty"},
        {"dat binary junk",
         {{"ratings.dat", literal("\x89PNG\r\n\x1a\n\0\0\0")}},
         "ratings.dat",
         1,
         "column"},
        {"missing ratings file", {{"movies.csv", kMovies}}, "", 0, "missing ratings"},
        {"nothing recognised", {{"notes.txt", "hello\n"}}, "", 0, "looked for"},
        {"two releases",
         {{"u.data", "1\t2\t3\t100\n"}, {"ratings.csv", kHeader + "1,2,3,4\n"}},
         "",
         0,
         "more than one"},
    };
}

quint32 crc32(const QByteArray& data) {
    quint32 crc = 0xFFFFFFFFu;
    for (char ch : data) {
        crc ^= static_cast<quint8>(ch);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

void put16(QByteArray& b, quint16 v) {
    b.append(char(v & 0xFF));
    b.append(char(v >> 8));
}
void put32(QByteArray& b, quint32 v) {
    put16(b, quint16(v & 0xFFFF));
    put16(b, quint16(v >> 16));
}

// A minimal zip with stored (uncompressed) entries; no zip writer in QtCore.
QByteArray storedZip(const std::vector<File>& files) {
    QByteArray out, central;
    for (const File& f : files) {
        const quint32 offset = quint32(out.size());
        const quint32 crc = crc32(f.content);
        const QByteArray name(f.name);
        auto header = [&](QByteArray& b, bool isCentral) {
            put32(b, isCentral ? 0x02014b50 : 0x04034b50);
            if (isCentral)
                put16(b, 20);  // version made by
            put16(b, 20);      // version needed
            put16(b, 0);       // flags
            put16(b, 0);       // stored
            put16(b, 0);       // time
            put16(b, 0x21);    // date
            put32(b, crc);
            put32(b, quint32(f.content.size()));
            put32(b, quint32(f.content.size()));
            put16(b, quint16(name.size()));
            put16(b, 0);  // extra
            if (isCentral) {
                put16(b, 0);  // comment
                put16(b, 0);  // disk
                put16(b, 0);  // internal attrs
                put32(b, 0);  // external attrs
                put32(b, offset);
            }
            b.append(name);
        };
        header(out, false);
        out.append(f.content);
        header(central, true);
    }
    const quint32 cdOffset = quint32(out.size());
    out.append(central);
    put32(out, 0x06054b50);
    put16(out, 0);
    put16(out, 0);
    put16(out, quint16(files.size()));
    put16(out, quint16(files.size()));
    put32(out, quint32(central.size()));
    put32(out, cdOffset);
    put16(out, 0);
    return out;
}

void put64(QByteArray& b, quint64 v) {
    put32(b, quint32(v & 0xFFFFFFFFu));
    put32(b, quint32(v >> 32));
}

// One entry whose headers declare `declared` uncompressed bytes (zip64 sizes) while the archive
// holds only `content`, compressed with `method` (0 stored, 8 deflate; content is taken as is).
QByteArray lyingZip(const QByteArray& name, const QByteArray& content, quint64 declared,
                    quint16 method) {
    QByteArray out, central;
    const quint32 crc = crc32(content);
    auto header = [&](QByteArray& b, bool isCentral) {
        put32(b, isCentral ? 0x02014b50 : 0x04034b50);
        if (isCentral)
            put16(b, 45);
        put16(b, 45);
        put16(b, 0);
        put16(b, method);
        put16(b, 0);
        put16(b, 0x21);
        put32(b, crc);
        put32(b, 0xFFFFFFFFu);  // sizes in the zip64 extra field
        put32(b, 0xFFFFFFFFu);
        put16(b, quint16(name.size()));
        put16(b, 20);
        if (isCentral) {
            put16(b, 0);
            put16(b, 0);
            put16(b, 0);
            put32(b, 0);
            put32(b, 0);  // local header at offset 0
        }
        b.append(name);
        put16(b, 0x0001);
        put16(b, 16);
        put64(b, declared);
        put64(b, quint64(content.size()));
    };
    header(out, false);
    out.append(content);
    header(central, true);
    const quint32 cdOffset = quint32(out.size());
    out.append(central);
    put32(out, 0x06054b50);
    put16(out, 0);
    put16(out, 0);
    put16(out, 1);
    put16(out, 1);
    put32(out, quint32(central.size()));
    put32(out, cdOffset);
    put16(out, 0);
    return out;
}

bool isUtf8(const std::string& text) {
    QStringDecoder decoder(QStringDecoder::Utf8);
    const QString decoded = decoder.decode(QByteArrayView(text.data(), qsizetype(text.size())));
    Q_UNUSED(decoded);
    return !decoder.hasError();
}

bool writeFile(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

LoadOptions noCache() {
    LoadOptions o;
    o.useCache = false;
    return o;
}

}  // namespace

class TestBadInput : public QObject {
    Q_OBJECT

private slots:
    void folderCases_data();
    void folderCases();
    void errorInZipEntryNamesArchiveAndEntry();
    void truncatedZip();
    void corruptZipEntry();
    void notAZip();
    void exactLineInSecondChunk();
    void earliestErrorWins();
    void detectFormatErrors();
    void cancelDuringParse();
    void zipBombDeclaredSize();
    void zipBombRatio();
    void storedSizeMismatch();
    void acceptedOddities();
    void cliReportsAndExitsNonZero();
};

void TestBadInput::folderCases_data() {
    QTest::addColumn<int>("index");
    const auto all = cases();
    for (size_t i = 0; i < all.size(); ++i)
        QTest::newRow(all[i].tag) << int(i);
}

void TestBadInput::folderCases() {
    QFETCH(int, index);
    const Case c = cases()[size_t(index)];
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (const File& f : c.files)
        QVERIFY(writeFile(dir.filePath(f.name), f.content));
    auto r = loadDataset(dir.path().toStdString(), noCache());
    QVERIFY2(!r.ok(), "load should fail");
    const Error& e = r.error();
    const QString expectedFile = QString(c.errorFile).isEmpty()
                                     ? QDir(dir.path()).canonicalPath()
                                     : QDir(dir.path()).canonicalPath() + "/" + c.errorFile;
    QCOMPARE(QString::fromStdString(e.file), expectedFile);
    QCOMPARE(e.line, c.line);
    QVERIFY2(QString::fromStdString(e.message).contains(c.word, Qt::CaseInsensitive),
             e.toString().c_str());
    // Junk bytes are escaped, so the message is always displayable text.
    QVERIFY2(isUtf8(e.toString()), e.toString().c_str());
}

void TestBadInput::errorInZipEntryNamesArchiveAndEntry() {
    QTemporaryDir dir;
    const QString zip = dir.filePath("ml-bad.zip");
    QVERIFY(writeFile(zip, storedZip({{"ml-bad/ratings.csv", kHeader + "1,2,3.5,10\n1,2,7,11\n"},
                                      {"ml-bad/movies.csv", kMovies}})));
    auto r = loadDataset(zip.toStdString(), noCache());
    QVERIFY(!r.ok());
    QCOMPARE(QString::fromStdString(r.error().file),
             QFileInfo(zip).canonicalFilePath() + ":ml-bad/ratings.csv");
    QCOMPARE(r.error().line, int64_t(3));
    QVERIFY(QString::fromStdString(r.error().message).contains("rating"));

    // The same archive with a valid file loads: the hand-made zip itself is fine.
    const QString good = dir.filePath("ml-good.zip");
    QVERIFY(writeFile(good, storedZip({{"ml-good/ratings.csv", kHeader + "1,2,3.5,10\n"}})));
    auto ok = loadDataset(good.toStdString(), noCache());
    QVERIFY2(ok.ok(), ok.ok() ? "" : ok.error().toString().c_str());
    QCOMPARE(ok->numRatings(), int64_t(1));
}

void TestBadInput::truncatedZip() {
    QFile real(QStringLiteral(RECSCOPE_SHARED_DATA) + "/ml-latest-small.zip");
    if (!real.open(QIODevice::ReadOnly))
        QSKIP("ml-latest-small.zip not available");
    const QByteArray bytes = real.readAll();
    QTemporaryDir dir;
    const QString zip = dir.filePath("cut.zip");
    QVERIFY(writeFile(zip, bytes.left(bytes.size() / 2)));
    auto r = loadDataset(zip.toStdString(), noCache());
    QVERIFY(!r.ok());
    QCOMPARE(QString::fromStdString(r.error().file), QFileInfo(zip).canonicalFilePath());
    QCOMPARE(r.error().line, int64_t(0));
    QVERIFY2(QString::fromStdString(r.error().message).contains("zip"),
             r.error().toString().c_str());
}

void TestBadInput::corruptZipEntry() {
    QTemporaryDir dir;
    QByteArray bytes = storedZip({{"ratings.csv", kHeader + "1,2,3.5,10\n1,3,4.5,11\n"}});
    // Flip a byte of the stored ratings data: the CRC no longer matches.
    const int at = bytes.indexOf("3.5,10");
    QVERIFY(at > 0);
    bytes[at] = '4';
    const QString zip = dir.filePath("crc.zip");
    QVERIFY(writeFile(zip, bytes));
    auto r = loadDataset(zip.toStdString(), noCache());
    QVERIFY(!r.ok());
    QCOMPARE(QString::fromStdString(r.error().file),
             QFileInfo(zip).canonicalFilePath() + ":ratings.csv");
    QVERIFY2(QString::fromStdString(r.error().message).contains("corrupt"),
             r.error().toString().c_str());
}

void TestBadInput::notAZip() {
    QTemporaryDir dir;
    const QString zip = dir.filePath("text.zip");
    QVERIFY(writeFile(zip, "userId,movieId,rating,timestamp\n"));
    auto r = loadDataset(zip.toStdString(), noCache());
    QVERIFY(!r.ok());
    QCOMPARE(QString::fromStdString(r.error().file), QFileInfo(zip).canonicalFilePath());
    QVERIFY(QString::fromStdString(r.error().message).contains("zip"));
    auto missing = loadDataset(dir.filePath("absent").toStdString(), noCache());
    QVERIFY(!missing.ok());
    QVERIFY(QString::fromStdString(missing.error().message).contains("no such"));
}

namespace {
// Large enough (> 1 MB) for the parser to split it between threads.
QByteArray bigRatings(int rows, const std::function<QByteArray(int)>& override) {
    QByteArray out = kHeader;
    out.reserve(rows * 24);
    for (int i = 0; i < rows; ++i) {
        const QByteArray o = override(i);
        if (!o.isEmpty())
            out += o;
        else
            out += QByteArray::number(1 + i % 700) + "," + QByteArray::number(1 + i % 3000) +
                   ",4.5," + QByteArray::number(1000000000 + i) + "\n";
    }
    return out;
}
}  // namespace

void TestBadInput::exactLineInSecondChunk() {
    QTemporaryDir dir;
    // Row i sits on line i + 2 (header is line 1).
    QVERIFY(writeFile(dir.filePath("ratings.csv"), bigRatings(200000, [](int i) {
                          return i == 180000 ? QByteArray("5,6,4.5\n") : QByteArray();
                      })));
    LoadOptions o = noCache();
    o.threads = 2;
    auto r = loadDataset(dir.path().toStdString(), o);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().line, int64_t(180002));
    QVERIFY(QString::fromStdString(r.error().message).contains("missing column"));
}

void TestBadInput::earliestErrorWins() {
    QTemporaryDir dir;
    QVERIFY(writeFile(dir.filePath("ratings.csv"), bigRatings(200000, [](int i) {
                          if (i == 150000)
                              return QByteArray("5,6,9.0,1\n");
                          if (i == 70000)
                              return QByteArray("5,x,4.0,1\n");
                          return QByteArray();
                      })));
    for (int threads : {1, 2, 3}) {
        LoadOptions o = noCache();
        o.threads = threads;
        auto r = loadDataset(dir.path().toStdString(), o);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().line, int64_t(70002));
        QVERIFY(QString::fromStdString(r.error().message).contains("movieId"));
    }
}

void TestBadInput::detectFormatErrors() {
    QTemporaryDir dir;
    QVERIFY(writeFile(dir.filePath("u.item"), "1|x|||url|0\n"));
    auto r = detectFormat(dir.path().toStdString());
    QVERIFY(!r.ok());
    QVERIFY2(QString::fromStdString(r.error().message).contains("u.data"),
             r.error().toString().c_str());
    // 10M vs 1M: told apart by users.dat.
    QTemporaryDir ten;
    QVERIFY(writeFile(ten.filePath("ratings.dat"), "1::2::3.5::100\n"));
    QCOMPARE(detectFormat(ten.path().toStdString()).value(), DatasetFormat::Ml10m);
    QVERIFY(writeFile(ten.filePath("users.dat"), "1::F::1::10::48067\n"));
    QCOMPARE(detectFormat(ten.path().toStdString()).value(), DatasetFormat::Ml1m);
}

void TestBadInput::cancelDuringParse() {
    QTemporaryDir dir;
    QVERIFY(writeFile(dir.filePath("ratings.csv"),
                      bigRatings(400000, [](int) { return QByteArray(); })));
    CancelToken token;
    int parsingReports = 0;
    LoadOptions o = noCache();
    o.threads = 1;  // 4 MB blocks: the first report comes before the end of the ~9 MB file
    auto r = loadDataset(
        dir.path().toStdString(), o,
        [&](const Progress& p) {
            if (p.stage.rfind("Parsing", 0) == 0 && ++parsingReports == 1)
                token.cancel();
        },
        &token);
    QVERIFY(!r.ok());
    QCOMPARE(QString::fromStdString(r.error().message), QStringLiteral("cancelled"));
    QCOMPARE(parsingReports, 1);
}

namespace {
Error loadZipError(const QByteArray& bytes, QString* zipPath, QTemporaryDir& dir) {
    *zipPath = dir.filePath("bomb.zip");
    if (!writeFile(*zipPath, bytes))
        return makeError("cannot write the test archive");
    auto r = loadDataset(zipPath->toStdString(), noCache());
    return r.ok() ? makeError("") : r.error();
}
}  // namespace

void TestBadInput::zipBombDeclaredSize() {
    QTemporaryDir dir;
    QString zip;
    const Error e = loadZipError(
        lyingZip("ratings.csv", kHeader + "1,1,4,100\n", quint64(8) << 30, 0), &zip, dir);
    QVERIFY2(QString::fromStdString(e.message).contains("too large"), e.toString().c_str());
    QCOMPARE(QString::fromStdString(e.file), QFileInfo(zip).canonicalFilePath() + ":ratings.csv");
}

void TestBadInput::zipBombRatio() {
    // 1 GiB declared from 40 bytes of "deflate" data: no real deflate stream compresses that
    // far, and the loader must refuse before allocating the gigabyte.
    QTemporaryDir dir;
    QString zip;
    const Error e = loadZipError(
        lyingZip("ratings.csv", QByteArray(40, '\x03'), quint64(1) << 30, 8), &zip, dir);
    QVERIFY2(QString::fromStdString(e.message).contains("zip bomb"), e.toString().c_str());
    QCOMPARE(QString::fromStdString(e.file), QFileInfo(zip).canonicalFilePath() + ":ratings.csv");
}

void TestBadInput::storedSizeMismatch() {
    QTemporaryDir dir;
    QString zip;
    const Error e = loadZipError(lyingZip("u.data", "1\t1\t4\t100\n", 1 << 20, 0), &zip, dir);
    QVERIFY2(QString::fromStdString(e.message).contains("corrupt"), e.toString().c_str());
    QCOMPARE(QString::fromStdString(e.file), QFileInfo(zip).canonicalFilePath() + ":u.data");
}

void TestBadInput::acceptedOddities() {
    // Not errors: a BOM with CRLF line ends, a Latin-1 title in a UTF-8 release and bytes that
    // are not UTF-8 at all are read, and every stored title is valid UTF-8.
    QTemporaryDir dir;
    QVERIFY(writeFile(dir.filePath("ratings.csv"),
                      "\xEF\xBB\xBFuserId,movieId,rating,timestamp\r\n1,1,4,100\r\n1,2,3,101\r\n"));
    QVERIFY(writeFile(
        dir.filePath("movies.csv"),
        "movieId,title,genres\r\n1,Caf\xE9 (1995),Comedy\r\n2,Bad \xFF\xFE (1996),Drama\r\n"));
    auto r = loadDataset(dir.path().toStdString(), noCache());
    QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
    QCOMPARE(r->numRatings(), int64_t(2));
    const auto& titles = r->itemMetadata().titles;
    QVERIFY(titles.size() >= 2);
    for (const std::string& t : titles)
        QVERIFY2(isUtf8(t), t.c_str());
    QVERIFY(std::find(titles.begin(), titles.end(), std::string("Caf\xC3\xA9 (1995)")) !=
            titles.end());
}

void TestBadInput::cliReportsAndExitsNonZero() {
    // The same errors reach a terminal user: non-zero exit, "file:line: message" on stderr.
    // Every fourth case with a line number: each launch loads LibTorch, and this spread still
    // reaches every reader.
#ifndef RECSCOPE_CLI
    QSKIP("built without LibTorch (RECSCOPE_TORCH=OFF): there is no recscope-cli");
#else
    const auto all = cases();
    int withLine = 0, checked = 0;
    for (const Case& c : all) {
        if (c.line == 0 || withLine++ % 4 != 0)
            continue;
        QTemporaryDir dir;
        for (const File& f : c.files)
            QVERIFY(writeFile(dir.filePath(f.name), f.content));
        QProcess cli;
        cli.start(QStringLiteral(RECSCOPE_CLI), {"info", dir.path(), "--no-cache"});
        QVERIFY(cli.waitForFinished(30000));
        QVERIFY2(cli.exitCode() != 0, c.tag);
        const QString err = QString::fromUtf8(cli.readAllStandardError());
        const QString where = QDir(dir.path()).canonicalPath() + "/" + c.errorFile + ":" +
                              QString::number(c.line) + ":";
        QVERIFY2(err.contains(where), qPrintable(QString(c.tag) + ": " + err));
        QVERIFY(cli.readAllStandardOutput().isEmpty());
        ++checked;
    }
    QVERIFY(checked >= 8);
#endif
}

QTEST_GUILESS_MAIN(TestBadInput)
#include "tst_badinput.moc"
