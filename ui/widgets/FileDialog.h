#pragma once
// The one place the UI asks the user for a path. Tests set the next answer instead of driving a
// native dialog (in the manner of KeePassXC's FileDialog). GUI thread only.

#include <QString>
#include <optional>

class QWidget;

namespace recscope::ui {

class FileDialog {
public:
    static FileDialog& instance();

    // Empty string: the user cancelled.
    QString getExistingDirectory(QWidget* parent, const QString& caption, const QString& dir);
    QString getOpenFileName(QWidget* parent, const QString& caption, const QString& dir,
                            const QString& filter);
    // Asks for a file to write (the dialog confirms overwriting). `dir` may name a file.
    QString getSaveFileName(QWidget* parent, const QString& caption, const QString& dir,
                            const QString& filter);

    // The next get* call returns `path` without showing a dialog (empty = cancelled).
    void setNextPath(const QString& path) { m_next = path; }

private:
    std::optional<QString> takeNext();

    std::optional<QString> m_next;
};

}  // namespace recscope::ui
