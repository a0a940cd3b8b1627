#include "ui/widgets/FileDialog.h"

#include <QFileDialog>

namespace recscope::ui {

FileDialog& FileDialog::instance() {
    static FileDialog dialog;
    return dialog;
}

std::optional<QString> FileDialog::takeNext() {
    std::optional<QString> next;
    next.swap(m_next);
    return next;
}

QString FileDialog::getExistingDirectory(QWidget* parent, const QString& caption,
                                         const QString& dir) {
    if (auto next = takeNext())
        return *next;
    return QFileDialog::getExistingDirectory(parent, caption, dir);
}

QString FileDialog::getOpenFileName(QWidget* parent, const QString& caption, const QString& dir,
                                    const QString& filter) {
    if (auto next = takeNext())
        return *next;
    return QFileDialog::getOpenFileName(parent, caption, dir, filter);
}

QString FileDialog::getSaveFileName(QWidget* parent, const QString& caption, const QString& dir,
                                    const QString& filter) {
    if (auto next = takeNext())
        return *next;
    return QFileDialog::getSaveFileName(parent, caption, dir, filter);
}

}  // namespace recscope::ui
