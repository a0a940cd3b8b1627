#include "ui/session/RecentDatasets.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

namespace recscope::ui {

namespace {
const char* const kKey = "recentDatasets";

QString normalised(const QString& path) {
    return QDir::cleanPath(QFileInfo(path).absoluteFilePath());
}

void store(const QStringList& paths) {
    QSettings().setValue(kKey, paths);
}
}  // namespace

QStringList RecentDatasets::paths() {
    return QSettings().value(kKey).toStringList();
}

void RecentDatasets::add(const QString& path) {
    const QString clean = normalised(path);
    QStringList list = paths();
    list.removeAll(clean);
    list.prepend(clean);
    while (list.size() > kMaxEntries)
        list.removeLast();
    store(list);
}

void RecentDatasets::remove(const QString& path) {
    QStringList list = paths();
    list.removeAll(normalised(path));
    store(list);
}

void RecentDatasets::clear() {
    store({});
}

}  // namespace recscope::ui
