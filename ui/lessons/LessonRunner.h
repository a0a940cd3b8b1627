#pragma once
// Plays a Lesson in the main window: opens the demo data when no dataset is open (or when the
// lesson needs it), pins the
// lesson's watch-list users, trains its runs one after the other through the training view
// (so the class sees the live charts), then opens the lesson's final view (leaderboard, the
// training view, or the inspector on the last run). GUI thread only.
//
// A run that fails or is stopped ends the lesson with that message; nothing else is undone
// (runs already trained stay in the workspace).

#include <QObject>
#include <QString>
#include <QVector>

#include "core/workspace/Workspace.h"
#include "ui/lessons/Lesson.h"

namespace recscope {
class Dataset;
}

namespace recscope::ui {

class MainWindow;

class LessonRunner : public QObject {
    Q_OBJECT
public:
    explicit LessonRunner(MainWindow* window, QObject* parent = nullptr);

    bool isRunning() const { return m_running; }
    const Lesson& lesson() const { return m_lesson; }
    // Runs recorded by this lesson so far (workspace ids, in training order).
    const QVector<qint64>& runIds() const { return m_runIds; }

    // Refused (finished(false, why) at once) while a lesson or a training run is in flight.
    void start(const Lesson& lesson);
    // Stops the run in flight; the lesson ends with finished(false, "stopped").
    void stop();

    // Users to pin for a lesson: spread over activity (ratings per user) — 1: the median user;
    // 2: few and many; 3: few, median, many; 4-5: also the quartiles. Dense user ids, distinct
    // (the watch list is given their MovieLens ids).
    static QVector<int> pickWatchUsers(const Dataset& data, int count);

signals:
    // "Training 2 of 3: itemknn", "Opening the demo data", ...
    void stepChanged(int step, int steps, const QString& text);
    void finished(bool ok, const QString& message);

private:
    void begin();
    void trainNext();
    void onRunEnded(qint64 runId, RunStatus status);
    void complete();
    void end(bool ok, const QString& message);

    MainWindow* m_window;
    Lesson m_lesson;
    bool m_running = false;
    bool m_waitingForData = false;
    int m_next = 0;
    QVector<qint64> m_runIds;
    QMetaObject::Connection m_runEnded;
    QMetaObject::Connection m_dataChanged;
};

}  // namespace recscope::ui
