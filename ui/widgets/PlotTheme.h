#pragma once
// Styles QCustomPlot charts from the widget palette (background, axes, tick labels, grid), so
// charts follow light and dark themes and the screen's pixel ratio. Call again on
// QEvent::PaletteChange.

#include <QColor>
#include <QString>

class QCustomPlot;
class QPalette;

namespace recscope::ui {

class PlotTheme {
public:
    static void apply(QCustomPlot* plot);
    // A series colour from the palette: the highlight colour.
    static QColor seriesColour(const QPalette& palette);
    // Standard interactions for every RecScope chart: drag to pan and wheel to zoom.
    static void enableZoomPan(QCustomPlot* plot);
    // A titled chart (bold title row above the axes) that zooms and pans, and returns to the
    // whole data on a double-click.
    static void setupTitledChart(QCustomPlot* plot, const QString& title);
};

}  // namespace recscope::ui
