// recscope-cli driven as a process: info, split and generate against the real MovieLens files
// and independent counts, exit codes and messages for bad input, --help everywhere; run --out
// and --workspace read back by the core, runs and export; a run killed with SIGKILL leaves a
// workspace that opens, with the run Interrupted (issue 8).

#include <QtTest>

#include <functional>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "core/models/Recommender.h"
#include "core/workspace/Workspace.h"

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

    Run cli(const QStringList& args,
            const std::function<void(QProcessEnvironment&)>& editEnv = nullptr) {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("RECSCOPE_CACHE_DIR", m_cache.path());
        if (editEnv)
            editEnv(env);
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(RECSCOPE_CLI), args);
        // RECSCOPE_TEST_TIMEOUT_SCALE stretches the limit for slow builds (sanitizers).
        const int scale = std::max(1, qEnvironmentVariableIntValue("RECSCOPE_TEST_TIMEOUT_SCALE"));
        if (!p.waitForFinished(120000 * scale))
            qFatal("recscope-cli did not finish");
        return Run{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
                   p.readAllStandardOutput(), p.readAllStandardError()};
    }

    static QJsonObject readJsonFile(const QString& path) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return {};
        return QJsonDocument::fromJson(f.readAll()).object();
    }

    static QString fixed4(double v) { return QString::number(v, 'f', 4); }

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
        for (const char* c : {"info", "split", "generate", "run", "runs", "export"})
            QVERIFY(r.out.contains(c));
        r = cli({"--version"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.startsWith("recscope-cli "));
        QVERIFY(r.out.contains(RECSCOPE_VERSION));
        r = cli({});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("Usage"));
    }

    // OpenMP's idle threads wait passively unless the user says otherwise: without
    // OMP_WAIT_POLICY the program executes itself again with it set (same output, same exit
    // code); a user's own setting is kept.
    void passiveOpenMpWaitingByDefault() {
        Run r = cli({"--version"}, [](QProcessEnvironment& env) {
            env.remove("OMP_WAIT_POLICY");
            env.remove("RECSCOPE_OMP_WAIT_POLICY_SET");
        });
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("OpenMP wait policy: passive (RecScope's default)"),
                 r.out.constData());
        r = cli({"--version"}, [](QProcessEnvironment& env) {
            env.insert("OMP_WAIT_POLICY", "active");
            env.remove("RECSCOPE_OMP_WAIT_POLICY_SET");
        });
        QVERIFY2(r.out.contains("OpenMP wait policy: active (OMP_WAIT_POLICY)"), r.out.constData());
        r = cli({"split"}, [](QProcessEnvironment& env) {  // an error exit survives the exec
            env.remove("OMP_WAIT_POLICY");
            env.remove("RECSCOPE_OMP_WAIT_POLICY_SET");
        });
        QCOMPARE(r.exitCode, 2);
    }

    // The OpenBLAS kernels in use are named with who chose them: figures measured with
    // different kernels are not comparable.
    void openBlasKernelsNamed() {
        Run r = cli({"--version"},
                    [](QProcessEnvironment& env) { env.insert("OPENBLAS_CORETYPE", "Haswell"); });
        QCOMPARE(r.exitCode, 0);
        if (!r.out.contains("BLAS: OpenBLAS"))
            QSKIP("the BLAS is not OpenBLAS");
        QVERIFY2(r.out.contains("BLAS kernels: Haswell (OPENBLAS_CORETYPE=Haswell)\n"),
                 r.out.constData());
        r = cli({"--version"}, [](QProcessEnvironment& env) { env.remove("OPENBLAS_CORETYPE"); });
        QCOMPARE(r.exitCode, 0);
        const QRegularExpression detected(
            QStringLiteral("BLAS kernels: \\w+ \\(OpenBLAS's detection\\)\n"));
        QVERIFY2(detected.match(QString::fromUtf8(r.out)).hasMatch(), r.out.constData());
        // info --json carries the same for bug reports.
        r = cli({"info", "demo", "--json"},
                [](QProcessEnvironment& env) { env.insert("OPENBLAS_CORETYPE", "Haswell"); });
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(r.out)["build"]["blas"]["kernels"].toString(),
                 QStringLiteral("Haswell (OPENBLAS_CORETYPE=Haswell)"));
    }

    void commandHelp_data() {
        QTest::addColumn<QString>("command");
        for (const char* c : {"info", "split", "generate", "run", "runs", "export", "reproduce"})
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

    // run --out and --workspace (both at once), then the same workspace through runs and
    // export; the files agree with the run's own --json output.
    // `import` vets a run folder and copies it; a refused folder exits 1 naming the file, and
    // nothing is recorded.
    void importVetsRunFolders() {
        QTemporaryDir tmp;
        const QString ws = tmp.filePath("ws"), out = tmp.filePath("run-pop");
        Run r = cli({"run", "demo", "--model", "pop", "--k", "10", "--quiet", "--workspace", ws,
                     "--out", out});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto runCount = [&] {
            const Run runs = cli({"runs", ws, "--json"});
            return QJsonDocument::fromJson(runs.out).array().size();
        };
        QCOMPARE(runCount(), 1);

        r = cli({"import", ws, out});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.startsWith("imported run 2 (pop #1, pop, finished)"), r.out.constData());
        QCOMPARE(runCount(), 2);

        QJsonObject runJson = readJsonFile(out + "/run.json");
        runJson.insert("checkpoint", "/etc/hostname");
        QFile file(out + "/run.json");
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(QJsonDocument(runJson).toJson());
        file.close();
        r = cli({"import", ws, out});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("run.json: names a file outside the run folder"),
                 r.err.constData());
        QCOMPARE(runCount(), 2);

        r = cli({"import", ws});
        QCOMPARE(r.exitCode, 2);
        r = cli({"import", tmp.filePath("nowhere"), out});
        QCOMPARE(r.exitCode, 1);
    }

    void runOutWorkspaceRunsExport() {
        QTemporaryDir tmp;
        const QString ws = tmp.filePath("ws"), out = tmp.filePath("run-pop");
        const Run pop = cli({"run", "demo", "--model", "pop", "--k", "10", "--json", "--quiet",
                             "--workspace", ws, "--out", out});
        QVERIFY2(pop.exitCode == 0, pop.err.constData());
        const QJsonObject pj = json(pop);
        const QJsonObject pm = pj["metrics"].toObject();
        QVERIFY(pm["recall@10"].toDouble() > 0);

        const QJsonObject runJson = readJsonFile(out + "/run.json");
        QCOMPARE(runJson["format"].toString(), QString("recscope-run"));
        QCOMPARE(runJson["status"].toString(), QString("finished"));
        QCOMPARE(runJson["name"].toString(), QString("pop #1"));
        QCOMPARE(runJson["config"].toObject()["model"].toString(), QString("pop"));
        QCOMPARE(runJson["dataset"].toObject()["name"].toString(), QString("demo"));
        QCOMPARE(runJson["dataset"].toObject()["ratings"].toInt(), 100000);
        QCOMPARE(runJson["users_evaluated"].toInt(), pj["users_evaluated"].toInt());
        QCOMPARE(runJson["metrics"].toObject(), pm);
        QCOMPARE(runJson["checkpoint"].toString(), QString("model.bin"));
        QVERIFY(QFileInfo(out + "/model.bin").size() > 0);
        QFile perUser(out + "/per_user.csv");
        QVERIFY(perUser.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = perUser.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), pj["users_evaluated"].toInt() + 1);
        QVERIFY(lines[0].startsWith("user,") && lines[0].contains(",ndcg@10"));

        const Run ease = cli({"run", "demo", "--model", "ease", "--k", "10", "--json", "--quiet",
                              "--workspace", ws});
        QVERIFY2(ease.exitCode == 0, ease.err.constData());
        const QJsonObject em = json(ease)["metrics"].toObject();

        Run r = cli({"runs", ws, "--json"});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray runs = QJsonDocument::fromJson(r.out).array();
        QCOMPARE(runs.size(), 2);
        QCOMPARE(runs[0].toObject()["id"].toInt(), 1);
        QCOMPARE(runs[0].toObject()["status"].toString(), QString("finished"));
        QCOMPARE(runs[0].toObject()["recall@10"].toDouble(), pm["recall@10"].toDouble());
        QCOMPARE(runs[1].toObject()["name"].toString(), QString("ease #2"));
        QCOMPARE(runs[1].toObject()["ndcg@10"].toDouble(), em["ndcg@10"].toDouble());
        QVERIFY(runs[1].toObject()["checkpoint"].toString().endsWith("runs/2/model.bin"));
        r = cli({"runs", ws});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.startsWith("id  name     model  status    dataset  recall@10  ndcg@10\n"));
        QVERIFY2(r.out.contains(" 1  pop #1   pop    finished  demo     " +
                                fixed4(pm["recall@10"].toDouble()).rightJustified(9).toUtf8()),
                 r.out.constData());

        // CSV to stdout, against text built here from the runs' own JSON.
        r = cli({"export", ws, "--format", "csv", "--metrics", "ndcg@10,recall@10"});
        QCOMPARE(r.exitCode, 0);
        // The list rule and the data each model was fitted on sit beside the figures.
        const QJsonObject ej = json(ease);
        QCOMPARE(pj["exclude"].toString(), QString("positives"));
        const QString expected =
            "id,name,model,dataset,exclude,fit_on,ndcg@10,recall@10\n"
            "1,pop #1,pop,demo," +
            pj["exclude"].toString() + "," + pj["fit_on"].toString() + "," +
            fixed4(pm["ndcg@10"].toDouble()) + "," + fixed4(pm["recall@10"].toDouble()) + "\n" +
            "2,ease #2,ease,demo," + ej["exclude"].toString() + "," + ej["fit_on"].toString() +
            "," + fixed4(em["ndcg@10"].toDouble()) + "," + fixed4(em["recall@10"].toDouble()) +
            "\n";
        QCOMPARE(QString::fromUtf8(r.out), expected);
        // Markdown to a file: EASE beats popularity on the demo data, so its cells are bold.
        QVERIFY(em["ndcg@10"].toDouble() > pm["ndcg@10"].toDouble());
        const QString md = tmp.filePath("board.md");
        r = cli({"export", ws, "--format", "md", "--out", md});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.isEmpty());
        QFile mdFile(md);
        QVERIFY(mdFile.open(QIODevice::ReadOnly));
        const QString mdText = QString::fromUtf8(mdFile.readAll());
        QVERIFY2(
            mdText.contains("| 2 | ease #2 | ease | demo | " + ej["exclude"].toString() + " | " +
                            ej["fit_on"].toString() + " | **" + fixed4(em["recall@10"].toDouble()) +
                            "** | **" + fixed4(em["ndcg@10"].toDouble()) + "** |"),
            qPrintable(mdText));
        r = cli({"export", ws, "--format", "json", "--metrics", "hit@10"});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray board = QJsonDocument::fromJson(r.out).array();
        QCOMPARE(board.size(), 2);
        QCOMPARE(board[0].toObject()["hit@10"].toDouble(),
                 fixed4(pm["hit@10"].toDouble()).toDouble());
        QCOMPARE(board[1].toObject()["best"].toArray().first().toString(), QString("hit@10"));
        // A folder without a workspace is refused, not created.
        r = cli({"runs", tmp.filePath("nothing")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("nothing"));
        QVERIFY(!QFileInfo::exists(tmp.filePath("nothing")));
    }

    // Issue 8: kill -9 the CLI while it trains into a workspace; the workspace opens, the run is
    // Interrupted, no checkpoint or only a complete one, the run folder has no run.json, and
    // the workspace takes new runs.
    void killedRunLeavesUsableWorkspace() {
        QTemporaryDir tmp;
        const QString ws = tmp.filePath("ws"), out = tmp.filePath("run");
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("RECSCOPE_CACHE_DIR", m_cache.path());
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(RECSCOPE_CLI),
                {"run", "demo", "--model", "bpr", "--param", "epochs=300", "--param",
                 "patience=300", "--k", "10", "--threads", "1", "--workspace", ws, "--out", out});
        QVERIFY(p.waitForStarted());
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT((err += p.readAllStandardError(), err.contains("epoch 2:")),
                                 120000);
        p.kill();  // SIGKILL
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);

        recscope::Result<std::unique_ptr<recscope::Workspace>> w =
            recscope::Workspace::open(ws.toStdString());
        QVERIFY2(w.ok(), w.ok() ? "" : w.error().toString().c_str());
        QCOMPARE(w.value()->integrityCheck().value(), std::string("ok"));
        std::vector<recscope::RunRecord> runs = w.value()->runs().value();
        QCOMPARE(int(runs.size()), 1);
        QVERIFY(runs[0].status == recscope::RunStatus::Interrupted);
        QVERIFY(runs[0].epochs.size() >= 2);  // appended while it trained
        QVERIFY(runs[0].checkpoint.empty());
        const QString checkpoint = ws + "/runs/1/model.bin";
        if (QFileInfo::exists(checkpoint)) {
            std::unique_ptr<recscope::Recommender> m = recscope::createModel("bpr");
            QVERIFY(m->load(checkpoint.toStdString()).ok());
        }
        QVERIFY(!QFileInfo::exists(out + "/run.json"));
        w.value().reset();  // closed before the next process writes

        Run r = cli({"run", "demo", "--model", "pop", "--k", "10", "--quiet", "--workspace", ws});
        QCOMPARE(r.exitCode, 0);
        r = cli({"runs", ws});
        QVERIFY(r.out.contains("interrupted"));
        QVERIFY(r.out.contains("finished"));
    }

    // SIGTERM (and Ctrl+C) cancel the run: it ends as Cancelled, exit code 1.
    void terminatedRunIsCancelled() {
        QTemporaryDir tmp;
        const QString ws = tmp.filePath("ws");
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("RECSCOPE_CACHE_DIR", m_cache.path());
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(RECSCOPE_CLI),
                {"run", "demo", "--model", "bpr", "--param", "epochs=300", "--param",
                 "patience=300", "--k", "10", "--threads", "1", "--workspace", ws});
        QVERIFY(p.waitForStarted());
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT((err += p.readAllStandardError(), err.contains("epoch 1:")),
                                 120000);
        p.terminate();
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 1);
        err += p.readAllStandardError();
        QVERIFY2(err.contains("cancelled"), err.constData());
        const Run r = cli({"runs", ws, "--json"});
        const QJsonArray runs = QJsonDocument::fromJson(r.out).array();
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs[0].toObject()["status"].toString(), QString("cancelled"));
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
        QTest::newRow("runs without folder") << QStringList{"runs"} << "DIR";
        QTest::newRow("export bad format")
            << QStringList{"export", "ws", "--format", "xls"} << "xls";
        QTest::newRow("export unknown metric")
            << QStringList{"export", "ws", "--metrics", "ndcg@10,ndgc@10"} << "ndgc@10";
        QTest::newRow("export bad decimals")
            << QStringList{"export", "ws", "--decimals", "40"} << "decimals";
        QTest::newRow("run bad device")
            << QStringList{"run", "demo", "--model", "pop", "--device", "gpu"} << "gpu";
        QTest::newRow("bad exclude rule")
            << QStringList{"run", "demo", "--model", "pop", "--exclude", "seen"} << "--exclude";
        QTest::newRow("stratify outside ratio")
            << QStringList{"split", "demo", "--stratify", "item"} << "ratio protocol only";
        QTest::newRow("bad stratify")
            << QStringList{"split", "demo", "--protocol", "ratio", "--stratify", "both"}
            << "--stratify";
        QTest::newRow("held-out users outside strong")
            << QStringList{"split", "demo", "--heldout-users", "10"} << "strong protocol only";
        QTest::newRow("held-out users zero")
            << QStringList{"split", "demo", "--protocol", "strong", "--heldout-users", "0"}
            << "--heldout-users";
        QTest::newRow("negative kcore")
            << QStringList{"split", "demo", "--kcore", "-2"} << "--kcore";
        QTest::newRow("bad min-rating")
            << QStringList{"split", "demo", "--min-rating", "-1"} << "--min-rating";
        QTest::newRow("sampled cut-offs too large")
            << QStringList{"run", "demo", "--model", "pop", "--protocol", "loo", "--k", "100"}
            << "below";
        QTest::newRow("strong with negatives")
            << QStringList{"run",        "demo",   "--model",     "pop",
                           "--protocol", "strong", "--negatives", "99"}
            << "strong";
        QTest::newRow("reproduce unknown table")
            << QStringList{"reproduce", "demo", "--only", "nope"} << "nope";
        QTest::newRow("reproduce unknown model")
            << QStringList{"reproduce", "demo", "--models", "ease,frob"} << "frob";
    }

    // reproduce --list on ML-100K: the tables the data allows and the runs they need, none
    // made; --only keeps one table.
    void reproduceListsTheSetups() {
        const QString data = kData + "/ml-100k";
        if (!QFileInfo::exists(data))
            QSKIP("ml-100k not available");
        Run r = cli({"reproduce", data, "--list"});
        QCOMPARE(r.exitCode, 0);
        for (const char* table : {"seed002-loo-ml100k", "seed002-ratio-ml100k", "msr-ratio-ml100k",
                                  "seed004-ml100k", "ncf-loo-ml1m"})
            QVERIFY2(r.out.contains(table), r.out.constData());
        QVERIFY(r.out.contains("--stratify item"));
        r = cli({"reproduce", data, "--list", "--only", "msr-ratio-ml100k", "--models", "bpr"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out.count("  bpr"), 1);
        QVERIFY(!r.out.contains("neumf"));
    }

    // A small reproduce end to end: the NCF protocol's TopPop row (ML-1M figures, shown on
    // ML-100K for orientation) as JSON equals `run` with the same set-up; SLIM, which RecScope
    // does not have, is listed as such.
    void reproduceMatchesRun() {
        const QString data = kData + "/ml-100k";
        if (!QFileInfo::exists(data))
            QSKIP("ml-100k not available");
        Run r = cli(
            {"reproduce", data, "--only", "ncf-loo-ml1m", "--models", "pop", "--json", "--quiet"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject report = json(r);
        QCOMPARE(report["family"].toString(), QString("ml-100k"));
        const QJsonArray rows = report["rows"].toArray();
        QCOMPARE(rows.size(), 4);
        double ours = -1;
        int withoutModel = 0;
        for (const auto& v : rows) {
            const QJsonObject row = v.toObject();
            QVERIFY(row["other_data"].toBool());
            if (row["model"].toString() == "pop" && row["metric"].toString() == "hit@10") {
                QCOMPARE(row["published"].toDouble(), 0.4531);
                ours = row["recscope"].toDouble();
            }
            withoutModel += row["status"].toString() == "no RecScope model";
        }
        QCOMPARE(withoutModel, 2);
        QVERIFY(ours > 0.0);
        const Run run = cli(
            {"run", data, "--model", "pop", "--protocol", "loo", "--json", "--quiet", "--k", "10"});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(json(run)["metrics"].toObject()["hit@10"].toDouble(), ours);
        // Markdown by default, with the source named.
        r = cli({"reproduce", data, "--only", "ncf-loo-ml1m", "--models", "pop", "--quiet"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("| TopPop | pop | hit@10 | 0.4531 |"));
        QVERIFY(r.out.contains("Dacrema"));
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
