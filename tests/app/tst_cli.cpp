// recscope-cli driven as a process: info, split and generate against the real MovieLens files
// and independent counts, exit codes and messages for bad input, --help everywhere.

#include <QtTest>

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

const QString kData = QStringLiteral(RECSCOPE_SHARED_DATA);

}  // namespace

class TestCli : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_cache;

    Run cli(const QStringList& args) {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("RECSCOPE_CACHE_DIR", m_cache.path());
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(RECSCOPE_CLI), args);
        if (!p.waitForFinished(120000))
            qFatal("recscope-cli did not finish");
        return Run{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
                   p.readAllStandardOutput(), p.readAllStandardError()};
    }

    QJsonObject json(const Run& r) {
        QJsonParseError e;
        const QJsonDocument doc = QJsonDocument::fromJson(r.out, &e);
        if (e.error != QJsonParseError::NoError || !doc.isObject())
            qWarning("not a JSON object: %s\nstderr: %s", r.out.constData(), r.err.constData());
        return doc.object();
    }

private slots:
    void initTestCase() {
        QVERIFY(m_cache.isValid());
        QVERIFY(QFileInfo::exists(QStringLiteral(RECSCOPE_CLI)));
    }

    void helpAndVersion() {
        Run r = cli({"--help"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("Usage: recscope-cli"));
        for (const char* c : {"info", "split", "generate", "run"})
            QVERIFY(r.out.contains(c));
        r = cli({"--version"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.startsWith("recscope-cli "));
        QVERIFY(r.out.contains(RECSCOPE_VERSION));
        r = cli({});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("Usage"));
    }

    void commandHelp_data() {
        QTest::addColumn<QString>("command");
        for (const char* c : {"info", "split", "generate", "run"})
            QTest::newRow(c) << QString(c);
    }
    void commandHelp() {
        QFETCH(QString, command);
        const Run r = cli({command, "--help"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("Usage: recscope-cli " + command.toUtf8()), r.out.constData());
        QVERIFY(r.err.isEmpty());
    }

    void infoMl100k() {
        const Run r = cli({"info", kData + "/ml-100k", "--json"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject j = json(r);
        QCOMPARE(j["format"].toString(), QString("100k"));
        QCOMPARE(j["users"].toInt(), 943);
        QCOMPARE(j["items"].toInt(), 1682);
        QCOMPARE(j["ratings"].toInt(), 100000);
        QCOMPARE(j["firstDate"].toString(), QString("1997-09-20"));
        QCOMPARE(j["lastDate"].toString(), QString("1998-04-22"));
        QCOMPARE(j["usersInMetadata"].toInt(), 943);
        // Text output, from the cache this time.
        const Run t = cli({"info", kData + "/ml-100k"});
        QCOMPARE(t.exitCode, 0);
        QVERIFY(t.out.contains("Ratings:       100000"));
        QVERIFY(t.out.contains("Format:        100k"));
    }

    void infoLatestSmallZip() {
        const Run r = cli({"info", kData + "/ml-latest-small.zip", "--json", "--no-cache"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject j = json(r);
        QCOMPARE(j["format"].toString(), QString("csv"));
        QCOMPARE(j["users"].toInt(), 610);
        QCOMPARE(j["items"].toInt(), 9724);  // rated items; movies.csv lists 9742
        QCOMPARE(j["itemsInMetadata"].toInt(), 9742);
        QCOMPARE(j["ratings"].toInt(), 100836);
        QCOMPARE(j["ratingScale"].toObject()["step"].toDouble(), 0.5);
    }

    void infoDemo() {
        const Run r = cli({"info", "demo", "--json"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject j = json(r);
        QCOMPARE(j["format"].toString(), QString("synthetic"));
        QCOMPARE(j["users"].toInt(), 943);
        QCOMPARE(j["ratings"].toInt(), 100000);
    }

    // The temporal split of ML-100K against a count made here straight from u.data.
    void splitTemporalMatchesIndependentCount() {
        struct R {
            int64_t ts;
            int rating;
        };
        std::map<int64_t, std::vector<R>> byUser;  // file order within a user
        std::ifstream in((kData + "/ml-100k/u.data").toStdString());
        QVERIFY(in.good());
        int64_t user, item, ts;
        int rating;
        while (in >> user >> item >> rating >> ts)
            byUser[user].push_back({ts, rating});
        int64_t train = 0, val = 0, test = 0, testPos = 0, testUsers = 0, testUsersPos = 0;
        for (auto& [u, rows] : byUser) {
            std::stable_sort(rows.begin(), rows.end(),
                             [](const R& a, const R& b) { return a.ts < b.ts; });
            const int64_t n = int64_t(rows.size());
            if (n < 5 + 1 + 5) {
                train += n;
                continue;
            }
            train += n - 6;
            val += 1;
            test += 5;
            ++testUsers;
            int pos = 0;
            for (int64_t i = n - 5; i < n; ++i)
                pos += rows[size_t(i)].rating >= 4;
            testPos += pos;
            testUsersPos += pos > 0;
        }
        QCOMPARE(train + val + test, int64_t(100000));

        const Run r = cli({"split", kData + "/ml-100k", "--protocol", "temporal", "--json"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject j = json(r);
        QCOMPARE(j["config"].toObject()["nTest"].toInt(), 5);
        QCOMPARE(j["config"].toObject()["threshold"].toDouble(), 4.0);
        QCOMPARE(j["train"].toObject()["ratings"].toInteger(), train);
        QCOMPARE(j["validation"].toObject()["ratings"].toInteger(), val);
        QCOMPARE(j["test"].toObject()["ratings"].toInteger(), test);
        QCOMPARE(j["test"].toObject()["users"].toInteger(), testUsers);
        QCOMPARE(j["validation"].toObject()["users"].toInteger(), testUsers);
        QCOMPARE(j["train"].toObject()["users"].toInt(), 943);
        QCOMPARE(j["test"].toObject()["positives"].toInteger(), testPos);
        QCOMPARE(j["test"].toObject()["usersWithPositives"].toInteger(), testUsersPos);

        // Options change the split: n-test 2, min-train 30.
        const Run r2 =
            cli({"split", kData + "/ml-100k", "--n-test=2", "--min-train", "30", "--json"});
        QCOMPARE(r2.exitCode, 0);
        int64_t eligible = 0;
        for (const auto& kv : byUser)
            eligible += int64_t(kv.second.size()) >= 33;
        QCOMPARE(json(r2)["test"].toObject()["ratings"].toInteger(), 2 * eligible);
    }

    void splitLooAndRatio() {
        Run r = cli({"split", kData + "/ml-100k", "--protocol", "loo", "--json"});
        QCOMPARE(r.exitCode, 0);
        QJsonObject j = json(r);
        QCOMPARE(j["test"].toObject()["ratings"].toInt(), 943);
        QCOMPARE(j["validation"].toObject()["ratings"].toInt(), 943);
        QCOMPARE(j["test"].toObject()["positives"].toInt(), 943);  // threshold 0
        r = cli({"split", kData + "/ml-100k", "--protocol", "ratio", "--seed", "7", "--json"});
        QCOMPARE(r.exitCode, 0);
        j = json(r);
        const int test = j["test"].toObject()["ratings"].toInt();
        QVERIFY(test > 19000 && test < 21000);
        const Run again =
            cli({"split", kData + "/ml-100k", "--protocol", "ratio", "--seed", "7", "--json"});
        QCOMPARE(again.out, r.out);
    }

    void generateThenInfo_data() {
        QTest::addColumn<QString>("format");
        QTest::newRow("100k") << "100k";
        QTest::newRow("1m") << "1m";
        QTest::newRow("10m") << "10m";
        QTest::newRow("csv") << "csv";
    }
    void generateThenInfo() {
        QFETCH(QString, format);
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("gen-" + format);
        const QStringList args = {"generate", dir,  "--format",  format, "--users", "60",
                                  "--items",  "90", "--ratings", "2500", "--seed",  "5"};
        Run r = cli(args);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        r = cli({"info", dir, "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject j = json(r);
        QCOMPARE(j["format"].toString(), format);
        QCOMPARE(j["users"].toInt(), 60);
        QCOMPARE(j["itemIds"].toInt(), 90);
        QCOMPARE(j["ratings"].toInt(), 2500);
        const bool half = format == "10m" || format == "csv";
        QCOMPARE(j["ratingScale"].toObject()["step"].toDouble(), half ? 0.5 : 1.0);

        // Same options, same bytes (one layout is enough: each launch of the torch-linked
        // program costs about a second).
        if (format != "csv")
            return;
        const QString dir2 = tmp.filePath("again");
        QStringList args2 = args;
        args2[1] = dir2;
        QCOMPARE(cli(args2).exitCode, 0);
        const QStringList files = QDir(dir).entryList(QDir::Files);
        QVERIFY(files.size() >= 2);
        for (const QString& f : files) {
            QFile a(dir + "/" + f), b(dir2 + "/" + f);
            QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
            QVERIFY2(a.readAll() == b.readAll(), qPrintable(f));
        }
    }

    void generateRejectsImpossibleConfig() {
        QTemporaryDir tmp;
        const Run r =
            cli({"generate", tmp.filePath("x"), "--users", "3", "--items", "3", "--ratings", "10"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("do not fit"));
        const Run f = cli({"generate", tmp.filePath("x"), "--format", "25m"});
        QCOMPARE(f.exitCode, 2);
        QVERIFY(f.err.contains("25m"));
    }

    void badPathFails() {
        const QString missing = kData + "/no-such-release";
        for (const char* cmd : {"info", "split"}) {
            const Run r = cli({cmd, missing});
            QCOMPARE(r.exitCode, 1);
            QVERIFY(r.out.isEmpty());
            QVERIFY2(r.err.contains("no-such-release"), r.err.constData());
        }
    }

    void usageErrors_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mention");
        QTest::newRow("unknown option") << QStringList{"info", "demo", "--bogus"} << "--bogus";
        QTest::newRow("unknown option with value")
            << QStringList{"split", "demo", "--n-tset=3"} << "--n-tset";
        QTest::newRow("bad number") << QStringList{"split", "demo", "--n-test", "five"} << "five";
        QTest::newRow("negative count") << QStringList{"split", "demo", "--n-val", "-1"} << "n-val";
        QTest::newRow("unknown protocol")
            << QStringList{"split", "demo", "--protocol", "strongest"} << "strongest";
        QTest::newRow("missing path") << QStringList{"info"} << "PATH";
        QTest::newRow("unknown command") << QStringList{"frobnicate"} << "frobnicate";
    }
    void usageErrors() {
        QFETCH(QStringList, args);
        QFETCH(QString, mention);
        const Run r = cli(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(mention.toUtf8()), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
