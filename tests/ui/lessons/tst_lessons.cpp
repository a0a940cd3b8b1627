// Help ▸ Lessons: the built-in lessons parse to the configurations the issue asks for, bad
// lesson files are refused with file and line, watch-list users spread over activity, and a
// lesson played in the real MainWindow (no dataset open) opens the demo data, trains its runs on
// one split, pins its users and ends on its view; Stop ends it with the run cancelled.
#include <QtTest>

#include <QAction>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <algorithm>
#include <cmath>
#include <memory>

#include "core/data/Dataset.h"
#include "core/data/SyntheticGenerator.h"
#include "support/UiTestSupport.h"
#include "ui/explore/TasteRecoveryDialog.h"
#include "ui/inspector/InspectorView.h"
#include "ui/leaderboard/LeaderboardView.h"
#include "ui/lessons/Lesson.h"
#include "ui/lessons/LessonPanel.h"
#include "ui/lessons/LessonRunner.h"
#include "ui/lessons/LessonsDialog.h"
#include "ui/session/DatasetSession.h"
#include "ui/session/WorkspaceSession.h"
#include "ui/shell/MainWindow.h"
#include "ui/training/TrainingView.h"
#include "ui/training/WatchListPanel.h"

using namespace recscope;
using namespace recscope::ui;

namespace {

QStringList modelsOf(const Lesson& lesson) {
    QStringList models;
    for (const RunConfig& run : lesson.runs)
        models << QString::fromStdString(run.model);
    return models;
}

Lesson parsed(const QByteArray& json) {
    Result<Lesson> lesson = parseLesson(json, QStringLiteral("test.json"));
    if (!lesson)
        qWarning("%s", lesson.error().toString().c_str());
    return lesson ? lesson.value() : Lesson{};
}

}  // namespace

class TestLessons : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void builtInLessons();
    void badLessonsNameFileAndLine_data();
    void badLessonsNameFileAndLine();
    void watchUsersSpreadOverActivity();
    void dialogListsAndStarts();
    void lessonOpensDemoTrainsAndEndsOnLeaderboard();
    void watchLessonPinsUsers();
    void inspectorLessonEndsInInspector();
    void stopEndsLesson();
    void tasteLessonReopensDemoAndMeasures();

private:
    void waitForLesson() const;
    QTemporaryDir m_tmp;
    std::unique_ptr<MainWindow> m_window;
};

void TestLessons::initTestCase() {
    QVERIFY(recscope::test::isolateApplication(m_tmp, "tst_lessons"));
    qputenv("RECSCOPE_WORKSPACE", m_tmp.filePath("workspace").toUtf8());
    m_window = std::make_unique<MainWindow>();
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestLessons::cleanupTestCase() {
    m_window.reset();
}

void TestLessons::waitForLesson() const {
    QTRY_VERIFY_WITH_TIMEOUT(m_window->lessonRunner() && !m_window->lessonRunner()->isRunning(),
                             240000);
}

void TestLessons::builtInLessons() {
    const QVector<Lesson> lessons = recscope::ui::builtInLessons();
    QCOMPARE(lessons.size(), 5);
    QCOMPARE(modelsOf(lessons[0]), QStringList({"pop", "itemknn", "mf"}));
    QCOMPARE(lessons[0].finish, Lesson::Finish::Leaderboard);
    QCOMPARE(modelsOf(lessons[1]), QStringList({"bpr"}));
    QVERIFY(lessons[1].watchUsers >= 1);
    QCOMPARE(lessons[1].finish, Lesson::Finish::Train);
    QCOMPARE(modelsOf(lessons[2]), QStringList({"pipeline"}));
    QCOMPARE(lessons[2].finish, Lesson::Finish::Inspector);
    QCOMPARE(modelsOf(lessons[3]), QStringList({"bpr"}));
    QCOMPARE(lessons[3].finish, Lesson::Finish::Taste);
    QVERIFY(lessons[3].needsDemoData);
    QVERIFY(!lessons[0].needsDemoData);
    QCOMPARE(modelsOf(lessons[4]), QStringList({"ease", "twotower", "sasrec"}));
    QCOMPARE(lessons[4].finish, Lesson::Finish::Inspector);
    QVERIFY(lessons[4].genreShiftUser);
    QVERIFY(!lessons[2].genreShiftUser);
    for (const Lesson& lesson : lessons) {
        QVERIFY(!lesson.title.isEmpty());
        QVERIFY2(lesson.text.size() > 200, qPrintable(lesson.title));  // a real text, not a stub
        // One split for every run of a lesson, so the leaderboard compares like with like.
        for (const RunConfig& run : lesson.runs) {
            QCOMPARE(run.split.protocol, lesson.runs.front().split.protocol);
            QCOMPARE(run.split.threshold, lesson.runs.front().split.threshold);
            QCOMPARE(run.seed, lesson.runs.front().seed);
            QVERIFY(validateRunConfig(run).ok());
        }
    }
}

void TestLessons::badLessonsNameFileAndLine_data() {
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected");
    QTest::newRow("not json") << QByteArray("{\n  \"title\": \"x\",\n  \"runs\": [\n}")
                              << "test.json:4: not valid JSON";
    // A number the parser cannot hold used to escape as an exception (found by fuzzing the
    // run-folder reader, which parses JSON the same way).
    QTest::newRow("number out of range")
        << QByteArray("{\"title\": 1e307445734561821}") << "test.json: not valid JSON";
    QTest::newRow("no title") << QByteArray("{\n\"runs\": [{\"model\": \"pop\"}]\n}")
                              << "\"title\" is missing";
    QTest::newRow("empty runs") << QByteArray("{\"title\": \"t\",\n\n \"runs\": []}")
                                << "test.json:3: \"runs\" must be a non-empty array";
    QTest::newRow("unknown model") << QByteArray(
                                          "{\"title\": \"t\",\n\"runs\": [{\"model\": \"pop\"},\n"
                                          "{\"model\": \"nosuch\"}]}")
                                   << "test.json:3: run 2: ";
    QTest::newRow("bad param") << QByteArray(
                                      "{\"title\": \"t\",\n\"runs\": [{\"model\": \"bpr\",\n"
                                      " \"params\": {\"epochs\": \"-4\"}}]}")
                               << "run 1: ";
    QTest::newRow("numeric param")
        << QByteArray(
               "{\"title\": \"t\", \"runs\": [{\"model\": \"bpr\", \"params\": "
               "{\"epochs\": 4}}]}")
        << "must be given as a string";
    QTest::newRow("watch") << QByteArray(
                                  "{\"title\": \"t\",\n\"watch\": 9,\n"
                                  "\"runs\": [{\"model\": \"pop\"}]}")
                           << "test.json:2: \"watch\" must be a whole number from 0 to 5";
    QTest::newRow("finish") << QByteArray(
                                   "{\"title\": \"t\", \"finish\": \"map\",\n"
                                   "\"runs\": [{\"model\": \"pop\"}]}")
                            << "\"finish\" must be";
    QTest::newRow("protocol") << QByteArray(
                                     "{\"title\": \"t\", \"protocol\": \"random\",\n"
                                     "\"runs\": [{\"model\": \"pop\"}]}")
                              << "\"protocol\" must be";
    QTest::newRow("data") << QByteArray(
                                 "{\"title\": \"t\",\n\"data\": \"ml-1m\",\n"
                                 "\"runs\": [{\"model\": \"pop\"}]}")
                          << "test.json:2: \"data\" can only be \"demo\"";
    QTest::newRow("user") << QByteArray(
                                 "{\"title\": \"t\", \"finish\": \"inspector\",\n"
                                 "\"user\": \"latest\",\n\"runs\": [{\"model\": \"pop\"}]}")
                          << "test.json:2: \"user\" can only be \"genre-shift\"";
    QTest::newRow("user without inspector")
        << QByteArray(
               "{\"title\": \"t\",\n\"user\": \"genre-shift\",\n\"runs\": [{\"model\": "
               "\"pop\"}]}")
        << "\"user\" needs \"finish\": \"inspector\"";
}

void TestLessons::badLessonsNameFileAndLine() {
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    const Result<Lesson> lesson = parseLesson(json, QStringLiteral("test.json"));
    QVERIFY(!lesson.ok());
    const QString text = QString::fromStdString(lesson.error().toString());
    QVERIFY2(text.contains(expected), qPrintable(text));
    QVERIFY2(text.contains("test.json"), qPrintable(text));
}

void TestLessons::watchUsersSpreadOverActivity() {
    SyntheticConfig config;
    config.users = 120;
    config.items = 80;
    config.ratings = 3000;
    config.seed = 5;
    Result<Dataset> data = generateSynthetic(config);
    QVERIFY(data.ok());
    // Brute force: activity of every user with ratings, sorted.
    const std::vector<int64_t>& offsets = data->userOffsets();
    auto activity = [&](int u) { return offsets[size_t(u) + 1] - offsets[size_t(u)]; };
    std::vector<int64_t> counts;
    for (int u = 0; u < data->numUsers(); ++u)
        if (activity(u) > 0)
            counts.push_back(activity(u));
    std::sort(counts.begin(), counts.end());

    for (int n = 0; n <= 5; ++n) {
        const QVector<int> users = LessonRunner::pickWatchUsers(data.value(), n);
        QCOMPARE(users.size(), n);
        QCOMPARE(QSet<int>(users.begin(), users.end()).size(), n);  // distinct
        for (int i = 1; i < users.size(); ++i)
            QVERIFY(activity(users[i - 1]) <= activity(users[i]));  // few -> many
    }
    const QVector<int> three = LessonRunner::pickWatchUsers(data.value(), 3);
    QCOMPARE(activity(three[0]), counts[size_t(0.1 * double(counts.size() - 1) + 0.5)]);
    QCOMPARE(activity(three[1]), counts[size_t(0.5 * double(counts.size() - 1) + 0.5)]);
    QCOMPARE(activity(three[2]), counts[size_t(0.9 * double(counts.size() - 1) + 0.5)]);
}

void TestLessons::dialogListsAndStarts() {
    QAction* action = m_window->menuBar()->findChild<QAction*>("actionLessons");
    QVERIFY(action);
    LessonsDialog dialog(recscope::ui::builtInLessons());
    auto* list = dialog.findChild<QListWidget*>("lessonList");
    QCOMPARE(list->count(), 5);
    dialog.setCurrentIndex(1);
    QVERIFY(dialog.findChild<QTextBrowser*>("lessonText")->toPlainText().contains("BPR"));

    // A teacher's own file: a broken one is refused with its line, a good one is added.
    const QString bad = m_tmp.filePath("bad.json");
    {
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"title\": \"mine\",\n\"runs\": 3}");
    }
    QString error;
    QVERIFY(!dialog.addLessonFile(bad, &error));
    QVERIFY2(error.contains("bad.json:2"), qPrintable(error));
    QCOMPARE(list->count(), 5);
    const QString good = m_tmp.filePath("good.json");
    {
        QFile f(good);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"title\": \"Mine\", \"runs\": [{\"model\": \"ease\"}]}");
    }
    QVERIFY(dialog.addLessonFile(good));
    QCOMPARE(list->count(), 6);
    QCOMPARE(dialog.currentIndex(), 5);

    QSignalSpy start(&dialog, &LessonsDialog::startRequested);
    dialog.findChild<QPushButton*>("startLesson")->click();
    QCOMPARE(start.count(), 1);
    QCOMPARE(start.at(0).at(0).value<Lesson>().title, QStringLiteral("Mine"));
}

void TestLessons::lessonOpensDemoTrainsAndEndsOnLeaderboard() {
    QVERIFY(m_window->session()->dataset() == nullptr);  // the lesson must open the demo
    const int before = m_window->workspaceSession()->runs().size();
    const Lesson lesson = parsed(
        "{\"title\": \"Short\", \"text\": \"<p>t</p>\", \"threshold\": 3.5,"
        " \"runs\": [{\"model\": \"pop\"}, {\"model\": \"itemknn\"}], \"finish\": "
        "\"leaderboard\"}");
    QCOMPARE(lesson.runs.size(), 2);
    m_window->startLesson(lesson);
    QVERIFY(m_window->lessonPanel()->isVisible());
    QSignalSpy done(m_window->lessonRunner(), &LessonRunner::finished);
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 240000);
    QVERIFY2(done.at(0).at(0).toBool(), qPrintable(done.at(0).at(1).toString()));
    QVERIFY(m_window->session()->dataset() != nullptr);

    const QVector<RunRecord>& runs = m_window->workspaceSession()->runs();
    QCOMPARE(runs.size(), before + 2);
    QCOMPARE(QString::fromStdString(runs[before].config.model), QStringLiteral("pop"));
    QCOMPARE(QString::fromStdString(runs[before + 1].config.model), QStringLiteral("itemknn"));
    for (int i = before; i < runs.size(); ++i) {
        QCOMPARE(runs[i].status, RunStatus::Finished);
        QCOMPARE(runs[i].config.split.threshold, 3.5);
        QCOMPARE(runs[i].config.split.protocol, Protocol::Temporal);
        QCOMPARE(runs[i].dataset.fingerprint, runs[before].dataset.fingerprint);
    }
    QCOMPARE(m_window->lessonRunner()->runIds(),
             (QVector<qint64>{runs[before].id, runs[before + 1].id}));
    QCOMPARE(m_window->viewTabs()->currentWidget(),
             static_cast<QWidget*>(m_window->leaderboardView()));
    QCOMPARE(m_window->lessonPanel()->stepText(), QStringLiteral("Lesson complete."));
}

void TestLessons::watchLessonPinsUsers() {
    QVERIFY(m_window->session()->dataset() != nullptr);
    const Lesson lesson = parsed(
        "{\"title\": \"Watch\", \"watch\": 2, \"finish\": \"train\","
        " \"runs\": [{\"model\": \"bpr\", \"params\": {\"epochs\": \"2\"}}]}");
    m_window->startLesson(lesson);
    waitForLesson();
    const Dataset& data = *m_window->session()->dataset();
    QVector<int> expected;
    for (int user : LessonRunner::pickWatchUsers(data, 2))
        expected.push_back(int(data.originalUserId(user)));
    QCOMPARE(expected.size(), 2);
    QCOMPARE(m_window->trainingView()->watchList()->watchedUsers(), expected);
    QCOMPARE(m_window->viewTabs()->currentWidget(),
             static_cast<QWidget*>(m_window->trainingView()));
    QCOMPARE(m_window->workspaceSession()->runs().last().status, RunStatus::Finished);
}

void TestLessons::inspectorLessonEndsInInspector() {
    const Lesson lesson = parsed(
        "{\"title\": \"Inspect\", \"finish\": \"inspector\", \"user\": \"genre-shift\","
        " \"runs\": [{\"model\": \"ease\"}]}");
    m_window->startLesson(lesson);
    waitForLesson();
    InspectorView* view = m_window->inspectorView();
    QCOMPARE(m_window->viewTabs()->currentWidget(), static_cast<QWidget*>(view));
    QCOMPARE(m_window->lessonRunner()->runIds().size(), 1);
    // The run loads in the background; then the inspector shows the user whose taste moved
    // most, the one UserInspection picks.
    QTRY_VERIFY_WITH_TIMEOUT(view->loadedRun(1) != nullptr, 60000);
    const UserInspection inspection(view->loadedRun(1));
    const int32_t shifted = inspection.genreShiftUser();
    QVERIFY(shifted >= 0);
    QTRY_COMPARE_WITH_TIMEOUT(view->currentUser(), shifted, 60000);
}

void TestLessons::tasteLessonReopensDemoAndMeasures() {
    // Another dataset is open: the known-taste lesson needs the demo's hidden tastes.
    SyntheticConfig other;
    other.seed = 5;
    other.users = 100;
    other.items = 150;
    other.ratings = 4000;
    m_window->session()->openSynthetic(other, QStringLiteral("other"));
    QTRY_VERIFY_WITH_TIMEOUT(
        m_window->session()->dataset() && m_window->session()->dataset()->numUsers() == 100, 60000);
    Lesson lesson = recscope::ui::builtInLessons()[3];
    lesson.runs[0].params["epochs"] = "3";  // short: the measurement is what is tested here
    m_window->startLesson(lesson);
    waitForLesson();
    QCOMPARE(m_window->session()->dataset()->numRatings(), demoDataset().numRatings());
    auto* dialog = m_window->findChild<TasteRecoveryDialog*>();
    QVERIFY(dialog);
    QCOMPARE(dialog->runId(), m_window->lessonRunner()->runIds().back());
    QTRY_VERIFY_WITH_TIMEOUT(dialog->isReady(), 60000);
    QCOMPARE(dialog->result().users, int64_t(demoDataset().numUsers()));
    QCOMPARE(dialog->tableModel()->rowCount(), 18);
    QVERIFY(std::isfinite(dialog->result().meanCorrelation));
    dialog->close();
}

void TestLessons::stopEndsLesson() {
    const Lesson lesson = parsed(
        "{\"title\": \"Long\", \"runs\": [{\"model\": \"bpr\", \"params\": {\"epochs\": "
        "\"200\", \"patience\": \"0\"}}, {\"model\": \"pop\"}]}");
    const int before = m_window->workspaceSession()->runs().size();
    QSignalSpy done(m_window->lessonRunner(), &LessonRunner::finished);
    m_window->startLesson(lesson);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->trainingView()->currentRunId() != 0, 60000);
    // A second lesson is refused while one plays.
    m_window->startLesson(lesson);
    QVERIFY(m_window->lessonRunner()->isRunning());
    m_window->lessonPanel()->findChild<QPushButton*>("stopLesson")->click();
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 60000);
    QVERIFY(!done.at(0).at(0).toBool());
    QCOMPARE(done.at(0).at(1).toString(), QStringLiteral("stopped"));
    // The bpr run was cancelled and the pop run never started.
    const QVector<RunRecord>& runs = m_window->workspaceSession()->runs();
    QCOMPARE(runs.size(), before + 1);
    QCOMPARE(runs.last().status, RunStatus::Cancelled);
    QVERIFY(!m_window->trainingView()->isTraining());
}

QTEST_MAIN(TestLessons)
#include "tst_lessons.moc"
