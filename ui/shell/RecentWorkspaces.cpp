#include "ui/shell/RecentWorkspaces.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

namespace recscope::ui {

namespace {
const char* const kKey = "recentWorkspaces";
}  // namespace

QStringList RecentWorkspaces::paths() {
    return QSettings().value(kKey).toStringList();
}

void RecentWorkspaces::add(const QString& folder) {
    const QString clean = QDir::cleanPath(QFileInfo(folder).absoluteFilePath());
    QStringList list = paths();
    list.removeAll(clean);
    list.prepend(clean);
    while (list.size() > kMaxEntries)
        list.removeLast();
    QSettings().setValue(kKey, list);
}

void RecentWorkspaces::clear() {
    QSettings().setValue(kKey, QStringList());
}

}  // namespace recscope::ui
