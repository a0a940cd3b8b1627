// The leaderboard over a real workspace written with the core API (finished runs with metrics
// and per-user vectors, a running run, a failed run; no training): model testers on the model
// and the proxy, best marks against hand-picked values, numeric sorting with empty cells last,
// every export read back and compared with the table shown, TSV on the clipboard, per-user CSV
// equal to the stored vectors, the paired comparison equal to core's (and to hand counts), live
// updates from the session's signals, rename and delete.

#include <QtTest>

#include <QAbstractItemModelTester>
#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardItemModel>
#include <QTableView>
#include <QTemporaryDir>

#include <memory>

#include "core/eval/PairedComparison.h"
#include "core/workspace/Workspace.h"
#include "ui/leaderboard/LeaderboardModel.h"
#include "ui/leaderboard/LeaderboardProxyModel.h"
#include "ui/leaderboard/LeaderboardView.h"
#include "ui/leaderboard/PairedComparisonDialog.h"
#include "ui/session/WorkspaceSession.h"
#include "ui/widgets/ConfirmDialog.h"
#include "ui/widgets/FileDialog.h"
#include "ui/widgets/MessageBanner.h"

using namespace recscope;
using namespace recscope::ui;

namespace {

using Metrics = std::map<std::string, double>;
using PerUser = std::map<std::string, std::vector<float>>;

RunRecord record(const std::string& model, const std::string& name = {}) {
    RunRecord r;
    r.name = name;
    r.config.model = model;
    r.config.dataset = "demo";
    r.dataset.name = "demo";
    r.dataset.users = 10;
    r.dataset.items = 20;
    r.dataset.ratings = 100;
    r.params = {{"factors", "64"}, {"epochs", "3"}};
    return r;
}

RunOutcome outcome(Metrics metrics, std::vector<int32_t> users, PerUser perUser,
                   double trainSeconds) {
    RunOutcome o;
    o.params = {{"factors", "64"}, {"epochs", "3"}};
    o.test.metrics = std::move(metrics);
    o.test.users = std::move(users);
    o.test.usersEvaluated = int32_t(o.test.users.size());
    o.test.perUser = std::move(perUser);
    o.trainSeconds = trainSeconds;
    o.evalSeconds = 0.25;
    return o;
}

// RFC 4180: quoted cells may hold commas, quotes ("") and newlines.
QList<QStringList> parseCsv(const QString& text) {
    QList<QStringList> rows;
    QStringList row;
    QString cell;
    bool quoted = false;
    for (int i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == QLatin1Char('"')) {
                if (i + 1 < text.size() && text[i + 1] == QLatin1Char('"')) {
                    cell += c;
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                cell += c;
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            row << cell;
            cell.clear();
        } else if (c == QLatin1Char('\n')) {
            row << cell;
            rows << row;
            row.clear();
            cell.clear();
        } else if (c != QLatin1Char('\r')) {
            cell += c;
        }
    }
    if (!cell.isEmpty() || !row.isEmpty()) {
        row << cell;
        rows << row;
    }
    return rows;
}

QString readText(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

EvalResult evalOf(const std::vector<int32_t>& users, const PerUser& perUser) {
    EvalResult r;
    r.users = users;
    r.perUser = perUser;
    r.usersEvaluated = int32_t(users.size());
    return r;
}

}  // namespace

class TestLeaderboard : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void countsAndColumns();
    void bestMarks();
    void sortsNumerically();
    void runningAndFailedRows();
    void chooserChangesColumns();
    void exportCsvMatchesTable();
    void exportJsonMatchesTable();
    void exportMarkdownAndLatex();
    void copyTsv();
    void perUserCsv();
    void pairedComparison();
    void liveUpdates();
    void renameAndDelete();
    void screenshot();

private:
    QStringList shownRow(int proxyRow) const;
    int metricColumn(const QString& key) const { return m_view->model()->columnOfMetric(key); }

    QTemporaryDir m_tmp;
    QString m_folder;
    int m_copy = 0;
    std::unique_ptr<WorkspaceSession> m_session;
    std::unique_ptr<LeaderboardView> m_view;
    std::unique_ptr<QAbstractItemModelTester> m_modelTester;
    std::unique_ptr<QAbstractItemModelTester> m_proxyTester;
    // Ids of the runs written in initTestCase.
    qint64 m_ease = 0, m_knn = 0, m_pop = 0, m_mf = 0, m_svd = 0, m_running = 0, m_failed = 0;
    std::vector<int32_t> m_easeUsers, m_knnUsers;
    PerUser m_easePerUser, m_knnPerUser;
};

void TestLeaderboard::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_tmp.isValid());
    m_folder = m_tmp.filePath(QStringLiteral("template"));
    auto opened = Workspace::open(m_folder.toStdString());
    QVERIFY2(opened.ok(), opened.ok() ? "" : opened.error().toString().c_str());
    Workspace& ws = *opened.value();

    const auto add = [&](const RunRecord& r, const RunOutcome& o) -> qint64 {
        Result<int64_t> id = ws.createRun(r);
        if (!id)
            return 0;
        if (Status s = ws.finishRun(id.value(), o); !s)
            return 0;
        return id.value();
    };
    // Hand-picked values: ease best NDCG@10, knn best Recall@10 and Coverage@10, ease and knn
    // tie on HR@10; the name with a comma and quotes exercises CSV quoting.
    m_easeUsers = {1, 2, 3, 4, 5};
    m_easePerUser = {{"ndcg@10", {0.9f, 0.5f, 0.2f, 0.3f, 0.1f}},
                     {"recall@10", {1.0f, 0.5f, 0.0f, 0.25f, 0.125f}},
                     {"hit@10", {1, 1, 0, 1, 1}}};
    m_knnUsers = {2, 3, 4, 5, 6, 7};
    m_knnPerUser = {{"ndcg@10", {0.4f, 0.2f, 0.6f, 0.0f, 0.7f, 0.3f}},
                    {"recall@10", {0.5f, 0.5f, 0.5f, 0.0f, 1.0f, 0.5f}},
                    {"hit@10", {1, 1, 1, 0, 1, 1}}};
    m_ease = add(record("ease", "ease, \"tuned\""), outcome({{"ndcg@10", 0.30},
                                                             {"recall@10", 0.20},
                                                             {"hit@10", 0.50},
                                                             {"coverage@10", 0.10},
                                                             {"avgpop@10", 200.0},
                                                             {"ndcg@20", 0.35}},
                                                            m_easeUsers, m_easePerUser, 1.5));
    // itemknn: lists excluding every rated item, fitted on train + validation.
    RunRecord knn = record("itemknn");
    knn.config.split.exclude = ExcludeRule::Rated;
    RunOutcome knnOutcome = outcome({{"ndcg@10", 0.25},
                                     {"recall@10", 0.22},
                                     {"hit@10", 0.50},
                                     {"coverage@10", 0.30},
                                     {"avgpop@10", 150.0},
                                     {"ndcg@20", 0.40}},
                                    m_knnUsers, m_knnPerUser, 12.25);
    knnOutcome.fitOnTrainAndValidation = true;
    m_knn = add(knn, knnOutcome);
    m_pop = add(record("pop"), outcome({{"ndcg@10", 0.10},
                                        {"recall@10", 0.05},
                                        {"hit@10", 0.30},
                                        {"coverage@10", 0.01},
                                        {"avgpop@10", 400.0}},
                                       {}, {}, 0.1));
    m_mf =
        add(record("mf"), outcome({{"rmse", 0.91}, {"mae", 0.74}, {"ndcg@10", 0.02}}, {}, {}, 3.0));
    m_svd = add(record("puresvd"), outcome({{"rmse", 0.95}, {"mae", 0.70}}, {}, {}, 2.0));
    Result<int64_t> running = ws.createRun(record("bpr"));
    QVERIFY(running.ok());
    m_running = running.value();
    EpochReport epoch;
    epoch.epoch = 1;
    epoch.validation = {{"ndcg@10", 0.05}};
    QVERIFY(ws.appendEpoch(m_running, epoch).ok());
    epoch.epoch = 2;
    QVERIFY(ws.appendEpoch(m_running, epoch).ok());
    Result<int64_t> failed = ws.createRun(record("neumf"));
    QVERIFY(failed.ok());
    m_failed = failed.value();
    QVERIFY(ws.failRun(m_failed, RunStatus::Failed, "NaN loss in epoch 1").ok());
    QVERIFY(m_ease && m_knn && m_pop && m_mf && m_svd);
}

void TestLeaderboard::init() {
    // Each test gets a fresh copy of the template workspace, so edits do not leak between tests.
    const QString folder = m_tmp.filePath(QStringLiteral("ws%1").arg(++m_copy));
    QVERIFY(QDir().mkpath(folder));
    for (const QString& name : QDir(m_folder).entryList(QDir::Files))
        QVERIFY(QFile::copy(QDir(m_folder).filePath(name), QDir(folder).filePath(name)));
    m_session = std::make_unique<WorkspaceSession>();
    QString error;
    QVERIFY2(m_session->open(folder, &error), qPrintable(error));
    m_view = std::make_unique<LeaderboardView>(m_session.get());
    m_view->resize(1200, 420);
    m_modelTester = std::make_unique<QAbstractItemModelTester>(
        m_view->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_proxyTester = std::make_unique<QAbstractItemModelTester>(
        m_view->proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void TestLeaderboard::cleanup() {
    m_proxyTester.reset();
    m_modelTester.reset();
    m_view.reset();
    m_session.reset();
}

QStringList TestLeaderboard::shownRow(int proxyRow) const {
    QStringList cells;
    const QAbstractItemModel* proxy = m_view->proxy();
    for (int c = 0; c < proxy->columnCount(); ++c)
        cells << proxy->index(proxyRow, c).data().toString();
    return cells;
}

void TestLeaderboard::countsAndColumns() {
    LeaderboardModel* model = m_view->model();
    QCOMPARE(model->rowCount(), 7);
    // Default: HR, Recall, NDCG, MRR, Coverage, RMSE, MAE at K = 10, where some run has them.
    QStringList keys;
    for (int c = LeaderboardModel::FirstMetricColumn; c < model->columnCount(); ++c)
        keys << model->metricKey(c);
    QCOMPARE(keys, (QStringList{"hit@10", "recall@10", "ndcg@10", "coverage@10", "rmse", "mae"}));
    QCOMPARE(model->columnCount(), LeaderboardModel::FirstMetricColumn + 6);
    QCOMPARE(model->headerData(metricColumn("ndcg@10"), Qt::Horizontal).toString(),
             QStringLiteral("NDCG@10"));
    QCOMPARE(model->headerData(metricColumn("hit@10"), Qt::Horizontal).toString(),
             QStringLiteral("HR@10"));
    QCOMPARE(model->availableKs(), (QList<int>{10, 20}));
    QCOMPARE(model->availableFamilies(),
             (QStringList{"hit", "recall", "ndcg", "coverage", "avgpop", "rmse", "mae"}));

    const int row = model->rowOfRun(m_ease);
    QCOMPARE(model->index(row, LeaderboardModel::NameColumn).data().toString(),
             QStringLiteral("ease, \"tuned\""));
    QCOMPARE(model->index(row, LeaderboardModel::ModelColumn).data().toString(),
             QStringLiteral("ease"));
    QCOMPARE(model->index(row, LeaderboardModel::DatasetColumn).data().toString(),
             QStringLiteral("demo"));
    QCOMPARE(model->index(row, LeaderboardModel::ProtocolColumn).data().toString(),
             QStringLiteral("temporal"));
    QCOMPARE(model->index(row, LeaderboardModel::StatusColumn).data().toString(),
             QStringLiteral("Finished"));
    QCOMPARE(model->index(row, LeaderboardModel::TrainSecondsColumn).data().toString(),
             QStringLiteral("1.5"));
    // The list rule and what the model was fitted on sit beside the numbers.
    QCOMPARE(model->index(row, LeaderboardModel::ExcludeColumn).data().toString(),
             QStringLiteral("positives"));
    QCOMPARE(model->index(row, LeaderboardModel::FitOnColumn).data().toString(),
             QStringLiteral("train"));
    const int knnRow = model->rowOfRun(m_knn);
    QCOMPARE(model->index(knnRow, LeaderboardModel::ExcludeColumn).data().toString(),
             QStringLiteral("rated"));
    QCOMPARE(model->index(knnRow, LeaderboardModel::FitOnColumn).data().toString(),
             QStringLiteral("train+val"));
    QCOMPARE(model->headerData(LeaderboardModel::ExcludeColumn, Qt::Horizontal).toString(),
             QStringLiteral("Excludes"));
    QCOMPARE(model->index(row, metricColumn("ndcg@10")).data().toString(),
             QStringLiteral("0.3000"));
    // A run without a name shows "<model> #<id>"; tooltips carry the parameters.
    QCOMPARE(model->index(model->rowOfRun(m_knn), 0).data().toString(),
             QStringLiteral("itemknn #%1").arg(m_knn));
    const QString tip =
        model->index(row, LeaderboardModel::ModelColumn).data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(QStringLiteral("factors = 64")), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("temporal")), qPrintable(tip));
}

void TestLeaderboard::bestMarks() {
    LeaderboardModel* model = m_view->model();
    // Expected best runs per column, worked out from the values written in initTestCase.
    const std::map<QString, QSet<qint64>> expected = {
        {"ndcg@10", {m_ease}},
        {"recall@10", {m_knn}},
        {"hit@10", {m_ease, m_knn}},
        {"coverage@10", {m_knn}},
        {"rmse", {m_mf}},
        {"mae", {m_svd}}};  // lower is better for both
    for (const auto& [key, best] : expected) {
        const int column = metricColumn(key);
        QVERIFY(column >= 0);
        for (int row = 0; row < model->rowCount(); ++row) {
            const bool shouldBe = best.contains(model->runId(row));
            const QModelIndex index = model->index(row, column);
            QVERIFY2(index.data(LeaderboardModel::BestRole).toBool() == shouldBe,
                     qPrintable(QStringLiteral("%1 row %2").arg(key).arg(row)));
            QCOMPARE(index.data(Qt::FontRole).value<QFont>().bold(), shouldBe);
            QCOMPARE(index.data(Qt::BackgroundRole).isValid(), shouldBe);
        }
    }
    // AvgPop: lower is better (popularity bias) -> knn (150) over ease (200) and pop (400).
    QStringList families = model->chosenFamilies();
    families << QStringLiteral("avgpop");
    model->setChosenFamilies(families);
    const int avgpop = metricColumn(QStringLiteral("avgpop@10"));
    QVERIFY(avgpop >= 0);
    for (int row = 0; row < model->rowCount(); ++row)
        QCOMPARE(model->isBest(row, avgpop), model->runId(row) == m_knn);
    // Fixed columns never carry a mark.
    QVERIFY(!model->index(0, LeaderboardModel::TrainSecondsColumn)
                 .data(LeaderboardModel::BestRole)
                 .toBool());
}

void TestLeaderboard::sortsNumerically() {
    QTableView* table = m_view->table();
    QAbstractItemModel* proxy = m_view->proxy();
    const auto order = [proxy] {
        QList<qint64> ids;
        for (int r = 0; r < proxy->rowCount(); ++r)
            ids << proxy->index(r, 0).data(LeaderboardModel::RunIdRole).toLongLong();
        return ids;
    };
    // Before any click: creation order.
    QCOMPARE(order(), (QList<qint64>{m_ease, m_knn, m_pop, m_mf, m_svd, m_running, m_failed}));

    const int ndcg = metricColumn(QStringLiteral("ndcg@10"));
    table->sortByColumn(ndcg, Qt::DescendingOrder);
    QList<qint64> ids = order();
    QCOMPARE(ids.mid(0, 4), (QList<qint64>{m_ease, m_knn, m_pop, m_mf}));
    QCOMPARE(QSet<qint64>(ids.begin() + 4, ids.end()), (QSet<qint64>{m_svd, m_running, m_failed}));
    table->sortByColumn(ndcg, Qt::AscendingOrder);
    ids = order();
    QCOMPARE(ids.mid(0, 4), (QList<qint64>{m_mf, m_pop, m_knn, m_ease}));  // empty cells last

    // Train seconds: 12.25 must sort above 3.0 (a text sort would put "3.0" first).
    table->sortByColumn(LeaderboardModel::TrainSecondsColumn, Qt::DescendingOrder);
    QCOMPARE(order().mid(0, 5), (QList<qint64>{m_knn, m_mf, m_svd, m_ease, m_pop}));
}

void TestLeaderboard::runningAndFailedRows() {
    LeaderboardModel* model = m_view->model();
    const int running = model->rowOfRun(m_running);
    QVERIFY(model->index(running, LeaderboardModel::StatusColumn)
                .data()
                .toString()
                .startsWith(QStringLiteral("Running")));
    QVERIFY(model->index(running, LeaderboardModel::StatusColumn)
                .data()
                .toString()
                .contains(QStringLiteral("epoch 2")));
    for (int c = LeaderboardModel::TrainSecondsColumn; c < model->columnCount(); ++c) {
        QVERIFY(model->index(running, c).data().toString().isEmpty());
        QVERIFY(!model->index(running, c).data(LeaderboardModel::SortRole).isValid());
    }
    const int failed = model->rowOfRun(m_failed);
    QCOMPARE(model->index(failed, LeaderboardModel::StatusColumn).data().toString(),
             QStringLiteral("Failed"));
    QVERIFY(model->index(failed, LeaderboardModel::StatusColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("NaN loss")));
}

void TestLeaderboard::chooserChangesColumns() {
    QAction* k20 = m_view->findChild<QAction*>(QStringLiteral("leaderboardK_20"));
    QAction* k10 = m_view->findChild<QAction*>(QStringLiteral("leaderboardK_10"));
    QAction* recall = m_view->findChild<QAction*>(QStringLiteral("leaderboardFamily_recall"));
    QVERIFY(k20 && k10 && recall);
    QVERIFY(k10->isChecked());
    QVERIFY(!k20->isChecked());
    k20->trigger();
    LeaderboardModel* model = m_view->model();
    QVERIFY(metricColumn(QStringLiteral("ndcg@20")) > metricColumn(QStringLiteral("ndcg@10")));
    // Best of NDCG@20: knn (0.40) over ease (0.35).
    QCOMPARE(model->isBest(model->rowOfRun(m_knn), metricColumn(QStringLiteral("ndcg@20"))), true);
    recall->trigger();
    QCOMPARE(metricColumn(QStringLiteral("recall@10")), -1);
    k10->trigger();
    QStringList keys;
    for (int c = LeaderboardModel::FirstMetricColumn; c < model->columnCount(); ++c)
        keys << model->metricKey(c);
    QCOMPARE(keys, (QStringList{"ndcg@20", "rmse", "mae"}));  // K-less columns stay
}

void TestLeaderboard::exportCsvMatchesTable() {
    m_view->table()->sortByColumn(metricColumn(QStringLiteral("recall@10")), Qt::DescendingOrder);
    const QString path = m_tmp.filePath(QStringLiteral("board.csv"));
    FileDialog::instance().setNextPath(path);
    QVERIFY(m_view->exportTable(TableFormat::Csv));
    QCOMPARE(m_view->banner()->type(), MessageBanner::Type::Positive);
    const QList<QStringList> rows = parseCsv(readText(path));
    const QAbstractItemModel* proxy = m_view->proxy();
    QCOMPARE(rows.size(), proxy->rowCount() + 1);
    QStringList headers;
    for (int c = 0; c < proxy->columnCount(); ++c)
        headers << proxy->headerData(c, Qt::Horizontal).toString();
    QCOMPARE(rows[0], headers);
    for (int r = 0; r < proxy->rowCount(); ++r)
        QCOMPARE(rows[r + 1], shownRow(r));
    QCOMPARE(rows[1][0], m_view->model()->index(m_view->model()->rowOfRun(m_knn), 0).data());

    // A name without an extension gets the format's.
    FileDialog::instance().setNextPath(m_tmp.filePath(QStringLiteral("noext")));
    QVERIFY(m_view->exportTable(TableFormat::Csv));
    QVERIFY(QFile::exists(m_tmp.filePath(QStringLiteral("noext.csv"))));
    // Cancelled dialog: nothing written.
    FileDialog::instance().setNextPath(QString());
    QVERIFY(!m_view->exportTable(TableFormat::Csv));
    // An unwritable path shows the error in the banner.
    FileDialog::instance().setNextPath(m_tmp.filePath(QStringLiteral("missing/dir/x.csv")));
    QVERIFY(!m_view->exportTable(TableFormat::Csv));
    QCOMPARE(m_view->banner()->type(), MessageBanner::Type::Error);
}

void TestLeaderboard::exportJsonMatchesTable() {
    m_view->table()->sortByColumn(metricColumn(QStringLiteral("ndcg@10")), Qt::AscendingOrder);
    const QString path = m_tmp.filePath(QStringLiteral("board.json"));
    FileDialog::instance().setNextPath(path);
    QVERIFY(m_view->exportTable(TableFormat::Json));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(readText(path).toUtf8(), &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    QVERIFY(doc.isArray());
    const QJsonArray array = doc.array();
    const QAbstractItemModel* proxy = m_view->proxy();
    QCOMPARE(array.size(), proxy->rowCount());
    for (int r = 0; r < proxy->rowCount(); ++r) {
        const QJsonObject object = array[r].toObject();
        // Best marks: "best" lists the headers of the row's best cells.
        QStringList best;
        for (const QJsonValue& header : object[QStringLiteral("best")].toArray())
            best << header.toString();
        QStringList expectedBest;
        for (int c = 0; c < proxy->columnCount(); ++c)
            if (proxy->index(r, c).data(LeaderboardModel::BestRole).toBool())
                expectedBest << proxy->headerData(c, Qt::Horizontal).toString();
        QCOMPARE(best, expectedBest);
        const qint64 id = proxy->index(r, 0).data(LeaderboardModel::RunIdRole).toLongLong();
        if (id == m_ease)
            QVERIFY(best.contains(QStringLiteral("NDCG@10")));
        for (int c = 0; c < proxy->columnCount(); ++c) {
            const QString header = proxy->headerData(c, Qt::Horizontal).toString();
            QVERIFY2(object.contains(header), qPrintable(header));
            const QJsonValue value = object[header];
            const QString shown = proxy->index(r, c).data().toString();
            const bool numeric =
                proxy->headerData(c, Qt::Horizontal, LeaderboardModel::NumericRole).toBool();
            if (!numeric) {
                QCOMPARE(value.toString(), shown);
            } else if (shown.isEmpty()) {
                QVERIFY2(value.isNull(), qPrintable(header));
            } else {
                QVERIFY2(value.isDouble(), qPrintable(header));
                QCOMPARE(value.toDouble(), shown.toDouble());
            }
        }
    }
}

void TestLeaderboard::exportMarkdownAndLatex() {
    const QAbstractItemModel* proxy = m_view->proxy();
    const QString md = m_tmp.filePath(QStringLiteral("board.md"));
    FileDialog::instance().setNextPath(md);
    QVERIFY(m_view->exportTable(TableFormat::Markdown));
    const QString mdText = readText(md);
    QVERIFY(mdText.contains(QStringLiteral("| NDCG@10")));
    for (int r = 0; r < proxy->rowCount(); ++r)
        QVERIFY2(mdText.contains(proxy->index(r, LeaderboardModel::ModelColumn).data().toString()),
                 qPrintable(mdText));
    // The best NDCG@10 (ease, 0.3000) is bold; the others are not.
    QVERIFY2(mdText.contains(QStringLiteral("**0.3000**")), qPrintable(mdText));
    QVERIFY(!mdText.contains(QStringLiteral("**0.2500**")));

    const QString tex = m_tmp.filePath(QStringLiteral("board.tex"));
    FileDialog::instance().setNextPath(tex);
    QVERIFY(m_view->exportTable(TableFormat::Latex));
    const QString texText = readText(tex);
    for (const char* rule : {"\\toprule", "\\midrule", "\\bottomrule"})
        QVERIFY2(texText.contains(QLatin1String(rule)), rule);
    QVERIFY2(texText.contains(QStringLiteral("\\textbf{0.3000}")), qPrintable(texText));
    for (int r = 0; r < proxy->rowCount(); ++r)
        QVERIFY(texText.contains(proxy->index(r, LeaderboardModel::ModelColumn).data().toString()));
    // One tabular row per run: count the row ends after \midrule.
    const QString body = texText.section(QStringLiteral("\\midrule"), 1)
                             .section(QStringLiteral("\\bottomrule"), 0, 0);
    QCOMPARE(int(body.count(QStringLiteral("\\\\"))), proxy->rowCount());
}

void TestLeaderboard::copyTsv() {
    QGuiApplication::clipboard()->clear();
    m_view->selectRuns({m_knn, m_pop});
    QCOMPARE(m_view->selectedRunIds(), (QList<qint64>{m_knn, m_pop}));
    QAction* copy = m_view->findChild<QAction*>(QStringLiteral("leaderboardCopyTsv"));
    QVERIFY(copy && copy->isEnabled());
    QCOMPARE(copy->shortcut(), QKeySequence(QKeySequence::Copy));
    copy->trigger();
    const QStringList lines =
        QGuiApplication::clipboard()->text().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    const QAbstractItemModel* proxy = m_view->proxy();
    QCOMPARE(lines[0].split(QLatin1Char('\t')).size(), proxy->columnCount());
    QCOMPARE(lines[0].split(QLatin1Char('\t'))[0], QStringLiteral("Run"));
    QCOMPARE(lines[1].split(QLatin1Char('\t')), shownRow(1));
    QCOMPARE(lines[2].split(QLatin1Char('\t')), shownRow(2));

    // Ctrl+C in the table does the same.
    QGuiApplication::clipboard()->clear();
    m_view->show();
    m_view->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_view.get()));
    m_view->table()->setFocus();
    QTest::keySequence(m_view->table(), QKeySequence::Copy);
    QCOMPARE(QGuiApplication::clipboard()->text().split(QLatin1Char('\n'), Qt::SkipEmptyParts),
             lines);

    // Nothing selected: every run.
    m_view->table()->clearSelection();
    copy->trigger();
    QCOMPARE(
        QGuiApplication::clipboard()->text().split(QLatin1Char('\n'), Qt::SkipEmptyParts).size(),
        proxy->rowCount() + 1);
}

void TestLeaderboard::perUserCsv() {
    m_view->selectRuns({m_ease});
    const QString path = m_tmp.filePath(QStringLiteral("per-user.csv"));
    FileDialog::instance().setNextPath(path);
    QVERIFY(m_view->exportPerUser());
    const QList<QStringList> rows = parseCsv(readText(path));
    QCOMPARE(rows.size(), int(m_easeUsers.size()) + 1);
    QCOMPARE(rows[0], (QStringList{"user", "hit@10", "recall@10", "ndcg@10"}));
    for (size_t i = 0; i < m_easeUsers.size(); ++i) {
        const QStringList& row = rows[int(i) + 1];
        QCOMPARE(row[0].toInt(), m_easeUsers[i]);
        for (int c = 1; c < rows[0].size(); ++c) {
            bool ok = false;
            const float value = row[c].toFloat(&ok);
            QVERIFY(ok);
            QCOMPARE(value, m_easePerUser.at(rows[0][c].toStdString())[i]);  // exact
        }
    }
    // A run without per-user vectors says so instead of writing an empty file.
    m_view->selectRuns({m_pop});
    FileDialog::instance().setNextPath(m_tmp.filePath(QStringLiteral("pop.csv")));
    QVERIFY(!m_view->exportPerUser());
    QVERIFY(!QFile::exists(m_tmp.filePath(QStringLiteral("pop.csv"))));
    FileDialog::instance().setNextPath(QString());
}

void TestLeaderboard::pairedComparison() {
    m_view->selectRuns({m_ease, m_knn});
    QAction* compare = m_view->findChild<QAction*>(QStringLiteral("leaderboardCompare"));
    QVERIFY(compare && compare->isEnabled());
    compare->trigger();
    PairedComparisonDialog* dialog = m_view->comparisonDialog();
    QVERIFY(dialog);
    QVERIFY(dialog->errorText().isEmpty());
    QCOMPARE(dialog->runA(), m_ease);
    QCOMPARE(dialog->runB(), m_knn);
    QCOMPARE(dialog->commonMetrics(), (QStringList{"hit@10", "recall@10", "ndcg@10"}));
    // Preselected: the leaderboard's visible metric columns that both runs have per user.
    QCOMPARE(dialog->chosenMetrics(), (QStringList{"hit@10", "recall@10", "ndcg@10"}));
    QAbstractItemModelTester tester(dialog->resultModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);

    const EvalResult a = evalOf(m_easeUsers, m_easePerUser);
    const EvalResult b = evalOf(m_knnUsers, m_knnPerUser);
    QCOMPARE(dialog->results().size(), 3);
    for (const PairedComparison& shown : dialog->results()) {
        Result<PairedComparison> ref = comparePaired(a, b, shown.metric);
        QVERIFY(ref.ok());
        QCOMPARE(shown.users, ref->users);
        QCOMPARE(shown.wins, ref->wins);
        QCOMPARE(shown.ties, ref->ties);
        QCOMPARE(shown.losses, ref->losses);
        QCOMPARE(shown.wilcoxon.pValue, ref->wilcoxon.pValue);
    }
    // By hand, NDCG@10 on the common users 2..5: ease .5 .2 .3 .1 vs knn .4 .2 .6 0 ->
    // wins 2 (users 2, 5), tie 1 (user 3), loss 1 (user 4).
    const PairedComparison& ndcg = dialog->results()[2];
    QCOMPARE(ndcg.metric, std::string("ndcg@10"));
    QCOMPARE(ndcg.users, qint64(4));
    QCOMPARE(ndcg.wins, qint64(2));
    QCOMPARE(ndcg.ties, qint64(1));
    QCOMPARE(ndcg.losses, qint64(1));
    QStandardItemModel* shownModel = dialog->resultModel();
    QCOMPARE(shownModel->rowCount(), 3);
    QCOMPARE(shownModel->item(2, 0)->text(), QStringLiteral("NDCG@10"));
    QCOMPARE(shownModel->item(2, 2)->text(), QStringLiteral("2"));
    QCOMPARE(shownModel->item(2, 3)->text(), QStringLiteral("1"));
    QCOMPARE(shownModel->item(2, 4)->text(), QStringLiteral("1"));

    // Swapping A and B swaps wins and losses.
    dialog->setChosenMetrics({QStringLiteral("ndcg@10")});
    QCOMPARE(dialog->results().size(), 1);
    dialog->swapRuns();
    QCOMPARE(dialog->runA(), m_knn);
    QCOMPARE(dialog->results()[0].wins, qint64(1));
    QCOMPARE(dialog->results()[0].losses, qint64(2));
    dialog->close();
    QTRY_VERIFY(!m_view->comparisonDialog());

    // Compare needs exactly two runs.
    m_view->selectRuns({m_ease});
    QVERIFY(!compare->isEnabled());
}

void TestLeaderboard::liveUpdates() {
    LeaderboardModel* model = m_view->model();
    QSignalSpy inserted(model, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(model, &QAbstractItemModel::modelReset);
    QSignalSpy changed(model, &QAbstractItemModel::dataChanged);
    const int before = model->rowCount();

    const qint64 id = m_session->startRun(record("ials", "ials live"));
    QVERIFY(id > 0);
    QCOMPARE(model->rowCount(), before + 1);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(reset.size(), 0);
    const int row = model->rowOfRun(id);
    QCOMPARE(row, before);
    QCOMPARE(model->index(row, LeaderboardModel::StatusColumn).data().toString(),
             QStringLiteral("Running"));
    QVERIFY(model->index(row, metricColumn(QStringLiteral("ndcg@10"))).data().toString().isEmpty());

    // It finishes with the best NDCG@10: one row changes and the marks move, without a reset.
    QVERIFY(m_session->finishRun(id, outcome({{"ndcg@10", 0.5}, {"recall@10", 0.1}}, {}, {}, 4)));
    QCOMPARE(reset.size(), 0);
    QVERIFY(changed.size() >= 1);
    const int ndcg = metricColumn(QStringLiteral("ndcg@10"));
    QCOMPARE(model->index(row, ndcg).data().toString(), QStringLiteral("0.5000"));
    QVERIFY(model->isBest(row, ndcg));
    QVERIFY(!model->isBest(model->rowOfRun(m_ease), ndcg));
    QCOMPARE(model->index(row, LeaderboardModel::StatusColumn).data().toString(),
             QStringLiteral("Finished"));

    // A metric no run had before (MRR@10 is chosen by default) brings its column.
    const int columns = model->columnCount();
    const qint64 other = m_session->startRun(record("userknn"));
    QVERIFY(m_session->finishRun(other, outcome({{"mrr@10", 0.4}}, {}, {}, 1)));
    QCOMPARE(model->columnCount(), columns + 1);
    QVERIFY(metricColumn(QStringLiteral("mrr@10")) >= 0);
    QCOMPARE(model->rowCount(), before + 2);

    // The view follows: the count label and the table's rows.
    QTRY_COMPARE(m_view->table()->model()->rowCount(), before + 2);
}

void TestLeaderboard::renameAndDelete() {
    LeaderboardModel* model = m_view->model();
    const QModelIndex name = model->index(model->rowOfRun(m_pop), LeaderboardModel::NameColumn);
    QVERIFY(model->flags(name) & Qt::ItemIsEditable);
    QVERIFY(model->setData(name, QStringLiteral("popularity baseline")));
    QCOMPARE(m_session->run(m_pop)->name, std::string("popularity baseline"));
    QCOMPARE(name.data().toString(), QStringLiteral("popularity baseline"));
    QVERIFY(!model->setData(name, QStringLiteral("   ")));  // empty names are refused

    QSignalSpy removed(model, &QAbstractItemModel::rowsRemoved);
    const int before = model->rowCount();
    m_view->selectRuns({m_pop, m_mf});
    ConfirmDialog::setNextAnswer(false);
    QVERIFY(!m_view->deleteSelected());
    QCOMPARE(model->rowCount(), before);
    ConfirmDialog::setNextAnswer(true);
    QVERIFY(m_view->deleteSelected());
    QCOMPARE(model->rowCount(), before - 2);
    QCOMPARE(removed.size(), 2);
    QCOMPARE(model->rowOfRun(m_pop), -1);
    QVERIFY(!m_session->run(m_mf));
    // With mf gone, puresvd is the only run with RMSE: no mark in a column of one value.
    QVERIFY(!model->isBest(model->rowOfRun(m_svd), metricColumn(QStringLiteral("rmse"))));
}

void TestLeaderboard::screenshot() {
    m_view->table()->sortByColumn(metricColumn(QStringLiteral("ndcg@10")), Qt::DescendingOrder);
    m_view->selectRuns({m_knn});
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    QCoreApplication::processEvents();
    const QPixmap pixmap = m_view->grab();
    QVERIFY(!pixmap.isNull());
    const QString dir = qEnvironmentVariable("RECSCOPE_LEADERBOARD_PNG_DIR");
    if (dir.isEmpty())
        return;
    QVERIFY(pixmap.save(QDir(dir).filePath(QStringLiteral("leaderboard.png"))));
    // The exports of the same table, to look at beside the picture.
    for (TableFormat format :
         {TableFormat::Csv, TableFormat::Markdown, TableFormat::Latex, TableFormat::Json}) {
        FileDialog::instance().setNextPath(QDir(dir).filePath(
            QStringLiteral("leaderboard.") + QString::fromStdString(tableFormatExtension(format))));
        QVERIFY(m_view->exportTable(format));
    }
    m_view->selectRuns({m_ease, m_knn});
    m_view->compareSelected();
    PairedComparisonDialog* dialog = m_view->comparisonDialog();
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    QVERIFY(dialog->grab().save(QDir(dir).filePath(QStringLiteral("paired-comparison.png"))));
}

QTEST_MAIN(TestLeaderboard)
#include "tst_leaderboard.moc"
