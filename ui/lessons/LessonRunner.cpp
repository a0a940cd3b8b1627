#include "ui/lessons/LessonRunner.h"

#include <QComboBox>
#include <QTabWidget>
#include <QTimer>
#include <algorithm>

#include "core/data/Dataset.h"
#include "ui/inspector/InspectorView.h"
#include "ui/leaderboard/LeaderboardView.h"
#include "ui/session/DatasetSession.h"
#include "ui/shell/MainWindow.h"
#include "ui/training/TrainingSetup.h"
#include "ui/training/TrainingView.h"

namespace recscope::ui {

LessonRunner::LessonRunner(MainWindow* window, QObject* parent)
    : QObject(parent), m_window(window) {}

QVector<int> LessonRunner::pickWatchUsers(const Dataset& data, int count) {
    std::vector<std::pair<int64_t, int>> byActivity;  // (ratings, user), users with ratings
    const std::vector<int64_t>& offsets = data.userOffsets();
    for (int u = 0; u < data.numUsers(); ++u) {
        const int64_t n = offsets[size_t(u) + 1] - offsets[size_t(u)];
        if (n > 0)
            byActivity.emplace_back(n, u);
    }
    QVector<int> users;
    if (byActivity.empty() || count <= 0)
        return users;
    std::sort(byActivity.begin(), byActivity.end());
    // Quantiles of activity: few (10%), median, many (90%), then the quartiles.
    std::vector<double> quantiles;
    switch (std::min(count, 5)) {
        case 1:
            quantiles = {0.5};
            break;
        case 2:
            quantiles = {0.1, 0.9};
            break;
        case 3:
            quantiles = {0.1, 0.5, 0.9};
            break;
        case 4:
            quantiles = {0.1, 0.25, 0.75, 0.9};
            break;
        default:
            quantiles = {0.1, 0.25, 0.5, 0.75, 0.9};
            break;
    }
    for (double q : quantiles) {
        size_t at = size_t(q * double(byActivity.size() - 1) + 0.5);
        // Distinct users even on tiny data: walk up to the next unused one.
        while (at < byActivity.size() && users.contains(byActivity[at].second))
            ++at;
        if (at < byActivity.size())
            users.push_back(byActivity[at].second);
    }
    return users;
}

void LessonRunner::start(const Lesson& lesson) {
    if (m_running) {
        emit finished(false, tr("A lesson is already running; stop it first."));
        return;
    }
    if (m_window->trainingView()->isTraining()) {
        emit finished(false, tr("A model is training; stop it or wait for it before starting a "
                                "lesson."));
        return;
    }
    m_lesson = lesson;
    m_running = true;
    m_next = 0;
    m_runIds.clear();
    DatasetSession* session = m_window->session();
    const bool demoOpen = session->dataset() && session->recordName() == QLatin1String("demo");
    if (session->dataset() && (!m_lesson.needsDemoData || demoOpen)) {
        QTimer::singleShot(0, this, &LessonRunner::begin);
        return;
    }
    // No dataset yet, or the lesson needs the built-in demo data: open it.
    m_waitingForData = true;
    m_dataChanged =
        connect(session, &DatasetSession::changed, this, [this](DatasetSession::Change change) {
            if (!m_waitingForData)
                return;
            if (change == DatasetSession::Change::DatasetReplaced) {
                m_waitingForData = false;
                disconnect(m_dataChanged);
                begin();
            } else if (change == DatasetSession::Change::LoadFailed ||
                       change == DatasetSession::Change::LoadCancelled) {
                m_waitingForData = false;
                disconnect(m_dataChanged);
                end(false, tr("The demo data could not be opened."));
            }
        });
    emit stepChanged(0, int(m_lesson.runs.size()), tr("Opening the demo data"));
    m_window->openDemo();
}

void LessonRunner::stop() {
    if (!m_running)
        return;
    if (m_waitingForData) {
        m_waitingForData = false;
        disconnect(m_dataChanged);
        end(false, tr("stopped"));
        return;
    }
    // The run in flight ends as Cancelled; onRunEnded then ends the lesson.
    if (m_window->trainingView()->isTraining())
        m_window->trainingView()->stop();
    else
        end(false, tr("stopped"));
}

void LessonRunner::begin() {
    if (!m_running)
        return;
    std::shared_ptr<const Dataset> data = m_window->session()->dataset();
    if (!data) {
        end(false, tr("No dataset is open."));
        return;
    }
    // The watch list shows (and takes) MovieLens user ids.
    QVector<int> pinned;
    for (int user : pickWatchUsers(*data, m_lesson.watchUsers))
        pinned.push_back(int(data->originalUserId(user)));
    m_window->trainingView()->setWatchedUsers(pinned);
    m_runEnded =
        connect(m_window->trainingView(), &TrainingView::runEnded, this, &LessonRunner::onRunEnded);
    trainNext();
}

void LessonRunner::trainNext() {
    if (!m_running)
        return;
    if (m_next >= m_lesson.runs.size()) {
        complete();
        return;
    }
    RunConfig config = m_lesson.runs[m_next];
    ++m_next;
    TrainingView* view = m_window->trainingView();
    // The lesson fixes models and split, not the hardware: keep the device the user chose.
    config.device = view->setup()->deviceCombo()->currentData().toString().toStdString();
    m_window->viewTabs()->setCurrentWidget(view);
    view->setup()->applyConfig(config);
    emit stepChanged(m_next, int(m_lesson.runs.size()),
                     tr("Training %1 of %2: %3")
                         .arg(m_next)
                         .arg(m_lesson.runs.size())
                         .arg(QString::fromStdString(config.model)));
    view->start();
    if (!view->isTraining())
        end(false, tr("The %1 run did not start (see the message in the Train tab).")
                       .arg(QString::fromStdString(config.model)));
}

void LessonRunner::onRunEnded(qint64 runId, RunStatus status) {
    if (!m_running)
        return;
    if (runId > 0)
        m_runIds.push_back(runId);
    if (status == RunStatus::Cancelled) {
        end(false, tr("stopped"));
        return;
    }
    if (status != RunStatus::Finished) {
        end(false, tr("The %1 run did not finish; its message is in the Train tab.")
                       .arg(QString::fromStdString(m_lesson.runs[m_next - 1].model)));
        return;
    }
    // Leave the training view's slot before starting the next run.
    QTimer::singleShot(0, this, &LessonRunner::trainNext);
}

void LessonRunner::complete() {
    switch (m_lesson.finish) {
        case Lesson::Finish::Train:
            m_window->viewTabs()->setCurrentWidget(m_window->trainingView());
            break;
        case Lesson::Finish::Leaderboard:
            m_window->viewTabs()->setCurrentWidget(m_window->leaderboardView());
            break;
        case Lesson::Finish::Inspector:
            if (!m_runIds.isEmpty())
                m_window->showInspector(m_runIds.back());
            if (m_lesson.genreShiftUser)
                m_window->inspectorView()->showGenreShiftUser();
            break;
        case Lesson::Finish::Taste:
            if (!m_runIds.isEmpty())
                m_window->showTasteRecovery(m_runIds.back());
            break;
    }
    end(true, tr("Lesson complete."));
}

void LessonRunner::end(bool ok, const QString& message) {
    disconnect(m_runEnded);
    m_running = false;
    emit stepChanged(m_next, int(m_lesson.runs.size()), message);
    emit finished(ok, message);
}

}  // namespace recscope::ui
