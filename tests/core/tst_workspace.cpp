// The workspace database: a run's life (create, epochs, finish) read back by a second
// Workspace on the same folder, per-user metrics, rename/delete, run folders written and
// imported, checkpoints that reload to the same scores, runs of a dead process marked
// Interrupted (a forked child plays the killed writer), imports killed mid-way, and clear
// errors for files that are no workspace.

#include <QtTest>

#include <sys/wait.h>
#include <unistd.h>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <cmath>
#include <csignal>
#include <fstream>

#include "core/data/SyntheticGenerator.h"
#include "core/models/Compute.h"
#include "core/run/Experiment.h"
#include "core/workspace/RunDirectory.h"
#include "core/workspace/Workspace.h"
#include "support/KillChild.h"

using namespace recscope;

namespace {

Dataset smallData() {
    SyntheticConfig cfg;
    cfg.seed = 5;
    cfg.users = 200;
    cfg.items = 300;
    cfg.ratings = 12000;
    Result<Dataset> ds = generateSynthetic(cfg);
    if (!ds)
        qFatal("synthetic data: %s", ds.error().message.c_str());
    return std::move(ds).value();
}

RunConfig ialsConfig() {
    RunConfig c;
    c.dataset = "synthetic";
    c.split = defaultSplitConfig(Protocol::Temporal);
    c.split.threshold = 3.5;
    c.model = "ials";
    c.params = {{"iterations", "2"}, {"factors", "16"}};
    c.ks = {10, 20};
    return c;
}

RunRecord recordFor(const RunConfig& config, const Dataset& data) {
    RunRecord r;
    r.config = config;
    r.dataset = datasetIdentity(data, "synthetic");
    return r;
}

std::vector<float> scores(const Recommender& model, std::vector<int32_t> users) {
    std::vector<float> out(users.size() * size_t(model.numItems()));
    model.scoreUsers(users.data(), int64_t(users.size()), out.data());
    return out;
}

void writeText(const QString& path, const std::string& text) {
    std::ofstream out(path.toStdString(), std::ios::binary);
    out << text;
}

EpochReport epoch(int n, double loss) {
    EpochReport e;
    e.epoch = n;
    e.trainLoss = loss;
    e.validation = {{"ndcg@10", 0.01 * n}, {"recall@10", 0.02 * n}};
    e.seconds = 0.5 * n;
    return e;
}

}  // namespace

class TestWorkspace : public QObject {
    Q_OBJECT

private:
    Dataset m_data;
    std::unique_ptr<RunOutcome> m_outcome;  // one trained ials run shared by the tests

private slots:
    // Choice-like parameters name the variant; numbers and booleans do not.
    void defaultNamesShowTheVariant() {
        RunConfig c;
        c.model = "twotower";
        QCOMPARE(defaultRunName(c, 7), std::string("twotower #7"));
        c.params = {{"epochs", "3"}, {"lr", "1e-3"}, {"logq", "false"}, {"temperature", "-0.5"}};
        QCOMPARE(defaultRunName(c, 7), std::string("twotower #7"));
        c.params["user_tower"] = "attention";
        QCOMPARE(defaultRunName(c, 7), std::string("twotower (user_tower=attention) #7"));
        c.model = "pipeline";
        c.params = {{"retriever.user_tower", "attention"}, {"ranker.train_on", "train"}};
        QCOMPARE(
            defaultRunName(c, 12),
            std::string("pipeline (ranker.train_on=train, retriever.user_tower=attention) #12"));
    }

    void initTestCase() {
        setComputeThreads(1);
        m_data = smallData();
        Result<RunOutcome> o = runExperiment(m_data, ialsConfig());
        QVERIFY2(o.ok(), o.ok() ? "" : o.error().message.c_str());
        m_outcome = std::make_unique<RunOutcome>(std::move(o).value());
    }

    void identityIsStableAndSensitive() {
        const DatasetIdentity a = datasetIdentity(m_data, "synthetic");
        QCOMPARE(a.users, m_data.numUsers());
        QCOMPARE(a.ratings, m_data.numRatings());
        QCOMPARE(a.format, std::string("synthetic"));
        QCOMPARE(int(a.fingerprint.size()), 16);
        QCOMPARE(datasetIdentity(smallData(), "x").fingerprint, a.fingerprint);
        SyntheticConfig cfg;
        cfg.seed = 6;  // other data, same shape
        cfg.users = 200;
        cfg.items = 300;
        cfg.ratings = 12000;
        QVERIFY(datasetIdentity(generateSynthetic(cfg).value(), "x").fingerprint != a.fingerprint);
    }

    void createAppendFinishReopen() {
        QTemporaryDir dir;
        const std::string folder = dir.filePath("ws").toStdString();
        int64_t id = 0;
        {
            Result<std::unique_ptr<Workspace>> ws = Workspace::open(folder);
            QVERIFY2(ws.ok(), ws.ok() ? "" : ws.error().toString().c_str());
            RunRecord rec = recordFor(ialsConfig(), m_data);
            rec.params = {{"iterations", "2"}};
            Result<int64_t> created = ws.value()->createRun(rec);
            QVERIFY(created.ok());
            id = created.value();
            QCOMPARE(id, int64_t(1));
            Result<RunRecord> running = ws.value()->run(id);
            QVERIFY(running.ok());
            QVERIFY(running->status == RunStatus::Running);
            QCOMPARE(running->name, std::string("ials #1"));
            QCOMPARE(int(running->createdAt.size()), 20);  // 2024-01-02T03:04:05Z
            QVERIFY(ws.value()->appendEpoch(id, epoch(1, 0.9)).ok());
            QVERIFY(ws.value()->appendEpoch(id, epoch(2, NAN)).ok());
            const RunRecord live = ws.value()->run(id).value();
            QCOMPARE(int(live.epochs.size()), 2);
            QCOMPARE(live.epochs[0].validation.at("recall@10"), 0.02);
            QCOMPARE(live.epochs[1].seconds, 1.0);
            QVERIFY(std::isnan(live.epochs[1].trainLoss));  // NaN survives as NaN

            // A second Workspace of this same process does not take the run for interrupted.
            Result<std::unique_ptr<Workspace>> other = Workspace::open(folder);
            QVERIFY(other.ok());
            QVERIFY(other.value()->run(id)->status == RunStatus::Running);

            QVERIFY(ws.value()->finishRun(id, *m_outcome).ok());
            QVERIFY(ws.value()->createRun(recordFor(ialsConfig(), m_data)).ok());
            QVERIFY(ws.value()->failRun(2, RunStatus::Failed, "loss is NaN").ok());
            QVERIFY(!ws.value()->failRun(99, RunStatus::Failed, "x").ok());
        }
        Result<std::unique_ptr<Workspace>> ws = Workspace::open(folder);
        QVERIFY(ws.ok());
        Result<std::vector<RunRecord>> runs = ws.value()->runs();
        QVERIFY(runs.ok());
        QCOMPARE(int(runs->size()), 2);
        const RunRecord& r = runs.value()[0];
        QCOMPARE(r.id, id);
        QVERIFY(r.status == RunStatus::Finished);
        QCOMPARE(r.message, std::string());
        QCOMPARE(r.config.model, std::string("ials"));
        QCOMPARE(r.config.params, ialsConfig().params);
        QCOMPARE(r.config.split.threshold, 3.5);
        QCOMPARE(r.dataset.fingerprint, datasetIdentity(m_data, "synthetic").fingerprint);
        QCOMPARE(r.params, m_outcome->params);
        QCOMPARE(r.metrics, m_outcome->test.metrics);  // doubles survive exactly
        QCOMPARE(r.usersEvaluated, m_outcome->test.usersEvaluated);
        QCOMPARE(r.trainSeconds, m_outcome->trainSeconds);
        QCOMPARE(r.fitOnTrainAndValidation, m_outcome->fitOnTrainAndValidation);
        QCOMPARE(r.trainRatings, m_outcome->trainRatings);
        // The outcome's epochs (ials reports one per iteration) replace those appended live.
        QCOMPARE(int(r.epochs.size()), 2);
        QCOMPARE(int(m_outcome->epochs.size()), 2);
        for (size_t i = 0; i < 2; ++i) {
            QCOMPARE(r.epochs[i].epoch, m_outcome->epochs[i].epoch);
            QCOMPARE(r.epochs[i].trainLoss, m_outcome->epochs[i].trainLoss);
        }
        QCOMPARE(r.checkpoint, std::string("runs/1/model.bin"));
        QCOMPARE(ws.value()->absoluteCheckpoint(r), folder + "/runs/1/model.bin");
        const RunRecord& failed = runs.value()[1];
        QVERIFY(failed.status == RunStatus::Failed);
        QCOMPARE(failed.message, std::string("loss is NaN"));
        QVERIFY(ws.value()->absoluteCheckpoint(failed).empty());
        QCOMPARE(ws.value()->integrityCheck().value(), std::string("ok"));

        QVERIFY(ws.value()->renameRun(1, "best so far").ok());
        QCOMPARE(ws.value()->run(1)->name, std::string("best so far"));
        QVERIFY(ws.value()->deleteRun(1).ok());
        QVERIFY(!ws.value()->run(1).ok());
        QVERIFY(!QFileInfo::exists(dir.filePath("ws/runs/1")));
        QCOMPARE(int(ws.value()->runs()->size()), 1);
        QVERIFY(ws.value()->perUser(1)->users.empty());
        // Ids are not reused after a delete.
        QCOMPARE(ws.value()->createRun(recordFor(ialsConfig(), m_data)).value(), int64_t(3));
    }

    // A two-stage model reports epochs 1..n of its retriever, then 1..m of its ranker: all are
    // kept, in order, both when appended live and when finishRun writes the outcome's list.
    void epochsKeepOrderAcrossStages() {
        QTemporaryDir dir;
        Result<std::unique_ptr<Workspace>> ws = Workspace::open(dir.path().toStdString());
        const int64_t id = ws.value()->createRun(recordFor(ialsConfig(), m_data)).value();
        for (const EpochReport& e : {epoch(1, 0.9), epoch(2, 0.8), epoch(1, 0.7)})
            QVERIFY(ws.value()->appendEpoch(id, e).ok());
        std::vector<EpochReport> live = ws.value()->run(id)->epochs;
        QCOMPARE(int(live.size()), 3);
        QCOMPARE(live[2].epoch, 1);
        QCOMPARE(live[2].trainLoss, 0.7);
        RunOutcome outcome;
        outcome.epochs = {epoch(1, 0.5), epoch(1, 0.4)};
        outcome.test.metrics = {{"ndcg@10", 0.1}};
        QVERIFY(ws.value()->finishRun(id, outcome).ok());
        const RunRecord r = ws.value()->runs()->front();
        QCOMPARE(int(r.epochs.size()), 2);
        QCOMPARE(r.epochs[0].trainLoss, 0.5);
        QCOMPARE(r.epochs[1].trainLoss, 0.4);
        QVERIFY(r.checkpoint.empty());  // no model in the outcome
    }

    void perUserRoundTrip() {
        QTemporaryDir dir;
        Result<std::unique_ptr<Workspace>> ws = Workspace::open(dir.path().toStdString());
        QVERIFY(ws.ok());
        const int64_t id = ws.value()->createRun(recordFor(ialsConfig(), m_data)).value();
        QVERIFY(ws.value()->finishRun(id, *m_outcome).ok());
        Result<PerUserMetrics> p = ws.value()->perUser(id);
        QVERIFY(p.ok());
        QCOMPARE(p->users, m_outcome->test.users);
        QCOMPARE(p->values, m_outcome->test.perUser);
        QVERIFY(p->values.count("ndcg@10"));
        QCOMPARE(int(p->users.size()), m_outcome->test.usersEvaluated);
    }

    // The checkpoint reloads into a model that scores exactly like the trained one.
    void checkpointReloadScoresEqual() {
        QTemporaryDir dir;
        Result<std::unique_ptr<Workspace>> ws = Workspace::open(dir.path().toStdString());
        const int64_t id = ws.value()->createRun(recordFor(ialsConfig(), m_data)).value();
        QVERIFY(ws.value()->finishRun(id, *m_outcome).ok());
        const std::string path = ws.value()->absoluteCheckpoint(ws.value()->run(id).value());
        QVERIFY(QFileInfo::exists(QString::fromStdString(path)));
        // No temporary file is left beside it.
        QCOMPARE(QDir(dir.filePath("runs/1")).entryList(QDir::NoDotAndDotDot | QDir::AllEntries),
                 QStringList{"model.bin"});
        std::unique_ptr<Recommender> loaded = createModel("ials");
        QVERIFY(loaded->load(path).ok());
        const std::vector<int32_t> users = {0, 1, 17, 199};
        QCOMPARE(scores(*loaded, users), scores(*m_outcome->model, users));
    }

    void runDirectoryRoundTripAndImport() {
        QTemporaryDir dir;
        const std::string runDir = dir.filePath("run").toStdString();
        RunRecord rec = recordFor(ialsConfig(), m_data);
        applyOutcome(rec, *m_outcome);
        rec.name = "from elsewhere";
        rec.createdAt = "2024-05-06T07:08:09Z";
        rec.epochs = {epoch(1, 0.5)};
        const PerUserMetrics perUser = perUserMetrics(m_outcome->test);
        QVERIFY(writeRunDirectory(runDir, rec, perUser, m_outcome->model.get()).ok());
        for (const char* f : {"run.json", "per_user.csv", "model.bin"})
            QVERIFY2(QFileInfo::exists(dir.filePath(QString("run/") + f)), f);

        Result<RunDirectoryContents> back = readRunDirectory(runDir);
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().toString().c_str());
        QCOMPARE(back->record.name, rec.name);
        QCOMPARE(back->record.createdAt, rec.createdAt);
        QVERIFY(back->record.status == RunStatus::Finished);
        QCOMPARE(back->record.metrics, rec.metrics);
        QCOMPARE(back->record.params, rec.params);
        QCOMPARE(back->record.dataset.fingerprint, rec.dataset.fingerprint);
        QCOMPARE(back->record.epochs.size(), size_t(1));
        QCOMPARE(back->record.config.params, rec.config.params);
        QCOMPARE(back->perUser.users, perUser.users);
        QCOMPARE(back->perUser.values, perUser.values);  // %.9g text reads back bit-exact
        QVERIFY(!back->checkpoint.empty());

        Result<std::unique_ptr<Workspace>> ws = Workspace::open(dir.filePath("ws").toStdString());
        Result<int64_t> id = ws.value()->importRunDirectory(runDir);
        QVERIFY2(id.ok(), id.ok() ? "" : id.error().toString().c_str());
        const RunRecord imported = ws.value()->run(id.value()).value();
        QCOMPARE(imported.name, rec.name);
        QCOMPARE(imported.createdAt, rec.createdAt);
        QCOMPARE(imported.metrics, rec.metrics);
        QCOMPARE(imported.epochs.size(), size_t(1));
        QCOMPARE(ws.value()->perUser(id.value())->values, perUser.values);
        std::unique_ptr<Recommender> loaded = createModel("ials");
        QVERIFY(loaded->load(ws.value()->absoluteCheckpoint(imported)).ok());
        QCOMPARE(scores(*loaded, {3, 4}), scores(*m_outcome->model, {3, 4}));
    }

    void runDirectoryErrors() {
        QTemporaryDir dir;
        const QString runDir = dir.filePath("run");
        RunRecord rec = recordFor(ialsConfig(), m_data);
        applyOutcome(rec, *m_outcome);
        QVERIFY(
            writeRunDirectory(runDir.toStdString(), rec, perUserMetrics(m_outcome->test), nullptr)
                .ok());
        QVERIFY(!QFileInfo::exists(runDir + "/model.bin"));
        QVERIFY(readRunDirectory(runDir.toStdString()).ok());

        // A per-user file with a bad cell: the error names the file and line.
        std::ifstream in((runDir + "/per_user.csv").toStdString());
        std::string header, first;
        std::getline(in, header);
        std::getline(in, first);
        in.close();
        writeText(runDir + "/per_user.csv", header + "\n" + first + "\n7,abc\n");
        Result<RunDirectoryContents> r = readRunDirectory(runDir.toStdString());
        QVERIFY(!r.ok());
        QVERIFY2(r.error().file.find("per_user.csv") != std::string::npos,
                 r.error().toString().c_str());
        QCOMPARE(r.error().line, int64_t(3));

        // Malformed JSON names run.json and its line; a missing field is named.
        writeText(runDir + "/run.json", "{\n  \"format\": \"recscope-run\",\n  oops\n}\n");
        r = readRunDirectory(runDir.toStdString());
        QVERIFY(!r.ok());
        QVERIFY(r.error().file.find("run.json") != std::string::npos);
        QCOMPARE(r.error().line, int64_t(3));
        // A number the parser cannot hold (fuzz_runfolder's first finding: it ended the
        // program) is malformed JSON like any other.
        writeText(runDir + "/run.json", "{\"format\":1e307445734561821\"");
        r = readRunDirectory(runDir.toStdString());
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.find("malformed JSON") != std::string::npos,
                 r.error().toString().c_str());
        QVERIFY(r.error().file.find("run.json") != std::string::npos);
        writeText(runDir + "/run.json", "{\"format\": 1e99999}");
        r = readRunDirectory(runDir.toStdString());
        QVERIFY(!r.ok());
        QVERIFY(r.error().code == ErrorCode::BadInput);
        writeText(runDir + "/run.json", "{\"format\": \"recscope-run\", \"version\": 1}");
        r = readRunDirectory(runDir.toStdString());
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.find("'name'") != std::string::npos, r.error().message.c_str());

        // No run.json (an incomplete folder) is not a run.
        QFile::remove(runDir + "/run.json");
        r = readRunDirectory(runDir.toStdString());
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.find("run.json") != std::string::npos);
        Result<std::unique_ptr<Workspace>> ws = Workspace::open(dir.filePath("ws").toStdString());
        QVERIFY(!ws.value()->importRunDirectory(runDir.toStdString()).ok());
        QVERIFY(ws.value()->runs()->empty());  // nothing half-imported
    }

    // A run folder is someone else's: the files it names stay inside it. Each case is refused
    // naming the file, and an import of it records nothing and leaves no files behind.
    void runFolderConfinement_data() {
        QTest::addColumn<QString>("checkpoint");  // run.json's "checkpoint" (JSON text)
        QTest::addColumn<QString>("link");        // a symbolic link to make: "name -> target"
        QTest::addColumn<QString>("says");
        QTest::newRow("absolute path") << "\"/etc/hostname\""
                                       << ""
                                       << "outside the run folder";
        QTest::newRow("climbs out") << "\"../outside.bin\""
                                    << ""
                                    << "outside the run folder";
        QTest::newRow("climbs out midway") << "\"sub/../../outside.bin\""
                                           << ""
                                           << "outside the run folder";
        QTest::newRow("not a name") << "42"
                                    << ""
                                    << "'checkpoint' must be a file name";
        QTest::newRow("missing file") << "\"gone.bin\""
                                      << ""
                                      << "checkpoint that is missing";
        QTest::newRow("model is a link") << "\"model.bin\""
                                         << "model.bin -> ../outside.bin"
                                         << "symbolic link";
        QTest::newRow("link inside a model folder") << "\"model\""
                                                    << "model/weights -> ../../outside.bin"
                                                    << "symbolic link";
        QTest::newRow("link on the way") << "\"deep/model.bin\""
                                         << "deep -> .."
                                         << "symbolic link";
        QTest::newRow("run.json is a link") << "null"
                                            << "run.json -> ../outside.json"
                                            << "symbolic link";
        QTest::newRow("per_user.csv is a link") << "null"
                                                << "per_user.csv -> ../outside.bin"
                                                << "symbolic link";
        QTest::newRow("per_user.csv is a folder") << "null"
                                                  << "per_user.csv/ -> "
                                                  << "not a plain file";
    }

    void runFolderConfinement() {
        QFETCH(QString, checkpoint);
        QFETCH(QString, link);
        QFETCH(QString, says);
        QTemporaryDir dir;
        const QString runDir = dir.filePath("run");
        RunRecord rec = recordFor(ialsConfig(), m_data);
        applyOutcome(rec, *m_outcome);
        QVERIFY(writeRunDirectory(runDir.toStdString(), rec, perUserMetrics(m_outcome->test),
                                  m_outcome->model.get())
                    .ok());
        writeText(dir.filePath("outside.bin"), "secret");
        QFile json(runDir + "/run.json");
        QVERIFY(json.open(QIODevice::ReadOnly));
        QByteArray text = json.readAll();
        json.close();
        QJsonObject object = QJsonDocument::fromJson(text).object();
        object.insert("checkpoint",
                      QJsonDocument::fromJson("[" + checkpoint.toUtf8() + "]").array().at(0));
        writeText(dir.filePath("outside.json"), QJsonDocument(object).toJson().toStdString());
        writeText(runDir + "/run.json", QJsonDocument(object).toJson().toStdString());
        QDir(runDir).mkpath("model");
        writeText(runDir + "/model/part", "x");
        if (!link.isEmpty()) {
            const QStringList parts = link.split(" -> ");
            const QString name = parts[0];
            if (name.endsWith('/')) {  // a folder where a file belongs
                QFile::remove(runDir + "/" + name.chopped(1));
                QVERIFY(QDir(runDir).mkpath(name.chopped(1)));
            } else {
                QFile::remove(runDir + "/" + name);
                QVERIFY(QFile::link(parts[1], runDir + "/" + name));
            }
        }
        const Result<RunDirectoryContents> r = readRunDirectory(runDir.toStdString());
        QVERIFY2(!r.ok(), "the folder was accepted");
        QVERIFY2(r.error().message.find(says.toStdString()) != std::string::npos,
                 r.error().toString().c_str());
        QVERIFY(!r.error().file.empty());
        QVERIFY(r.error().code == ErrorCode::BadInput);
        Result<std::unique_ptr<Workspace>> ws = Workspace::open(dir.filePath("ws").toStdString());
        QVERIFY(ws.ok());
        QVERIFY(!ws.value()->importRunDirectory(runDir.toStdString()).ok());
        QVERIFY(ws.value()->runs()->empty());
        QVERIFY(QDir(dir.filePath("ws/runs")).isEmpty());
    }

    // An import killed at any moment leaves either the whole run (with its whole checkpoint)
    // or nothing: no row, no folder, no temporary file. Twelve kills spread over the time a whole
    // import takes (at least one lands inside the copy), and one after it has finished.
    void killedImportLeavesAllOrNothing() {
        QTemporaryDir dir;
        const std::string runDir = dir.filePath("run").toStdString();
        RunRecord rec = recordFor(ialsConfig(), m_data);
        applyOutcome(rec, *m_outcome);
        QVERIFY(
            writeRunDirectory(runDir, rec, perUserMetrics(m_outcome->test), m_outcome->model.get())
                .ok());
        {  // a big checkpoint, so that the copy takes a while (import does not read it)
            std::ofstream out(runDir + "/model.bin", std::ios::binary | std::ios::trunc);
            const std::string block(1 << 20, 'x');
            for (int i = 0; i < 96; ++i)
                out << block;
        }
        const qint64 bytes = QFileInfo(QString::fromStdString(runDir + "/model.bin")).size();
        QElapsedTimer timer;
        timer.start();
        {
            auto ws = Workspace::open(dir.filePath("timing").toStdString());
            QVERIFY(ws.ok() && ws.value()->importRunDirectory(runDir).ok());
        }
        const qint64 whole = std::max<qint64>(timer.nsecsElapsed() / 1000, 2000);  // µs

        int midway = 0, complete = 0;
        for (int step = 0; step <= 12; ++step) {
            const QString folder = dir.filePath(QString("ws%1").arg(step));
            QVERIFY(Workspace::open(folder.toStdString()).ok());
            const bool killed = test::runAndKill(
                [&] {
                    auto ws = Workspace::open(folder.toStdString());
                    if (ws.ok())
                        (void)ws.value()->importRunDirectory(runDir);
                },
                // The last one leaves it time to finish.
                std::chrono::microseconds(step == 12 ? whole * 20 : whole * step / 10));
            const bool leftAFolder = QDir(folder + "/runs/1").exists();
            auto ws = Workspace::open(folder.toStdString());
            QVERIFY(ws.ok());
            QCOMPARE(ws.value()->integrityCheck().value(), std::string("ok"));
            const std::vector<RunRecord> runs = ws.value()->runs().value();
            QVERIFY(runs.size() <= 1);
            if (runs.size() == 1) {
                ++complete;
                QCOMPARE(runs[0].metrics, rec.metrics);
                QCOMPARE(ws.value()->perUser(runs[0].id)->users.size(),
                         perUserMetrics(m_outcome->test).users.size());
                QCOMPARE(QFileInfo(QString::fromStdString(ws.value()->absoluteCheckpoint(runs[0])))
                             .size(),
                         bytes);
            } else {
                midway += killed && leftAFolder ? 1 : 0;
                QVERIFY2(!QDir(folder + "/runs/1").exists(),
                         qPrintable(QString("kill %1: an orphan run folder stayed").arg(step)));
            }
            QDirIterator files(folder + "/runs", QDir::Files, QDirIterator::Subdirectories);
            while (files.hasNext())
                QVERIFY2(!files.next().contains(".tmp-"), qPrintable(files.filePath()));
        }
        QVERIFY2(midway >= 1, "no kill landed inside the import's copy: the test proved nothing");
        QVERIFY(complete >= 1);
    }

    // A run whose writer died is Interrupted when the workspace is opened again; while the
    // writer lives, it stays Running. A forked child plays the writer.
    void deadWritersRunBecomesInterrupted() {
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString();
        QVERIFY(Workspace::open(folder).ok());  // created (and this process's token made)
        int ready[2];
        QVERIFY(::pipe(ready) == 0);
        const pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            ::close(ready[0]);
            Result<std::unique_ptr<Workspace>> ws = Workspace::open(folder);
            const bool ok = ws.ok() &&
                            ws.value()->createRun(recordFor(ialsConfig(), m_data)).ok() &&
                            ws.value()->appendEpoch(1, epoch(1, 0.3)).ok();
            // A half-written checkpoint, as a kill during save would leave it.
            std::ofstream((folder + "/runs/1/model.bin.tmp-" + std::to_string(::getpid())))
                << "partial";
            const char byte = ok ? 'y' : 'n';
            if (::write(ready[1], &byte, 1) != 1)
                ::_exit(1);
            ::pause();  // until killed
            ::_exit(0);
        }
        ::close(ready[1]);
        char byte = 0;
        QCOMPARE(::read(ready[0], &byte, 1), ssize_t(1));
        ::close(ready[0]);
        QCOMPARE(byte, 'y');
        {
            Result<std::unique_ptr<Workspace>> ws = Workspace::open(folder);
            QVERIFY(ws.ok());
            QVERIFY(ws.value()->run(1)->status == RunStatus::Running);  // the writer lives
        }
        ::kill(child, SIGKILL);
        int status = 0;
        QCOMPARE(::waitpid(child, &status, 0), child);
        Result<std::unique_ptr<Workspace>> ws = Workspace::open(folder);
        QVERIFY(ws.ok());
        const RunRecord r = ws.value()->run(1).value();
        QVERIFY(r.status == RunStatus::Interrupted);
        QVERIFY(!r.message.empty());
        QCOMPARE(int(r.epochs.size()), 1);
        QVERIFY(r.checkpoint.empty());
        QVERIFY(QDir(dir.filePath("runs/1")).entryList(QDir::Files).isEmpty());  // temp removed
        QCOMPARE(ws.value()->markInterruptedRuns().value(), 0);  // nothing left to mark
        QCOMPARE(ws.value()->integrityCheck().value(), std::string("ok"));
    }

    void badWorkspaceFilesGiveClearErrors() {
        QTemporaryDir dir;
        // A text file where the database should be.
        QDir().mkpath(dir.filePath("junk"));
        writeText(dir.filePath("junk/workspace.db"),
                  std::string(4096, 'x') + "this is not a database at all\n");
        Result<std::unique_ptr<Workspace>> ws = Workspace::open(dir.filePath("junk").toStdString());
        QVERIFY(!ws.ok());
        QVERIFY2(ws.error().message.find("not a RecScope workspace") != std::string::npos,
                 ws.error().toString().c_str());
        QVERIFY(ws.error().file.find("workspace.db") != std::string::npos);
        // The file is left as it was (nothing overwritten).
        QCOMPARE(QFileInfo(dir.filePath("junk/workspace.db")).size(), qint64(4096 + 30));

        // Our database with its header patched (SQLite keeps user_version at byte 60 and
        // application_id at byte 68, big-endian): a newer schema, then another program's.
        const QString patched = dir.filePath("patched");
        QVERIFY(Workspace::open(patched.toStdString()).ok());
        const auto patch = [&](int offset, char value) {
            QFile f(patched + "/workspace.db");
            QVERIFY(f.open(QIODevice::ReadWrite));
            QVERIFY(f.seek(offset + 3));
            QVERIFY(f.write(&value, 1) == 1);
        };
        patch(60, 9);
        ws = Workspace::open(patched.toStdString());
        QVERIFY(!ws.ok());
        QVERIFY2(ws.error().message.find("newer RecScope (schema 9") != std::string::npos,
                 ws.error().toString().c_str());
        patch(60, 1);
        QVERIFY(Workspace::open(patched.toStdString()).ok());
        patch(68, 'x');
        ws = Workspace::open(patched.toStdString());
        QVERIFY(!ws.ok());
        QVERIFY2(ws.error().message.find("another program") != std::string::npos,
                 ws.error().toString().c_str());

        // A file where the folder should be.
        writeText(dir.filePath("plain"), "x");
        ws = Workspace::open(dir.filePath("plain").toStdString());
        QVERIFY(!ws.ok());
        QVERIFY2(ws.error().message.find("not a folder") != std::string::npos,
                 ws.error().toString().c_str());
        // A run folder that does not exist.
        Result<std::unique_ptr<Workspace>> good = Workspace::open(dir.filePath("ok").toStdString());
        QVERIFY(good.ok());
        QVERIFY(!good.value()->importRunDirectory(dir.filePath("missing").toStdString()).ok());
    }
};

QTEST_GUILESS_MAIN(TestWorkspace)
#include "tst_workspace.moc"
