#pragma once
// Help ▸ Lessons…: the built-in class sessions in a list, the selected one's text beside it, and
// "Start lesson" (or "Open lesson file…" for a teacher's own JSON lesson, see Lesson.h). The
// dialog only chooses; MainWindow plays the lesson with a LessonRunner.

#include <QDialog>
#include <QVector>

#include "ui/lessons/Lesson.h"

class QLabel;
class QListWidget;
class QPushButton;
class QTextBrowser;

namespace recscope::ui {

class LessonsDialog : public QDialog {
    Q_OBJECT
public:
    explicit LessonsDialog(QVector<Lesson> lessons, QWidget* parent = nullptr);

    const QVector<Lesson>& lessons() const { return m_lessons; }
    int currentIndex() const;
    void setCurrentIndex(int index);
    // Parses a lesson file, adds it to the list and selects it; on error the message is shown
    // in the dialog (and returned) and the list is unchanged.
    bool addLessonFile(const QString& path, QString* error = nullptr);

signals:
    void startRequested(const recscope::ui::Lesson& lesson);

private:
    void showCurrent();
    void openFile();

    QVector<Lesson> m_lessons;
    QListWidget* m_list;
    QTextBrowser* m_text;
    QLabel* m_status;
    QPushButton* m_start;
};

}  // namespace recscope::ui
