#pragma once
// One side of the inspector: a chooser of run and stage, the user's metrics for the list, the
// list itself (RecommendationListModel; scores as bars) or a message in its place (loading,
// "cannot fold in", errors), and "because you liked" for the selected item. The panel shows what
// the inspector computes; it computes nothing itself. GUI thread only.

#include <QString>
#include <QVector>
#include <QWidget>
#include <memory>

#include "core/inspect/LoadedRun.h"
#include "core/inspect/UserInspection.h"

class QComboBox;
class QLabel;
class QStackedWidget;
class QTableView;

namespace recscope {
class Dataset;
}

namespace recscope::ui {

class InspectorEvidenceModel;
class RecommendationListModel;

class RecommendationListPanel : public QWidget {
    Q_OBJECT
public:
    struct Choice {
        qint64 runId = 0;
        RunStage stage = RunStage::Final;
        QString label;
    };

    // `name` prefixes the objectNames of the children ("left" -> "leftRunChooser", ...).
    explicit RecommendationListPanel(const QString& name, QWidget* parent = nullptr);

    // Replaces the chooser's entries, keeping the current one when it is still there. Emits
    // choiceChanged only when the current entry changes.
    void setChoices(const QVector<Choice>& choices);
    // Selects an entry; false when the chooser has no such entry.
    bool choose(qint64 runId, RunStage stage);
    qint64 runId() const;  // 0 when the chooser is empty
    RunStage stage() const;

    void showList(std::shared_ptr<const Dataset> dataset, std::vector<RecommendedItem> list,
                  std::vector<int> otherRanks, const QString& metricsText);
    // A message instead of the list ("Loading…", "ease cannot fold in a new user: …").
    void showMessage(const QString& text);
    bool isShowingList() const;
    QString message() const;
    QString metricsText() const;
    void showEvidence(std::shared_ptr<const Dataset> dataset, const QString& itemTitle,
                      BecauseYouLiked evidence);

    RecommendationListModel* model() const { return m_model; }
    InspectorEvidenceModel* evidenceModel() const { return m_evidence; }
    QTableView* table() const { return m_table; }
    QComboBox* chooser() const { return m_chooser; }

signals:
    void choiceChanged();
    void itemSelected(int32_t item);  // -1 when the selection is cleared

private:
    RecommendationListModel* m_model;
    InspectorEvidenceModel* m_evidence;
    QComboBox* m_chooser;
    QLabel* m_metrics;
    QStackedWidget* m_stack;
    QTableView* m_table;
    QLabel* m_message;
    QLabel* m_evidenceTitle;
    QTableView* m_evidenceTable;
};

}  // namespace recscope::ui
