#pragma once
// Recently opened dataset paths, most recent first, persisted in QSettings under
// "recentDatasets". Paths are stored as given (absolute, cleaned); duplicates move to the front.

#include <QStringList>

namespace recscope::ui {

class RecentDatasets {
public:
    static constexpr int kMaxEntries = 8;

    static QStringList paths();
    static void add(const QString& path);
    static void remove(const QString& path);
    static void clear();
};

}  // namespace recscope::ui
