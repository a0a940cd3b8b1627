#include "ui/inspector/WhatIfEditor.h"

#include <QCompleter>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStringListModel>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>

#include "core/data/Dataset.h"
#include "ui/inspector/InspectorItemText.h"
#include "ui/inspector/WhatIfHistoryModel.h"

namespace recscope::ui {

WhatIfEditor::WhatIfEditor(QWidget* parent)
    : QWidget(parent),
      m_model(new WhatIfHistoryModel(this)),
      m_titles(new QStringListModel(this)),
      m_search(new QLineEdit),
      m_completer(new QCompleter(this)),
      m_rating(new QDoubleSpinBox),
      m_add(new QPushButton(tr("&Add"))),
      m_remove(new QPushButton(tr("&Remove"))),
      m_table(new QTableView),
      m_hint(new QLabel) {
    setObjectName(QStringLiteral("whatIfEditor"));
    m_search->setObjectName(QStringLiteral("whatIfSearch"));
    m_search->setPlaceholderText(tr("Search a movie by title…"));
    m_search->setClearButtonEnabled(true);
    m_completer->setModel(m_titles);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setFilterMode(Qt::MatchContains);
    m_completer->setMaxVisibleItems(12);
    m_search->setCompleter(m_completer);
    m_rating->setObjectName(QStringLiteral("whatIfRating"));
    m_rating->setRange(0.5, 5.0);
    m_rating->setSingleStep(0.5);
    m_rating->setDecimals(1);
    m_rating->setValue(5.0);
    m_rating->setSuffix(QStringLiteral(" ★"));
    m_rating->setToolTip(tr("The rating the what-if user gives the movie"));
    m_add->setObjectName(QStringLiteral("whatIfAdd"));
    m_remove->setObjectName(QStringLiteral("whatIfRemove"));
    auto* copy = new QPushButton(tr("&Copy this user"));
    copy->setObjectName(QStringLiteral("whatIfCopyUser"));
    copy->setToolTip(tr("Start from the picked user's training history"));
    auto* clear = new QPushButton(tr("C&lear"));
    clear->setObjectName(QStringLiteral("whatIfClear"));
    m_hint->setObjectName(QStringLiteral("whatIfHint"));
    m_hint->setWordWrap(true);

    m_table->setObjectName(QStringLiteral("whatIfTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    QHeaderView* header = m_table->horizontalHeader();
    header->setStretchLastSection(true);
    header->resizeSection(WhatIfHistoryModel::TitleColumn, 230);
    header->moveSection(header->visualIndex(WhatIfHistoryModel::RatingColumn), 1);
    header->setSectionHidden(WhatIfHistoryModel::YearColumn, true);  // titles carry the year
    header->resizeSection(WhatIfHistoryModel::RatingColumn, 50);
    header->resizeSection(WhatIfHistoryModel::GenresColumn, 110);
    m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);

    auto* searchRow = new QHBoxLayout;
    searchRow->addWidget(m_search, 1);
    searchRow->addWidget(m_rating);
    searchRow->addWidget(m_add);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_remove);
    buttons->addWidget(copy);
    buttons->addWidget(clear);
    buttons->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(searchRow);
    layout->addWidget(m_hint);
    layout->addWidget(m_table, 1);
    layout->addLayout(buttons);
    m_hint->setText(tr("Rate a few movies: both lists recompute after every change."));

    connect(m_add, &QPushButton::clicked, this, &WhatIfEditor::addFromSearch);
    connect(m_search, &QLineEdit::returnPressed, this, &WhatIfEditor::addFromSearch);
    connect(m_completer, qOverload<const QString&>(&QCompleter::activated), this,
            [this](const QString& text) { m_search->setText(text); });
    connect(m_remove, &QPushButton::clicked, this, &WhatIfEditor::removeSelected);
    connect(copy, &QPushButton::clicked, this, &WhatIfEditor::copyUserRequested);
    connect(clear, &QPushButton::clicked, m_model, &WhatIfHistoryModel::clearRatings);
}

void WhatIfEditor::setDataset(std::shared_ptr<const Dataset> dataset) {
    m_dataset = std::move(dataset);
    m_itemByText.clear();
    QStringList texts;
    if (m_dataset) {
        texts.reserve(m_dataset->numItems());
        for (int32_t i = 0; i < m_dataset->numItems(); ++i) {
            QString text = InspectorItemText::title(*m_dataset, i);
            // Two movies of the same title stay apart by their MovieLens id.
            if (m_itemByText.contains(text))
                text += QStringLiteral(" [#%1]").arg(m_dataset->originalItemId(i));
            m_itemByText.insert(text, i);
            texts << text;
        }
    }
    texts.sort(Qt::CaseInsensitive);
    m_titles->setStringList(texts);
    m_model->setDataset(m_dataset);
}

int32_t WhatIfEditor::itemForText(const QString& text) const {
    const auto it = m_itemByText.constFind(text.trimmed());
    if (it != m_itemByText.constEnd())
        return it.value();
    // A unique case-insensitive match is good enough for a typed title.
    int32_t found = -1;
    for (auto i = m_itemByText.constBegin(); i != m_itemByText.constEnd(); ++i)
        if (i.key().compare(text.trimmed(), Qt::CaseInsensitive) == 0) {
            if (found >= 0)
                return -1;
            found = i.value();
        }
    return found;
}

bool WhatIfEditor::addFromSearch() {
    const int32_t item = itemForText(m_search->text());
    if (item < 0) {
        m_hint->setText(m_search->text().trimmed().isEmpty()
                            ? tr("Type part of a title and pick a movie from the list.")
                            : tr("No movie is called \"%1\"; pick one from the list.")
                                  .arg(m_search->text().trimmed()));
        return false;
    }
    m_model->addRating(item, static_cast<float>(m_rating->value()));
    m_hint->setText(m_model->rowCount() == 1 ? tr("1 movie rated.")
                                             : tr("%1 movies rated.").arg(m_model->rowCount()));
    m_search->clear();
    return true;
}

void WhatIfEditor::removeSelected() {
    QList<int> rows;
    for (const QModelIndex& index : m_table->selectionModel()->selectedRows())
        rows << index.row();
    std::sort(rows.begin(), rows.end(), std::greater<int>());
    for (int row : rows)
        m_model->removeRows(row, 1);
}

}  // namespace recscope::ui
