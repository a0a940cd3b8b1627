#pragma once
// TensorBoard HParams' parallel coordinates for one sweep: one vertical axis per swept
// parameter and a last one for the validation metric, each trial a line through its values
// (axes scaled to their own range, log where the parameter is), coloured from the worst trial
// (muted) to the best (the palette's highlight); the chosen trial is drawn thick. Clicking a
// line selects its trial. Zoom, pan and export as the other charts. GUI thread only.

#include <QHash>
#include <QWidget>

#include "core/sweep/SweepResults.h"

class QCustomPlot;
class QCPAbstractPlottable;

namespace recscope::ui {

class ParallelCoordinatesPlot : public QWidget {
    Q_OBJECT
public:
    explicit ParallelCoordinatesPlot(QWidget* parent = nullptr);

    void setResults(const SweepResults& results);
    QCustomPlot* plot() const { return m_plot; }
    // Highlights a trial's line (rows index of the results; -1 clears).
    void setSelectedRow(int row);
    int lineCount() const { return int(m_rowOf.size()); }  // trials drawn (finite metric)

signals:
    void rowClicked(int row);

protected:
    void changeEvent(QEvent* event) override;

private:
    void rebuild();
    QCustomPlot* m_plot;
    SweepResults m_results;
    QHash<QCPAbstractPlottable*, int> m_rowOf;
    int m_selected = -1;
};

}  // namespace recscope::ui
