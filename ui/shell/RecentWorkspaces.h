#pragma once
// Recently opened workspace folders, most recent first, persisted in QSettings under
// "recentWorkspaces" (the first entry is the one reopened at start).

#include <QStringList>

namespace recscope::ui {

class RecentWorkspaces {
public:
    static constexpr int kMaxEntries = 8;

    static QStringList paths();
    static void add(const QString& folder);
    static void clear();
};

}  // namespace recscope::ui
