#include "ui/inspector/RecommendationListPanel.h"

#include <QComboBox>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QSignalBlocker>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

#include "ui/inspector/InspectorEvidenceModel.h"
#include "ui/inspector/RecommendationListModel.h"
#include "ui/inspector/ScoreBarDelegate.h"

namespace recscope::ui {

namespace {

constexpr int kRunRole = Qt::UserRole;
constexpr int kStageRole = Qt::UserRole + 1;

QTableView* makeTable(const QString& objectName, QAbstractItemModel* model) {
    auto* table = new QTableView;
    table->setObjectName(objectName);
    table->setModel(model);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->verticalHeader()->hide();
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 8);
    table->setAlternatingRowColors(false);
    return table;
}

}  // namespace

RecommendationListPanel::RecommendationListPanel(const QString& name, QWidget* parent)
    : QWidget(parent),
      m_model(new RecommendationListModel(this)),
      m_evidence(new InspectorEvidenceModel(this)),
      m_chooser(new QComboBox),
      m_metrics(new QLabel),
      m_stack(new QStackedWidget),
      m_table(makeTable(name + QStringLiteral("List"), m_model)),
      m_message(new QLabel),
      m_evidenceTitle(new QLabel),
      m_evidenceTable(makeTable(name + QStringLiteral("Evidence"), m_evidence)) {
    setObjectName(name + QStringLiteral("Panel"));
    m_chooser->setObjectName(name + QStringLiteral("RunChooser"));
    m_chooser->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_chooser->setMinimumContentsLength(18);
    m_chooser->setToolTip(tr("The run (and for two-stage runs the stage) whose list is shown"));
    m_metrics->setObjectName(name + QStringLiteral("Metrics"));
    m_metrics->setTextFormat(Qt::RichText);
    m_message->setObjectName(name + QStringLiteral("Message"));
    m_message->setWordWrap(true);
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setMargin(12);
    m_evidenceTitle->setObjectName(name + QStringLiteral("EvidenceTitle"));
    m_evidenceTitle->setWordWrap(true);

    m_table->setItemDelegateForColumn(
        RecommendationListModel::ScoreColumn,
        new ScoreBarDelegate(RecommendationListModel::ScoreFractionRole, m_table));
    QHeaderView* header = m_table->horizontalHeader();
    header->setSectionResizeMode(RecommendationListModel::TitleColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(RecommendationListModel::RankColumn,
                                 QHeaderView::ResizeToContents);
    header->setSectionResizeMode(RecommendationListModel::MoveColumn,
                                 QHeaderView::ResizeToContents);
    header->resizeSection(RecommendationListModel::GenresColumn, 100);
    header->resizeSection(RecommendationListModel::ScoreColumn, 72);
    m_evidenceTable->setItemDelegateForColumn(
        InspectorEvidenceModel::SimilarityColumn,
        new ScoreBarDelegate(InspectorEvidenceModel::FractionRole, m_evidenceTable));
    m_evidenceTable->horizontalHeader()->setSectionResizeMode(InspectorEvidenceModel::TitleColumn,
                                                              QHeaderView::Stretch);
    m_evidenceTable->horizontalHeader()->resizeSection(InspectorEvidenceModel::SimilarityColumn,
                                                       110);
    m_evidenceTable->setMaximumHeight(m_evidenceTable->verticalHeader()->defaultSectionSize() * 6 +
                                      8);

    m_stack->addWidget(m_table);
    m_stack->addWidget(m_message);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_chooser);
    layout->addWidget(m_metrics);
    layout->addWidget(m_stack, 1);
    layout->addWidget(m_evidenceTitle);
    layout->addWidget(m_evidenceTable);
    m_evidenceTitle->setText(tr("Select a recommendation to see why."));
    showMessage(tr("No finished run of this dataset yet: train one in the Train tab."));

    connect(m_chooser, qOverload<int>(&QComboBox::currentIndexChanged), this,
            &RecommendationListPanel::choiceChanged);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                emit itemSelected(current.isValid() ? m_model->itemAt(current.row()) : -1);
            });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_evidence->clear();
        m_evidenceTitle->setText(tr("Select a recommendation to see why."));
    });
}

void RecommendationListPanel::setChoices(const QVector<Choice>& choices) {
    const qint64 run = runId();
    const RunStage s = stage();
    {
        const QSignalBlocker block(m_chooser);
        m_chooser->clear();
        for (const Choice& c : choices) {
            m_chooser->addItem(c.label);
            const int i = m_chooser->count() - 1;
            m_chooser->setItemData(i, c.runId, kRunRole);
            m_chooser->setItemData(i, static_cast<int>(c.stage), kStageRole);
        }
        m_chooser->setCurrentIndex(-1);
        for (int i = 0; i < m_chooser->count(); ++i)
            if (m_chooser->itemData(i, kRunRole).toLongLong() == run &&
                m_chooser->itemData(i, kStageRole).toInt() == static_cast<int>(s))
                m_chooser->setCurrentIndex(i);
        if (m_chooser->currentIndex() < 0 && m_chooser->count() > 0)
            m_chooser->setCurrentIndex(0);
    }
    if (runId() != run || stage() != s)
        emit choiceChanged();
}

bool RecommendationListPanel::choose(qint64 run, RunStage s) {
    for (int i = 0; i < m_chooser->count(); ++i)
        if (m_chooser->itemData(i, kRunRole).toLongLong() == run &&
            m_chooser->itemData(i, kStageRole).toInt() == static_cast<int>(s)) {
            m_chooser->setCurrentIndex(i);  // emits choiceChanged when it changes
            return true;
        }
    return false;
}

qint64 RecommendationListPanel::runId() const {
    return m_chooser->currentIndex() < 0 ? 0 : m_chooser->currentData(kRunRole).toLongLong();
}

RunStage RecommendationListPanel::stage() const {
    return m_chooser->currentIndex() < 0
               ? RunStage::Final
               : static_cast<RunStage>(m_chooser->currentData(kStageRole).toInt());
}

void RecommendationListPanel::showList(std::shared_ptr<const Dataset> dataset,
                                       std::vector<RecommendedItem> list,
                                       std::vector<int> otherRanks, const QString& metricsText) {
    m_model->setList(std::move(dataset), std::move(list), std::move(otherRanks));
    m_metrics->setText(metricsText);
    m_stack->setCurrentWidget(m_table);
}

void RecommendationListPanel::showMessage(const QString& text) {
    m_model->clear();
    m_metrics->clear();
    m_message->setText(text);
    m_stack->setCurrentWidget(m_message);
}

bool RecommendationListPanel::isShowingList() const {
    return m_stack->currentWidget() == m_table;
}

QString RecommendationListPanel::message() const {
    return isShowingList() ? QString() : m_message->text();
}

QString RecommendationListPanel::metricsText() const {
    return m_metrics->text();
}

void RecommendationListPanel::showEvidence(std::shared_ptr<const Dataset> dataset,
                                           const QString& itemTitle, BecauseYouLiked evidence) {
    const bool none = evidence.items.empty();
    const bool fromModel = evidence.fromModel;
    m_evidence->setEvidence(std::move(dataset), std::move(evidence));
    if (itemTitle.isEmpty())
        m_evidenceTitle->setText(tr("Select a recommendation to see why."));
    else if (none)
        m_evidenceTitle->setText(tr("<b>%1</b>: no liked movie of this history is similar to it.")
                                     .arg(itemTitle.toHtmlEscaped()));
    else
        m_evidenceTitle->setText(
            tr("<b>%1</b> — because you liked (%2):")
                .arg(itemTitle.toHtmlEscaped(),
                     fromModel ? tr("the model's similarity") : tr("co-occurrence cosine")));
}

}  // namespace recscope::ui
