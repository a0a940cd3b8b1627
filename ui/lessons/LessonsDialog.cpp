#include "ui/lessons/LessonsDialog.h"

#include <QDialogButtonBox>
#include <QFile>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "ui/widgets/FileDialog.h"

namespace recscope::ui {

LessonsDialog::LessonsDialog(QVector<Lesson> lessons, QWidget* parent)
    : QDialog(parent),
      m_lessons(std::move(lessons)),
      m_list(new QListWidget(this)),
      m_text(new QTextBrowser(this)),
      m_status(new QLabel(this)),
      m_start(new QPushButton(tr("Start lesson"), this)) {
    setWindowTitle(tr("Lessons"));
    setObjectName(QStringLiteral("lessonsDialog"));
    m_list->setObjectName(QStringLiteral("lessonList"));
    m_text->setObjectName(QStringLiteral("lessonText"));
    m_start->setObjectName(QStringLiteral("startLesson"));
    m_status->setWordWrap(true);
    m_status->setObjectName(QStringLiteral("lessonStatus"));
    m_text->setOpenExternalLinks(false);
    m_list->setMinimumWidth(260);
    m_text->setMinimumWidth(420);

    for (const Lesson& lesson : m_lessons) {
        auto* item = new QListWidgetItem(lesson.title, m_list);
        item->setToolTip(lesson.summary);
    }

    auto* open = new QPushButton(tr("Open lesson file…"), this);
    open->setObjectName(QStringLiteral("openLessonFile"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_start, QDialogButtonBox::AcceptRole);
    buttons->addButton(open, QDialogButtonBox::ActionRole);
    m_start->setDefault(true);

    auto* intro = new QLabel(
        tr("Ready-made sessions for class. Each trains its models one after the other on the "
           "open dataset (the demo data when none is open) while the charts update, then opens "
           "the view to discuss."),
        this);
    intro->setWordWrap(true);

    auto* body = new QHBoxLayout;
    body->addWidget(m_list, 1);
    body->addWidget(m_text, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(body, 1);
    layout->addWidget(m_status);
    layout->addWidget(buttons);
    resize(820, 460);

    connect(m_list, &QListWidget::currentRowChanged, this, &LessonsDialog::showCurrent);
    connect(open, &QPushButton::clicked, this, &LessonsDialog::openFile);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_start, &QPushButton::clicked, this, [this] {
        const int index = currentIndex();
        if (index < 0)
            return;
        emit startRequested(m_lessons[index]);
        accept();
    });
    if (!m_lessons.isEmpty())
        m_list->setCurrentRow(0);
    showCurrent();
}

int LessonsDialog::currentIndex() const {
    const int row = m_list->currentRow();
    return row >= 0 && row < m_lessons.size() ? row : -1;
}

void LessonsDialog::setCurrentIndex(int index) {
    m_list->setCurrentRow(index);
}

void LessonsDialog::showCurrent() {
    const int index = currentIndex();
    m_start->setEnabled(index >= 0);
    if (index < 0) {
        m_text->setHtml(tr("<p>No lesson selected.</p>"));
        return;
    }
    const Lesson& lesson = m_lessons[index];
    QStringList models;
    for (const RunConfig& run : lesson.runs)
        models << QString::fromStdString(run.model);
    QString html = QStringLiteral("<h3>%1</h3>").arg(lesson.title.toHtmlEscaped()) + lesson.text;
    html += tr("<p style='color:gray'>Trains: %1 · protocol %2%3</p>")
                .arg(models.join(QStringLiteral(", ")),
                     QString::fromStdString(protocolName(lesson.runs.front().split.protocol)),
                     lesson.watchUsers > 0
                         ? tr(" · %n user(s) on the watch list", nullptr, lesson.watchUsers)
                         : QString());
    m_text->setHtml(html);
}

bool LessonsDialog::addLessonFile(const QString& path, QString* error) {
    QFile file(path);
    QString message;
    if (!file.open(QIODevice::ReadOnly)) {
        message = tr("Cannot read %1: %2").arg(path, file.errorString());
    } else {
        Result<Lesson> lesson = parseLesson(file.readAll(), path);
        if (lesson) {
            m_lessons.push_back(std::move(lesson).value());
            auto* item = new QListWidgetItem(m_lessons.back().title, m_list);
            item->setToolTip(m_lessons.back().summary);
            m_list->setCurrentRow(m_lessons.size() - 1);
            m_status->clear();
            return true;
        }
        message = QString::fromStdString(lesson.error().toString());
    }
    m_status->setText(message);
    if (error)
        *error = message;
    return false;
}

void LessonsDialog::openFile() {
    const QString path = FileDialog::instance().getOpenFileName(
        this, tr("Open lesson"), QString(), tr("Lessons (*.json);;All files (*)"));
    if (!path.isEmpty())
        addLessonFile(path);
}

}  // namespace recscope::ui
