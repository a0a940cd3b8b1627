#include "ui/lessons/LessonPanel.h"

#include <QLabel>
#include <QPushButton>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "ui/lessons/Lesson.h"

namespace recscope::ui {

LessonPanel::LessonPanel(QWidget* parent)
    : QDockWidget(tr("Lesson"), parent),
      m_text(new QTextBrowser(this)),
      m_step(new QLabel(this)),
      m_stop(new QPushButton(tr("Stop lesson"), this)) {
    setObjectName(QStringLiteral("lessonPanel"));
    m_step->setObjectName(QStringLiteral("lessonStep"));
    m_stop->setObjectName(QStringLiteral("stopLesson"));
    m_step->setWordWrap(true);
    auto* body = new QWidget(this);
    auto* layout = new QVBoxLayout(body);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_step);
    layout->addWidget(m_stop);
    setWidget(body);
    setMinimumWidth(300);
    connect(m_stop, &QPushButton::clicked, this, &LessonPanel::stopRequested);
}

void LessonPanel::showLesson(const Lesson& lesson) {
    setWindowTitle(tr("Lesson: %1").arg(lesson.title));
    m_text->setHtml(QStringLiteral("<h3>%1</h3>").arg(lesson.title.toHtmlEscaped()) + lesson.text);
    m_step->clear();
}

void LessonPanel::setStep(const QString& text) {
    m_step->setText(text);
}

void LessonPanel::setRunning(bool running) {
    m_stop->setEnabled(running);
}

QString LessonPanel::stepText() const {
    return m_step->text();
}

}  // namespace recscope::ui
