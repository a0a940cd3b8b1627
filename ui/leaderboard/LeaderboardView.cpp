#include "ui/leaderboard/LeaderboardView.h"

#include <QAction>
#include <QClipboard>
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMenu>
#include <QRegularExpression>
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <charconv>

#include "core/eval/MetricCatalogue.h"
#include "core/workspace/Workspace.h"
#include "ui/widgets/ConfirmDialog.h"
#include "ui/widgets/FileDialog.h"
#include "ui/widgets/ItemModelTable.h"
#include "ui/leaderboard/LeaderboardModel.h"
#include "ui/leaderboard/LeaderboardProxyModel.h"
#include "ui/widgets/MessageBanner.h"
#include "ui/leaderboard/MetricColumns.h"
#include "ui/leaderboard/PairedComparisonDialog.h"
#include "ui/session/WorkspaceSession.h"

namespace recscope::ui {

namespace {

// "CSV files (*.csv)": a save dialog's filter for one export format.
QString formatFilter(const TableFormatInfo& f) {
    return LeaderboardView::tr("%1 files (*.%2)")
        .arg(QString::fromStdString(f.label), QString::fromStdString(f.extension));
}

// Shortest text that reads back as the same float.
std::string floatText(float value) {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

QString safeFileName(QString name) {
    name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]+")), QStringLiteral("-"));
    return name.isEmpty() ? QStringLiteral("run") : name;
}

}  // namespace

LeaderboardView::LeaderboardView(WorkspaceSession* session, QWidget* parent)
    : QWidget(parent),
      m_session(session),
      m_model(new LeaderboardModel(session, this)),
      m_proxy(new LeaderboardProxyModel(this)),
      m_banner(new MessageBanner(this)),
      m_pages(new QStackedWidget(this)),
      m_emptyText(new QLabel),
      m_table(new QTableView),
      m_count(new QLabel),
      m_familyMenu(new QMenu(tr("Metrics"), this)),
      m_kMenu(new QMenu(tr("K"), this)) {
    setObjectName(QStringLiteral("leaderboardView"));
    m_banner->setObjectName(QStringLiteral("leaderboardBanner"));
    m_proxy->setSourceModel(m_model);

    m_table->setObjectName(QStringLiteral("leaderboardTable"));
    m_table->setModel(m_proxy);
    // No sort until the user clicks a header: runs keep their creation order.
    m_table->horizontalHeader()->setSortIndicator(-1, Qt::DescendingOrder);
    m_table->setSortingEnabled(true);
    m_table->horizontalHeader()->setSortIndicatorClearable(true);
    m_table->horizontalHeader()->setHighlightSections(false);
    m_table->horizontalHeader()->setDefaultAlignment(Qt::AlignCenter);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, &LeaderboardView::showContextMenu);

    m_emptyText->setObjectName(QStringLiteral("leaderboardEmptyText"));
    m_emptyText->setAlignment(Qt::AlignCenter);
    m_emptyText->setWordWrap(true);
    m_pages->addWidget(m_emptyText);
    m_pages->addWidget(m_table);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_banner);
    layout->addWidget(createToolBar());
    layout->addWidget(m_pages, 1);
    m_banner->hide();

    connect(m_model, &LeaderboardModel::availableColumnsChanged, this,
            &LeaderboardView::rebuildColumnMenus);
    // Column widths follow the content after structural changes; queued so one burst of
    // changes resizes once.
    auto* resize = new QTimer(this);
    resize->setSingleShot(true);
    resize->setInterval(0);
    connect(resize, &QTimer::timeout, m_table, &QTableView::resizeColumnsToContents);
    const auto changed = [this, resize] {
        updatePage();
        updateActions();
        resize->start();
    };
    connect(m_model, &QAbstractItemModel::modelReset, this, changed);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, changed);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, changed);
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this, resize] {
        updateActions();
        resize->start();  // e.g. the ± intervals arriving widen the metric cells
    });
    connect(m_session, &WorkspaceSession::workspaceOpened, this, &LeaderboardView::updatePage);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &LeaderboardView::updateActions);

    rebuildColumnMenus();
    updatePage();
    updateActions();
    m_table->resizeColumnsToContents();
}

QAction* LeaderboardView::addAction(QMenu* menu, const QString& text, const char* objectName) {
    QAction* action = menu ? menu->addAction(text) : new QAction(text, this);
    action->setObjectName(QLatin1String(objectName));
    return action;
}

QWidget* LeaderboardView::createToolBar() {
    auto* bar = new QWidget;
    bar->setObjectName(QStringLiteral("leaderboardToolBar"));
    auto* layout = new QHBoxLayout(bar);
    layout->setContentsMargins(6, 4, 6, 2);
    const auto button = [bar, layout](const QString& text, const char* objectName) {
        auto* b = new QToolButton(bar);
        b->setObjectName(QLatin1String(objectName));
        b->setText(text);
        b->setToolButtonStyle(Qt::ToolButtonTextOnly);
        b->setAutoRaise(true);
        layout->addWidget(b);
        return b;
    };
    const auto menuButton = [&button](const QString& text, const char* objectName, QMenu* menu) {
        QToolButton* b = button(text, objectName);
        b->setMenu(menu);
        b->setPopupMode(QToolButton::InstantPopup);
        return b;
    };

    m_familyMenu->setObjectName(QStringLiteral("leaderboardFamilyMenu"));
    m_kMenu->setObjectName(QStringLiteral("leaderboardKMenu"));
    menuButton(tr("Metrics"), "leaderboardFamilyButton", m_familyMenu)
        ->setToolTip(tr("Metric families shown as columns."));
    menuButton(tr("K"), "leaderboardKButton", m_kMenu)
        ->setToolTip(tr("Cutoffs shown as columns (each chosen metric at each chosen K)."));

    auto* exportMenu = new QMenu(tr("Export"), this);
    exportMenu->setObjectName(QStringLiteral("leaderboardExportMenu"));
    for (const TableFormatInfo& info : tableFormats()) {
        QAction* action =
            addAction(exportMenu, QString::fromStdString(info.label) + QStringLiteral("…"),
                      ("leaderboardExport" + info.id).c_str());
        const TableFormat format = info.format;
        connect(action, &QAction::triggered, this, [this, format] { exportTable(format); });
        m_exports << action;
    }
    menuButton(tr("Export"), "leaderboardExportButton", exportMenu)
        ->setToolTip(tr("Writes the table as shown: visible columns, visible order, best values "
                        "marked (Markdown, LaTeX, JSON)."));

    m_copy = addAction(nullptr, tr("Copy as TSV"), "leaderboardCopyTsv");
    m_copy->setShortcut(QKeySequence::Copy);
    m_copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_copy->setToolTip(
        tr("Copies the selected runs (or all runs) with headers, tab-separated, "
           "for spreadsheets (%1).")
            .arg(QKeySequence(QKeySequence::Copy).toString(QKeySequence::NativeText)));
    connect(m_copy, &QAction::triggered, this, &LeaderboardView::copyTsv);
    QWidget::addAction(m_copy);
    button(QString(), "leaderboardCopyButton")->setDefaultAction(m_copy);

    m_perUser = addAction(nullptr, tr("Per-User CSV…"), "leaderboardExportPerUser");
    m_perUser->setToolTip(tr("Exports the per-user metrics of the selected run as CSV."));
    connect(m_perUser, &QAction::triggered, this, &LeaderboardView::exportPerUser);
    button(QString(), "leaderboardPerUserButton")->setDefaultAction(m_perUser);

    m_compare = addAction(nullptr, tr("Compare…"), "leaderboardCompare");
    m_compare->setToolTip(
        tr("Paired comparison of the two selected runs on their common users: "
           "wins, ties, losses and the Wilcoxon signed-rank p-value."));
    connect(m_compare, &QAction::triggered, this, &LeaderboardView::compareSelected);
    button(QString(), "leaderboardCompareButton")->setDefaultAction(m_compare);

    m_rename = addAction(nullptr, tr("&Rename"), "leaderboardRename");
    m_rename->setShortcut(Qt::Key_F2);
    m_rename->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_rename, &QAction::triggered, this, &LeaderboardView::renameSelected);
    QWidget::addAction(m_rename);
    m_delete = addAction(nullptr, tr("&Delete…"), "leaderboardDelete");
    m_delete->setShortcut(QKeySequence::Delete);
    m_delete->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_delete, &QAction::triggered, this, &LeaderboardView::deleteSelected);
    QWidget::addAction(m_delete);

    m_trials = button(tr("Sweep trials"), "leaderboardShowTrials");
    m_trials->setCheckable(true);
    m_trials->setToolTip(
        tr("Show the trials of hyper-parameter sweeps: scored on the validation part, in "
           "italics, never marked best (the best configuration's test run is always shown)."));
    connect(m_trials, &QToolButton::toggled, m_proxy,
            &LeaderboardProxyModel::setShowValidationRuns);
    m_references = button(tr("Published"), "leaderboardShowReferences");
    m_references->setCheckable(true);
    m_references->setChecked(true);
    m_references->setToolTip(
        tr("Show the published figures measured under the same protocol, data set and K as "
           "a run here (greyed rows with their source; never marked best)."));
    connect(m_references, &QToolButton::toggled, m_model, &LeaderboardModel::setShowReferences);
    m_intervals = button(tr("± 95% CI"), "leaderboardShowIntervals");
    m_intervals->setCheckable(true);
    m_intervals->setToolTip(
        tr("Show each mean with the half-width of its bootstrap 95% interval over the "
           "evaluated users (1000 resamples): how much the number would move with other users."));
    connect(m_intervals, &QToolButton::toggled, m_model, &LeaderboardModel::setShowIntervals);

    layout->addStretch(1);
    m_count->setObjectName(QStringLiteral("leaderboardCountLabel"));
    m_count->setForegroundRole(QPalette::PlaceholderText);
    QStringList lower;
    for (const MetricFamily& f : metricFamilies())
        if (!f.higherIsBetter)
            lower << QString::fromStdString(f.label);
    m_count->setToolTip(tr("Higher is better, except %1. A column is marked when at least two "
                           "runs have a value in it.")
                            .arg(lower.join(QStringLiteral(", "))));
    layout->addWidget(m_count);
    return bar;
}

void LeaderboardView::rebuildColumnMenus() {
    m_familyMenu->clear();
    const QStringList families = m_model->availableFamilies();
    for (const QString& family : families) {
        const MetricColumns::Family f = MetricColumns::family(family);
        QAction* action = m_familyMenu->addAction(f.label);
        action->setObjectName(QStringLiteral("leaderboardFamily_") + family);
        action->setCheckable(true);
        action->setChecked(m_model->chosenFamilies().contains(family));
        action->setToolTip(f.description);
        connect(action, &QAction::toggled, this, [this, family](bool on) {
            QStringList chosen = m_model->chosenFamilies();
            chosen.removeAll(family);
            if (on)
                chosen << family;
            m_model->setChosenFamilies(chosen);
        });
    }
    if (families.isEmpty())
        m_familyMenu->addAction(tr("(no metrics yet)"))->setEnabled(false);

    m_kMenu->clear();
    const QList<int> ks = m_model->availableKs();
    for (int k : ks) {
        QAction* action = m_kMenu->addAction(QStringLiteral("@%1").arg(k));
        action->setObjectName(QStringLiteral("leaderboardK_%1").arg(k));
        action->setCheckable(true);
        action->setChecked(m_model->chosenKs().contains(k));
        connect(action, &QAction::toggled, this, [this, k](bool on) {
            QList<int> chosen = m_model->chosenKs();
            chosen.removeAll(k);
            if (on)
                chosen << k;
            m_model->setChosenKs(chosen);
        });
    }
    if (ks.isEmpty())
        m_kMenu->addAction(tr("(no cutoffs yet)"))->setEnabled(false);
}

void LeaderboardView::updatePage() {
    const int references = m_model->referenceCount();
    const int runs = m_model->rowCount() - references;
    if (!m_session->isOpen()) {
        m_emptyText->setText(
            tr("<h3>No workspace open</h3><p>Runs are kept in a workspace "
               "folder; open or create one to see its leaderboard.</p>"));
    } else {
        m_emptyText->setText(
            tr("<h3>No runs yet</h3><p>Train a model in the Training tab, or import a run folder "
               "written by <code>recscope-cli run … --out DIR</code>. Every run of this "
               "workspace appears here with its metrics.</p>"));
    }
    m_pages->setCurrentIndex(runs > 0 ? 1 : 0);
    const int hidden = runs + references - m_proxy->rowCount();
    m_count->setText(
        tr("%n run(s)", nullptr, runs - hidden) +
        (hidden > 0 ? QStringLiteral(" · ") + tr("%n sweep trial(s) hidden", nullptr, hidden)
                    : QString()) +
        (references > 0
             ? QStringLiteral(" · ") + tr("%n published figure row(s)", nullptr, references)
             : QString()) +
        QStringLiteral(" · ") + tr("bold: best of its column"));
}

QList<qint64> LeaderboardView::selectedRunIds() const {
    QModelIndexList rows = m_table->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(),
              [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
    QList<qint64> ids;
    for (const QModelIndex& index : rows)
        if (const qint64 id = index.data(LeaderboardModel::RunIdRole).toLongLong(); id > 0)
            ids << id;  // reference rows (published figures) have no run
    return ids;
}

void LeaderboardView::selectRuns(const QList<qint64>& ids) {
    QItemSelection selection;
    for (qint64 id : ids) {
        const int row = m_model->rowOfRun(id);
        if (row < 0)
            continue;
        const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
        selection.select(index, index);
    }
    m_table->selectionModel()->select(
        selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    if (!selection.isEmpty())
        m_table->selectionModel()->setCurrentIndex(selection.indexes().front(),
                                                   QItemSelectionModel::NoUpdate);
}

void LeaderboardView::showRun(qint64 id) {
    const int row = m_model->rowOfRun(id);
    if (row < 0)
        return;
    if (m_model->index(row, 0).data(LeaderboardModel::ValidationRole).toBool())
        m_trials->setChecked(true);
    selectRuns({id});
    m_table->scrollTo(m_proxy->mapFromSource(m_model->index(row, 0)));
}

void LeaderboardView::updateActions() {
    const int selected = int(selectedRunIds().size());
    const bool any = m_model->rowCount() > 0;
    for (QAction* action : m_exports)
        action->setEnabled(any);
    m_copy->setEnabled(any);
    m_perUser->setEnabled(selected == 1);
    m_compare->setEnabled(selected == 2);
    m_rename->setEnabled(selected == 1);
    m_delete->setEnabled(selected >= 1);
}

Table LeaderboardView::shownTable(const QList<int>& proxyRows) const {
    ItemModelTable::Options options;
    options.caption = tr("RecScope leaderboard");
    options.rows = proxyRows;
    options.bestRole = LeaderboardModel::BestRole;
    options.numericRole = LeaderboardModel::NumericRole;
    // Columns in the order the header shows them (the user may drag sections).
    QHeaderView* header = m_table->horizontalHeader();
    for (int visual = 0; visual < header->count(); ++visual) {
        const int logical = header->logicalIndex(visual);
        if (!header->isSectionHidden(logical))
            options.columns << logical;
    }
    return ItemModelTable::build(*m_proxy, options);
}

QString LeaderboardView::defaultPath(const QString& fileName) const {
    const QString folder = m_session->isOpen() ? m_session->folder() : QDir::homePath();
    return QDir(folder).filePath(fileName);
}

bool LeaderboardView::exportTable(TableFormat format) {
    const TableFormatInfo& info = tableFormatInfo(format);
    const QString extension = QString::fromStdString(info.extension);
    QString path = FileDialog::instance().getSaveFileName(
        this, tr("Export Leaderboard"), defaultPath(QStringLiteral("leaderboard.") + extension),
        formatFilter(info));
    if (path.isEmpty())
        return false;
    if (QFileInfo(path).suffix().isEmpty())
        path += QLatin1Char('.') + extension;
    const Table table = shownTable();
    if (Status status = writeTable(table, format, path.toStdString()); !status) {
        m_banner->showMessage(tr("Could not export the leaderboard: %1")
                                  .arg(QString::fromStdString(status.error().toString())),
                              MessageBanner::Type::Error);
        return false;
    }
    m_banner->showMessage(tr("Exported %n run(s) to %1.", nullptr, int(table.rows.size()))
                              .arg(QDir::toNativeSeparators(path)),
                          MessageBanner::Type::Positive);
    return true;
}

void LeaderboardView::copyTsv() {
    QList<int> rows;
    for (const QModelIndex& index : m_table->selectionModel()->selectedRows())
        rows << index.row();
    std::sort(rows.begin(), rows.end());
    const Table table = shownTable(rows);
    QGuiApplication::clipboard()->setText(
        QString::fromStdString(renderTable(table, TableFormat::Tsv)));
}

bool LeaderboardView::exportPerUser() {
    const QList<qint64> ids = selectedRunIds();
    if (ids.size() != 1) {
        m_banner->showMessage(tr("Select one run to export its per-user metrics."),
                              MessageBanner::Type::Information);
        return false;
    }
    const qint64 id = ids.front();
    const RunRecord* run = m_session->run(id);
    if (!run)
        return false;
    Result<PerUserMetrics> perUser = m_session->perUser(id);
    if (!perUser) {
        m_banner->showMessage(tr("Could not read the per-user metrics of run #%1: %2")
                                  .arg(id)
                                  .arg(QString::fromStdString(perUser.error().toString())),
                              MessageBanner::Type::Error);
        return false;
    }
    const PerUserMetrics& values = perUser.value();
    if (values.values.empty()) {
        m_banner->showMessage(tr("Run #%1 has no per-user metrics (it was evaluated without "
                                 "them, or has not finished).")
                                  .arg(id),
                              MessageBanner::Type::Information);
        return false;
    }
    const QString name =
        run->name.empty()
            ? QStringLiteral("%1-%2").arg(QString::fromStdString(run->config.model)).arg(id)
            : QString::fromStdString(run->name);
    QString path = FileDialog::instance().getSaveFileName(
        this, tr("Export Per-User Metrics"),
        defaultPath(safeFileName(name) + QStringLiteral("-per-user.csv")), tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return false;
    if (QFileInfo(path).suffix().isEmpty())
        path += QStringLiteral(".csv");

    QStringList metrics;
    for (const auto& entry : values.values)
        metrics << QString::fromStdString(entry.first);
    std::sort(metrics.begin(), metrics.end(), &MetricColumns::lessInDisplayOrder);
    Table table;
    table.headers.push_back("user");
    table.numeric.push_back(true);
    for (const QString& metric : metrics) {
        table.headers.push_back(metric.toStdString());
        table.numeric.push_back(true);
    }
    table.rows.reserve(values.users.size());
    for (size_t i = 0; i < values.users.size(); ++i) {
        std::vector<std::string> row{std::to_string(values.users[i])};
        for (const QString& metric : metrics) {
            const std::vector<float>& column = values.values.at(metric.toStdString());
            row.push_back(i < column.size() ? floatText(column[i]) : std::string());
        }
        table.rows.push_back(std::move(row));
    }
    if (Status status = writeTable(table, TableFormat::Csv, path.toStdString()); !status) {
        m_banner->showMessage(tr("Could not export the per-user metrics: %1")
                                  .arg(QString::fromStdString(status.error().toString())),
                              MessageBanner::Type::Error);
        return false;
    }
    m_banner->showMessage(tr("Exported the per-user metrics of %1 (%n user(s)) to %2.", nullptr,
                             int(values.users.size()))
                              .arg(name, QDir::toNativeSeparators(path)),
                          MessageBanner::Type::Positive);
    return true;
}

void LeaderboardView::compareSelected() {
    const QList<qint64> ids = selectedRunIds();
    if (ids.size() != 2) {
        m_banner->showMessage(tr("Select exactly two runs to compare them."),
                              MessageBanner::Type::Information);
        return;
    }
    QStringList shown;
    for (int c = LeaderboardModel::FirstMetricColumn; c < m_model->columnCount(); ++c)
        shown << m_model->metricKey(c);
    if (m_comparison)
        m_comparison->close();
    m_comparison = new PairedComparisonDialog(m_session, ids[0], ids[1], shown, this);
    m_comparison->setAttribute(Qt::WA_DeleteOnClose);
    m_comparison->show();
}

void LeaderboardView::renameSelected() {
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid())
        return;
    const QModelIndex name = current.siblingAtColumn(LeaderboardModel::NameColumn);
    m_table->setCurrentIndex(name);
    m_table->edit(name);
}

bool LeaderboardView::deleteSelected() {
    const QList<qint64> ids = selectedRunIds();
    if (ids.isEmpty())
        return false;
    QStringList names;
    for (qint64 id : ids) {
        const int row = m_model->rowOfRun(id);
        names << m_model->index(row, LeaderboardModel::NameColumn).data().toString();
    }
    const QString text =
        ids.size() == 1
            ? tr("Delete the run “%1” with its metrics and checkpoint? This cannot be undone.")
                  .arg(names.front())
            : tr("Delete %1 runs (%2) with their metrics and checkpoints? This cannot be undone.")
                  .arg(ids.size())
                  .arg(names.join(QStringLiteral(", ")));
    if (!ConfirmDialog::ask(this, tr("Delete Runs"), text, tr("Delete")))
        return false;
    QStringList failed;
    for (qint64 id : ids)
        if (!m_session->deleteRun(id))
            failed << QString::number(id);
    if (!failed.isEmpty()) {
        m_banner->showMessage(
            tr("Could not delete run(s) %1.").arg(failed.join(QStringLiteral(", "))),
            MessageBanner::Type::Error);
        return false;
    }
    return true;
}

void LeaderboardView::showContextMenu(const QPoint& pos) {
    const QModelIndex index = m_table->indexAt(pos);
    if (index.isValid() && !m_table->selectionModel()->isRowSelected(index.row(), {}))
        m_table->selectRow(index.row());
    updateActions();
    QMenu menu(this);
    menu.addAction(m_rename);
    menu.addAction(m_delete);
    menu.addSeparator();
    menu.addAction(m_compare);
    menu.addAction(m_perUser);
    menu.addAction(m_copy);
    menu.exec(m_table->viewport()->mapToGlobal(pos));
}

}  // namespace recscope::ui
