#pragma once
// The lesson being played, docked beside the views: its title and text (for the class to read
// while the models train), the current step ("Training 2 of 3: itemknn") and Stop. Shown by
// MainWindow when a lesson starts; stays after it ends so the text can be discussed.

#include <QDockWidget>

class QLabel;
class QPushButton;
class QTextBrowser;

namespace recscope::ui {

struct Lesson;

class LessonPanel : public QDockWidget {
    Q_OBJECT
public:
    explicit LessonPanel(QWidget* parent = nullptr);

    void showLesson(const Lesson& lesson);
    void setStep(const QString& text);
    void setRunning(bool running);
    QString stepText() const;

signals:
    void stopRequested();

private:
    QTextBrowser* m_text;
    QLabel* m_step;
    QPushButton* m_stop;
};

}  // namespace recscope::ui
