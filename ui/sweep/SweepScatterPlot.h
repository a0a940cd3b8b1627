#pragma once
// The validation metric against one swept parameter (chosen in the combo box), one point per
// trial that finished; a log x axis when the parameter was swept on a log scale (SweepAxis),
// category ticks when its values are not numbers. The chosen trial is a larger point; clicking
// a point selects its trial. Zoom, pan and export as the other charts. GUI thread only.

#include <QWidget>
#include <vector>

#include "core/sweep/SweepResults.h"

class QComboBox;
class QCustomPlot;
class QCPGraph;

namespace recscope::ui {

class SweepScatterPlot : public QWidget {
    Q_OBJECT
public:
    explicit SweepScatterPlot(QWidget* parent = nullptr);

    void setResults(const SweepResults& results);
    QCustomPlot* plot() const { return m_plot; }
    QComboBox* paramCombo() const { return m_param; }
    bool logX() const;
    void setSelectedRow(int row);
    int pointCount() const { return int(m_rows.size()); }

signals:
    void rowClicked(int row);

protected:
    void changeEvent(QEvent* event) override;

private:
    void rebuild();
    QComboBox* m_param;
    QCustomPlot* m_plot;
    SweepResults m_results;
    std::vector<int> m_rows;  // data index of the points graph -> results row
    int m_selected = -1;
};

}  // namespace recscope::ui
