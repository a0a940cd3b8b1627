#pragma once
// The Leaderboard tab: every run of the workspace × the chosen metric columns, sortable, best
// values marked. Toolbar: metric families and Ks to show, Export ▸ CSV / Markdown / LaTeX / JSON
// (the visible columns in the visible sort order, best marks carried where the format can),
// Copy as TSV (the selected runs, or all; also Ctrl+C), per-user metrics of a run as CSV, and a
// paired comparison of two selected runs. Toggles: sweep trials (runs scored on validation,
// hidden by default), "Published" (reference rows of published figures that compare with the
// runs, shown by default) and "± 95% CI" (bootstrap intervals of the means). Context menu: rename (or
// double-click the name) and delete (asks first). File dialogs go through FileDialog and the
// question through ConfirmDialog, so tests can answer them. Messages appear in an inline banner.

#include <QList>
#include <QPointer>
#include <QWidget>

#include "core/export/TableExport.h"
#include "ui/leaderboard/PairedComparisonDialog.h"  // QPointer needs the complete type

class QAction;
class QLabel;
class QMenu;
class QStackedWidget;
class QTableView;
class QToolButton;

namespace recscope::ui {

class LeaderboardModel;
class LeaderboardProxyModel;
class MessageBanner;
class PairedComparisonDialog;
class WorkspaceSession;

class LeaderboardView : public QWidget {
    Q_OBJECT
public:
    explicit LeaderboardView(WorkspaceSession* session, QWidget* parent = nullptr);

    LeaderboardModel* model() const { return m_model; }
    LeaderboardProxyModel* proxy() const { return m_proxy; }
    QTableView* table() const { return m_table; }
    MessageBanner* banner() const { return m_banner; }
    // The table as shown (proxy rows = visible order; empty = all rows).
    Table shownTable(const QList<int>& proxyRows = {}) const;
    QList<qint64> selectedRunIds() const;  // in visible order
    void selectRuns(const QList<qint64>& ids);
    // Selects and scrolls to a run, showing sweep trials first if it is one.
    void showRun(qint64 id);
    // The dialog opened by the last Compare (null when none or closed).
    PairedComparisonDialog* comparisonDialog() const { return m_comparison; }

public slots:
    bool exportTable(recscope::TableFormat format);  // asks for the path
    void copyTsv();
    bool exportPerUser();
    void compareSelected();
    void renameSelected();
    bool deleteSelected();

private:
    QWidget* createToolBar();
    void rebuildColumnMenus();
    void updateActions();
    void updatePage();
    void showContextMenu(const QPoint& pos);
    QString defaultPath(const QString& fileName) const;
    QAction* addAction(QMenu* menu, const QString& text, const char* objectName);

    WorkspaceSession* m_session;
    LeaderboardModel* m_model;
    LeaderboardProxyModel* m_proxy;
    MessageBanner* m_banner;
    QStackedWidget* m_pages;
    QLabel* m_emptyText;
    QTableView* m_table;
    QLabel* m_count;
    QMenu* m_familyMenu;
    QMenu* m_kMenu;
    QAction* m_copy = nullptr;
    QAction* m_perUser = nullptr;
    QAction* m_compare = nullptr;
    QAction* m_rename = nullptr;
    QAction* m_delete = nullptr;
    QToolButton* m_trials = nullptr;
    QToolButton* m_intervals = nullptr;
    QToolButton* m_references = nullptr;
    QList<QAction*> m_exports;
    QPointer<PairedComparisonDialog> m_comparison;
};

}  // namespace recscope::ui
