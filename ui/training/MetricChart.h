#pragma once
// Validation metrics per epoch for each run, one metric at a time (chosen in a combo box that
// lists every metric the runs report; ndcg@10 first when present). GUI thread only.

#include <QStringList>
#include <vector>

#include "core/models/Recommender.h"
#include "ui/training/RunChart.h"

class QComboBox;

namespace recscope::ui {

class MetricChart : public RunChart {
    Q_OBJECT
public:
    explicit MetricChart(QWidget* parent = nullptr);

    // Replaces the run's epochs (they come from the workspace record, which grows by one
    // epoch at a time during training).
    void setRunEpochs(qint64 id, const QString& name, const QColor& colour,
                      const std::vector<EpochReport>& epochs);

    QString metric() const;
    void setMetric(const QString& metric);
    QStringList metrics() const;

    void removeRun(qint64 id) override;
    void clearRuns() override;

protected:
    void rebuild(qint64 id, Series& series) override;

private:
    void updateChooser();

    QMap<qint64, std::vector<EpochReport>> m_epochs;
    QComboBox* m_chooser;
};

}  // namespace recscope::ui
