#include "ui/leaderboard/PairedComparisonDialog.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>

#include "core/workspace/Workspace.h"
#include "ui/leaderboard/MetricColumns.h"
#include "ui/session/WorkspaceSession.h"

namespace recscope::ui {

namespace {

enum ResultColumn {
    MetricCol,
    UsersCol,
    WinsCol,
    TiesCol,
    LossesCol,
    MeanACol,
    MeanBCol,
    DifferenceCol,
    PCol,
    ResultColumns
};

QString runLabel(const RunRecord* run, qint64 id) {
    if (!run)
        return PairedComparisonDialog::tr("run #%1").arg(id);
    return run->name.empty() ? QStringLiteral("%1 #%2")
                                   .arg(QString::fromStdString(run->config.model))
                                   .arg(run->id)
                             : QString::fromStdString(run->name);
}

QString formatP(double p) {
    if (p < 1e-4)
        return QString::number(p, 'e', 2);
    return QString::number(p, 'f', 4);
}

QStandardItem* numberItem(const QString& text, double sortValue) {
    auto* item = new QStandardItem(text);
    item->setData(sortValue, Qt::UserRole);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    item->setEditable(false);
    return item;
}

}  // namespace

PairedComparisonDialog::PairedComparisonDialog(WorkspaceSession* session, qint64 runA, qint64 runB,
                                               const QStringList& preferredMetrics, QWidget* parent)
    : QDialog(parent),
      m_session(session),
      m_runA(runA),
      m_runB(runB),
      m_title(new QLabel),
      m_error(new QLabel),
      m_metrics(new QListWidget),
      m_table(new QTableView),
      m_model(new QStandardItemModel(0, ResultColumns, this)) {
    setObjectName(QStringLiteral("pairedComparisonDialog"));
    setWindowTitle(tr("Paired Comparison"));
    m_title->setObjectName(QStringLiteral("pairedTitle"));
    m_title->setWordWrap(true);
    m_title->setTextFormat(Qt::PlainText);
    m_error->setObjectName(QStringLiteral("pairedError"));
    m_error->setWordWrap(true);
    m_error->hide();
    m_metrics->setObjectName(QStringLiteral("pairedMetricList"));
    m_metrics->setToolTip(tr("Metrics with a per-user value in both runs."));
    m_table->setObjectName(QStringLiteral("pairedResultTable"));
    m_table->setModel(m_model);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_model->setHorizontalHeaderLabels({tr("Metric"), tr("Users"), tr("Wins"), tr("Ties"),
                                        tr("Losses"), tr("Mean A"), tr("Mean B"),
                                        tr("A − B [95% CI]"), tr("Wilcoxon p")});
    const auto headerTip = [this](int column, const QString& tip) {
        m_model->horizontalHeaderItem(column)->setToolTip(tip);
    };
    headerTip(UsersCol, tr("Users evaluated by both runs."));
    headerTip(WinsCol, tr("Users for whom A's value is higher than B's."));
    headerTip(TiesCol, tr("Users for whom both values are equal."));
    headerTip(LossesCol, tr("Users for whom A's value is lower than B's."));
    headerTip(DifferenceCol,
              tr("Mean of A − B over the common users, with a percentile bootstrap 95% interval "
                 "(2000 resamples of the users): an interval that excludes 0 says the same as a "
                 "small p-value, and shows how large the difference may be."));
    headerTip(PCol, tr("Two-sided Wilcoxon signed-rank test on the per-user differences (zero "
                       "differences dropped; exact for up to 50 differences without ties, "
                       "otherwise the normal approximation). Bold: p < 0.05."));

    auto* swap = new QPushButton(tr("&Swap A and B"));
    swap->setObjectName(QStringLiteral("pairedSwapButton"));
    connect(swap, &QPushButton::clicked, this, &PairedComparisonDialog::swapRuns);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    buttons->addButton(swap, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* note =
        new QLabel(tr("Only users evaluated by both runs count. A small p-value means "
                      "the per-user differences are unlikely under no difference."));
    note->setWordWrap(true);
    note->setForegroundRole(QPalette::PlaceholderText);

    auto* splitter = new QSplitter;
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(m_metrics);
    splitter->addWidget(m_table);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({160, 620});

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_error);
    layout->addWidget(splitter, 1);
    layout->addWidget(note);
    layout->addWidget(buttons);
    resize(860, 380);

    load();
    QStringList initial;
    for (const QString& metric : preferredMetrics)
        if (m_common.contains(metric))
            initial << metric;
    if (initial.isEmpty() && !m_common.isEmpty())
        initial << m_common.front();
    setChosenMetrics(initial);
    connect(m_metrics, &QListWidget::itemChanged, this, &PairedComparisonDialog::recompute);
}

void PairedComparisonDialog::load() {
    const RunRecord* a = m_session->run(m_runA);
    const RunRecord* b = m_session->run(m_runB);
    m_title->setText(tr("A: %1\nB: %2").arg(runLabel(a, m_runA), runLabel(b, m_runB)));

    m_a = {};
    m_b = {};
    QStringList problems;
    const auto fetch = [&](qint64 id, EvalResult* out) {
        Result<PerUserMetrics> perUser = m_session->perUser(id);
        if (!perUser) {
            problems << tr("Run #%1: %2")
                            .arg(id)
                            .arg(QString::fromStdString(perUser.error().toString()));
            return;
        }
        out->users = std::move(perUser.value().users);
        out->perUser = std::move(perUser.value().values);
        out->usersEvaluated = int32_t(out->users.size());
    };
    fetch(m_runA, &m_a);
    fetch(m_runB, &m_b);

    m_common.clear();
    for (const auto& entry : m_a.perUser)
        if (m_b.perUser.count(entry.first))
            m_common << QString::fromStdString(entry.first);
    std::sort(m_common.begin(), m_common.end(), &MetricColumns::lessInDisplayOrder);
    if (problems.isEmpty() && m_common.isEmpty())
        problems << tr(
            "The two runs have no per-user metric in common (runs evaluated without "
            "per-user values cannot be compared).");
    m_error->setText(problems.join(QLatin1Char('\n')));
    m_error->setVisible(!problems.isEmpty());

    const QSignalBlocker blocker(m_metrics);
    const QStringList chosen = chosenMetrics();
    m_metrics->clear();
    for (const QString& metric : m_common) {
        auto* item = new QListWidgetItem(MetricColumns::label(metric), m_metrics);
        item->setData(Qt::UserRole, metric);
        item->setToolTip(MetricColumns::tooltip(metric));
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
        item->setCheckState(chosen.contains(metric) ? Qt::Checked : Qt::Unchecked);
    }
}

QString PairedComparisonDialog::errorText() const {
    return m_error->text();
}

QStringList PairedComparisonDialog::chosenMetrics() const {
    QStringList chosen;
    for (int i = 0; i < m_metrics->count(); ++i)
        if (m_metrics->item(i)->checkState() == Qt::Checked)
            chosen << m_metrics->item(i)->data(Qt::UserRole).toString();
    return chosen;
}

void PairedComparisonDialog::setChosenMetrics(const QStringList& metrics) {
    {
        const QSignalBlocker blocker(m_metrics);
        for (int i = 0; i < m_metrics->count(); ++i) {
            QListWidgetItem* item = m_metrics->item(i);
            item->setCheckState(metrics.contains(item->data(Qt::UserRole).toString())
                                    ? Qt::Checked
                                    : Qt::Unchecked);
        }
    }
    recompute();
}

void PairedComparisonDialog::swapRuns() {
    std::swap(m_runA, m_runB);
    std::swap(m_a, m_b);
    const RunRecord* a = m_session->run(m_runA);
    const RunRecord* b = m_session->run(m_runB);
    m_title->setText(tr("A: %1\nB: %2").arg(runLabel(a, m_runA), runLabel(b, m_runB)));
    recompute();
}

void PairedComparisonDialog::recompute() {
    m_results.clear();
    m_model->removeRows(0, m_model->rowCount());
    for (const QString& metric : chosenMetrics()) {
        Result<PairedComparison> cmp = comparePaired(m_a, m_b, metric.toStdString());
        if (!cmp)
            continue;  // cannot happen for a common metric; keep the table consistent anyway
        const PairedComparison& c = cmp.value();
        m_results.push_back(c);
        auto* name = new QStandardItem(MetricColumns::label(metric));
        name->setData(metric, Qt::UserRole);
        name->setToolTip(MetricColumns::tooltip(metric));
        name->setEditable(false);
        auto* p = numberItem(formatP(c.wilcoxon.pValue), c.wilcoxon.pValue);
        p->setToolTip(
            tr("n = %1 non-zero differences, W+ = %2, W− = %3, %4")
                .arg(c.wilcoxon.n)
                .arg(c.wilcoxon.wPlus)
                .arg(c.wilcoxon.wMinus)
                .arg(c.wilcoxon.exact
                         ? tr("exact distribution")
                         : tr("normal approximation, z = %1").arg(c.wilcoxon.z, 0, 'f', 3)));
        if (c.wilcoxon.pValue < 0.05) {
            QFont bold = p->font();
            bold.setBold(true);
            p->setFont(bold);
        }
        m_model->appendRow({name, numberItem(QString::number(c.users), double(c.users)),
                            numberItem(QString::number(c.wins), double(c.wins)),
                            numberItem(QString::number(c.ties), double(c.ties)),
                            numberItem(QString::number(c.losses), double(c.losses)),
                            numberItem(MetricColumns::format(metric, c.meanA), c.meanA),
                            numberItem(MetricColumns::format(metric, c.meanB), c.meanB),
                            numberItem(QStringLiteral("%1 [%2, %3]")
                                           .arg(MetricColumns::format(metric, c.difference.mean),
                                                MetricColumns::format(metric, c.difference.low),
                                                MetricColumns::format(metric, c.difference.high)),
                                       c.difference.mean),
                            p});
    }
    m_table->resizeColumnsToContents();
}

}  // namespace recscope::ui
