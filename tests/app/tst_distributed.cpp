// Data-parallel `recscope-cli run` on two processes over loopback (issue 15), on a small
// generated dataset: one optimizer step of 2 ranks equals one process's step on the union
// batch (bpr and two-tower parameters), a few epochs give the 1-process metrics, rank 0 alone
// prints and records (world size and backend in run.json and the workspace), and every fault
// ends with a message naming the rank: a killed peer, a bad RANK, a model that cannot be
// distributed, a port in use, a peer that never comes.

// LibTorch before Qt: Qt's "slots" macro breaks LibTorch's headers.
#include <torch/torch.h>

#include <QtTest>

#include <signal.h>
#include <unistd.h>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <map>

#include "core/dist/LoopbackPort.h"
#include "core/models/Recommender.h"
#include "core/workspace/Workspace.h"

using namespace recscope;

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    double seconds = 0.0;
};

int scale() {
    return std::max(1, qEnvironmentVariableIntValue("RECSCOPE_TEST_TIMEOUT_SCALE"));
}

// Largest |a - b| over two tables of the same shape (-1 when the shapes differ).
double maxDiff(const EmbeddingTable& a, const EmbeddingTable& b) {
    if (a.rows != b.rows || a.dim != b.dim || a.values.size() != b.values.size())
        return -1.0;
    double d = 0.0;
    for (size_t k = 0; k < a.values.size(); ++k)
        d = std::max(d, double(std::fabs(a.values[k] - b.values[k])));
    return d;
}

}  // namespace

class TestDistributed : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_data;

    QProcess* start(const QStringList& args, const std::map<QString, QString>& env = {}) {
        auto* p = new QProcess(this);
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.insert("RECSCOPE_CACHE_DIR", m_dir.filePath("cache"));
        for (const char* v : {"WORLD_SIZE", "RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"})
            e.remove(v);
        for (const auto& [k, v] : env)
            e.insert(k, v);
        p->setProcessEnvironment(e);
        p->start(QStringLiteral(RECSCOPE_CLI), args);
        return p;
    }

    Run finish(QProcess* p, int timeoutMs = 120000) {
        QElapsedTimer clock;
        clock.start();
        if (!p->waitForFinished(timeoutMs * scale()))
            qFatal("recscope-cli did not finish");
        Run r{p->exitStatus() == QProcess::NormalExit ? p->exitCode() : -1,
              p->readAllStandardOutput(), p->readAllStandardError(), clock.elapsed() / 1000.0};
        p->deleteLater();
        return r;
    }

    Run cli(const QStringList& args, const std::map<QString, QString>& env = {}) {
        return finish(start(args, env));
    }

    QStringList runArgs(const QString& model, const QStringList& params) const {
        QStringList a{"run",    m_data,    "--model", model, "--protocol", "temporal",
                      "--json", "--quiet", "--k",     "10",  "--threads",  "1"};
        for (const QString& p : params)
            a << "--param" << p;
        return a;
    }

    static QJsonObject json(const Run& r) {
        QJsonParseError e;
        const QJsonDocument doc = QJsonDocument::fromJson(r.out, &e);
        if (e.error != QJsonParseError::NoError || !doc.isObject())
            qWarning("not one JSON object: %s\nstderr: %s", r.out.constData(), r.err.constData());
        return doc.object();
    }

    std::unique_ptr<Recommender> loadModel(const QString& model, const QString& runDir) {
        std::unique_ptr<Recommender> m = createModel(model.toStdString());
        const Status s = m->load((runDir + "/model.bin").toStdString());
        if (!s)
            qWarning("%s", s.error().toString().c_str());
        if (!s)
            return nullptr;
        return m;
    }

    // One process and two ranks (launch) with the same arguments, each writing --out.
    std::pair<Run, Run> both(const QString& model, const QStringList& params, const QString& tag) {
        const QString one = m_dir.filePath(tag + "-1"), two = m_dir.filePath(tag + "-2");
        Run single = cli(runArgs(model, params) << "--out" << one);
        Run pair = cli(QStringList{"launch", "--nproc", "2", "--"} << runArgs(model, params)
                                                                   << "--out" << two);
        return {single, pair};
    }

    // Trains `model` for one step in one process and on two ranks; returns the 1-process
    // model when both runs' user and item embeddings agree within `tolerance` (else null,
    // with the reason logged).
    std::unique_ptr<Recommender> oneStep(const QString& model, const QStringList& params,
                                         double tolerance) {
        const QString tag = model + "-step";
        auto [single, pair] = both(model, params, tag);
        if (single.exitCode != 0 || pair.exitCode != 0) {
            qWarning("runs failed: %s\n%s", single.err.constData(), pair.err.constData());
            return nullptr;
        }
        auto a = loadModel(model, m_dir.filePath(tag + "-1"));
        auto b = loadModel(model, m_dir.filePath(tag + "-2"));
        if (!a || !b)
            return nullptr;
        const double users = maxDiff(a->userEmbeddings(), b->userEmbeddings());
        const double items = maxDiff(a->itemEmbeddings(), b->itemEmbeddings());
        qInfo("%s, one step: max |1 process - 2 ranks| users %.3g, items %.3g", qPrintable(model),
              users, items);
        if (users < 0.0 || items < 0.0 || users >= tolerance || items >= tolerance)
            return nullptr;
        return a;
    }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_data = m_dir.filePath("data");
        const Run g = cli({"generate", m_data, "--format", "csv", "--users", "120", "--items", "90",
                           "--ratings", "3000", "--seed", "7"});
        QVERIFY2(g.exitCode == 0, g.err.constData());
    }

    // One SGD step over the whole training part (batch_size >= positives): the 2-rank step
    // (each rank's gradient rows of its half, exchanged) equals one process's.
    void bprStepEqualsUnionBatch() {
        auto a = oneStep("bpr",
                         {"kernel=autograd", "epochs=1", "batch_size=100000", "patience=0",
                          "factors=16", "lr=0.05"},
                         1e-5);
        QVERIFY(a);
        // The step moved the weights (the comparison is not between two untouched inits):
        // BprModel draws them as randn * 0.1 after seeding with the run's seed (42).
        torch::manual_seed(42);
        const auto init = (torch::randn({a->userEmbeddings().rows, 16}) * 0.1f).contiguous();
        const EmbeddingTable trained = a->userEmbeddings();
        double moved = 0.0;
        for (int64_t k = 0; k < init.numel(); ++k)
            moved = std::max(
                moved, double(std::fabs(trained.values[size_t(k)] - init.data_ptr<float>()[k])));
        QVERIFY2(moved > 1e-3, qPrintable(QString::number(moved)));
    }

    // One Adam step with in-batch negatives over the whole training part and ID dropout on:
    // the gathered batch makes the 2-rank loss, and so the step, that of one process.
    void twoTowerStepEqualsUnionBatch() {
        QVERIFY(oneStep("twotower",
                        {"epochs=1", "batch_size=100000", "patience=0", "dim=16", "embedding=16",
                         "width=32", "user_dropout=0.2"},
                        1e-4));
    }

    // Several epochs of small batches: the same metrics as one process with the same global
    // batch, within 0.005 (rounding differs: the ranks sum gradients in another order).
    // Rank 0 alone prints, and records the world size and backend.
    void metricsMatchOneProcess() {
        const struct {
            QString model;
            QStringList params;
        } cases[] = {
            {"bpr", {"kernel=autograd", "epochs=4", "batch_size=256", "factors=16"}},
            {"twotower",
             {"epochs=3", "batch_size=256", "dim=16", "embedding=16", "width=32", "patience=0"}},
        };
        for (const auto& c : cases) {
            auto [single, pair] = both(c.model, c.params, c.model + "-epochs");
            QVERIFY2(single.exitCode == 0, single.err.constData());
            QVERIFY2(pair.exitCode == 0, pair.err.constData());
            const QJsonObject one = json(single), two = json(pair);
            QCOMPARE(two.value("world_size").toInt(), 2);
            QCOMPARE(two.value("dist_backend").toString(), QString("gloo"));
            QVERIFY(!one.contains("world_size"));
            for (const char* metric : {"ndcg@10", "recall@10", "hit@10"}) {
                const double x = one.value("metrics").toObject().value(metric).toDouble(-1);
                const double y = two.value("metrics").toObject().value(metric).toDouble(-2);
                qInfo("%s %s: 1 process %.6f, 2 ranks %.6f", qPrintable(c.model), metric, x, y);
                QVERIFY2(x > 0.0 && std::fabs(x - y) <= 0.005,
                         qPrintable(QString("%1 %2: %3 vs %4").arg(c.model, metric).arg(x).arg(y)));
            }
            // Only rank 0 wrote to stdout: the launcher's stdout is exactly one JSON object.
            QVERIFY(!pair.out.contains("[rank"));
            QCOMPARE(pair.out.count("\"metrics\""), 1);
            QFile runJson(m_dir.filePath(c.model + "-epochs-2/run.json"));
            QVERIFY(runJson.open(QIODevice::ReadOnly));
            const QJsonObject config =
                QJsonDocument::fromJson(runJson.readAll()).object().value("config").toObject();
            QCOMPARE(config.value("distributed").toObject().value("world_size").toInt(), 2);
            QCOMPARE(config.value("distributed").toObject().value("backend").toString(),
                     QString("gloo"));
        }
    }

    void workspaceRecordsTheGroup() {
        const QString ws = m_dir.filePath("ws");
        Run r = cli(QStringList{"launch", "--nproc", "2", "--"}
                    << runArgs("bpr", {"epochs=1", "factors=8"}) << "--workspace" << ws);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        auto opened = Workspace::open(ws.toStdString());
        QVERIFY(opened);
        auto runs = opened.value()->runs();
        QVERIFY(runs);
        QCOMPARE(int(runs.value().size()), 1);  // rank 1 recorded nothing
        QCOMPARE(runs.value()[0].config.worldSize, 2);
        QCOMPARE(runs.value()[0].config.distBackend, std::string("gloo"));
    }

    // A killed rank ends the other within seconds, with a message naming it, both ways; a
    // stopped (hung) rank 0, whose store accepts connections but never answers, ends rank 1
    // after the collective's timeout and a bounded diagnosis.
    void lostRankEndsTheOther() {
        const struct {
            int victim;
            int signal;
            const char* timeout;
        } cases[] = {{1, SIGKILL, "60"}, {0, SIGKILL, "60"}, {0, SIGSTOP, "3"}};
        for (const auto& c : cases) {
            const QString port = QString::number(freeLoopbackPort());
            std::vector<QProcess*> ranks;
            for (int r = 0; r < 2; ++r) {
                QStringList args =
                    runArgs("bpr", {"epochs=300", "batch_size=32", "factors=8", "patience=0"});
                args.removeAll("--quiet");
                ranks.push_back(
                    start(args << "--dist-timeout" << c.timeout, {{"WORLD_SIZE", "2"},
                                                                  {"RANK", QString::number(r)},
                                                                  {"MASTER_ADDR", "127.0.0.1"},
                                                                  {"MASTER_PORT", port}}));
            }
            // Rank 0 prints its epochs: training is under way once the first one is done.
            QByteArray err0;
            QElapsedTimer clock;
            clock.start();
            while (!err0.contains("epoch 1:") && clock.elapsed() < 60000 * scale()) {
                ranks[0]->waitForReadyRead(200);
                err0 += ranks[0]->readAllStandardError();
            }
            QVERIFY2(err0.contains("epoch 1:"), err0.constData());
            ::kill(ranks[size_t(c.victim)]->processId(), c.signal);
            const int survivor = 1 - c.victim;
            Run r = finish(ranks[size_t(survivor)], 90000);
            ranks[size_t(c.victim)]->kill();  // SIGKILL also ends a stopped process
            finish(ranks[size_t(c.victim)]);
            const QByteArray expected = "rank " + QByteArray::number(survivor) + ": lost rank " +
                                        QByteArray::number(c.victim);
            qInfo("rank %d %s: rank %d exited with code %d after %.1f s (timeout %s s): %s",
                  c.victim, c.signal == SIGKILL ? "killed" : "stopped", survivor, r.exitCode,
                  r.seconds, c.timeout,
                  r.err.mid(r.err.indexOf("recscope-cli run:")).trimmed().constData());
            QCOMPARE(r.exitCode, 1);
            QVERIFY2(r.err.contains(expected), r.err.constData());
            if (c.signal == SIGKILL)  // a dead peer is noticed at once, not at the 60 s timeout
                QVERIFY(r.seconds < 30.0 * scale());
        }
    }

    void faultsBeforeTraining() {
        const std::map<QString, QString> base{{"MASTER_ADDR", "127.0.0.1"},
                                              {"MASTER_PORT", QString::number(freeLoopbackPort())}};
        auto env = [&](std::map<QString, QString> extra) {
            extra.insert(base.begin(), base.end());
            return extra;
        };
        Run r = cli(runArgs("bpr", {"epochs=1"}), env({{"WORLD_SIZE", "2"}, {"RANK", "3"}}));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("RANK=3 is outside 0..1 (WORLD_SIZE=2)"), r.err.constData());

        r = cli(runArgs("ease", {}), env({{"WORLD_SIZE", "2"}, {"RANK", "0"}}));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("'ease' cannot be trained data-parallel"), r.err.constData());
        QVERIFY2(r.err.contains("bpr"), r.err.constData());  // the models that can are listed

        r = cli(runArgs("bpr", {"kernel=fused"}), env({{"WORLD_SIZE", "2"}, {"RANK", "0"}}));
        QCOMPARE(r.exitCode, 2);

        // Nobody else comes: rank 0 gives up after the timeout, naming the missing rank.
        r = cli(runArgs("bpr", {"epochs=1"}) << "--dist-timeout"
                                             << "2",
                env({{"WORLD_SIZE", "2"}, {"RANK", "0"}}));
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("rank 0: rank 1 did not join within 2 s"), r.err.constData());

        // The rendezvous port is taken.
        int port = 0;
        const int busy = listenOnFreePort(port);
        QVERIFY(busy >= 0);
        r = cli(runArgs("bpr", {"epochs=1"}) << "--dist-timeout"
                                             << "5",
                {{"WORLD_SIZE", "2"},
                 {"RANK", "0"},
                 {"MASTER_ADDR", "127.0.0.1"},
                 {"MASTER_PORT", QString::number(port)}});
        ::close(busy);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("the port is in use"), r.err.constData());

        // launch: every rank's complaint, prefixed; the first failing rank's exit code.
        r = cli(QStringList{"launch", "--nproc", "2", "--"} << runArgs("ease", {}));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("[rank 0] recscope-cli run:"), r.err.constData());
        QVERIFY2(r.err.contains("[rank 1] recscope-cli run:"), r.err.constData());
        r = cli({"launch", "--nproc", "0", "--", "run"});
        QCOMPARE(r.exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestDistributed)
#include "tst_distributed.moc"
