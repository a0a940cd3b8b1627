#pragma once
// The common part of the training charts: a QCustomPlot with one graph per run, a legend whose
// items toggle their run, zoom and pan (drag, wheel; "Reset view" or a double-click restores
// the full view), export to PNG/SVG/PDF, and replotting on a 100 ms timer when data changed
// (never once per data point). Subclasses own the data and fill the graphs in rebuild().
// GUI thread only.

#include <QColor>
#include <QMap>
#include <QTimer>
#include <QWidget>

class QCPGraph;
class QCustomPlot;
class QHBoxLayout;
class QToolButton;

namespace recscope::ui {

class RunChart : public QWidget {
    Q_OBJECT
public:
    static constexpr int kReplotIntervalMs = 100;

    // `name` prefixes child objectNames: "<name>Plot", "<name>ResetView", "<name>Export".
    RunChart(const QString& name, const QString& title, QWidget* parent = nullptr);

    QCustomPlot* plot() const { return m_plot; }

    void setRunVisible(qint64 id, bool visible);
    bool isRunVisible(qint64 id) const;
    bool hasRun(qint64 id) const { return m_series.contains(id); }
    QList<qint64> runIds() const { return m_series.keys(); }
    virtual void removeRun(qint64 id);
    virtual void clearRuns();
    // The run's main (legend) graph; null when unknown.
    QCPGraph* graph(qint64 id) const;

    // Writes the chart as it is on screen; the format comes from the suffix (.png/.svg/.pdf).
    bool exportTo(const QString& path, QString* error = nullptr);
    // Fits the axes to the visible data again and follows new data from now on.
    void resetView();
    // Runs pending work now instead of on the timer (tests, screenshots).
    void flush();

    // Replots issued since construction: lets tests check that replots are batched.
    int replotCount() const { return m_replots; }

signals:
    // A legend item was clicked; the chart already shows the new state.
    void runToggled(qint64 id, bool visible);
    void exportFailed(const QString& message);

protected:
    struct Series {
        QCPGraph* graph = nullptr;   // in the legend
        QCPGraph* shadow = nullptr;  // optional faint companion (raw data behind a smoothed line)
        QString name;
        QColor colour;
        bool visible = true;
        bool dirty = true;
    };

    // Creates the run's series (or renames/recolours it).
    Series& ensureSeries(qint64 id, const QString& name, const QColor& colour, bool withShadow);
    Series* series(qint64 id);
    void markDirty(qint64 id);
    void markAllDirty();
    // Subclasses refill the graph data of dirty series here (called just before a replot).
    virtual void rebuild(qint64 id, Series& series) = 0;

    QHBoxLayout* toolbar() const { return m_toolbar; }
    // Where the legend sits inside the axis rect (top right by default).
    void setLegendCorner(Qt::Alignment corner);
    // Extra room left and right of the data when the view is fitted, in x units.
    void setXPadding(double padding) { m_xPadding = padding; }
    void scheduleReplot();
    void setAxisLabels(const QString& x, const QString& y);

    void changeEvent(QEvent* event) override;

private:
    void replotNow();
    void applyVisibility(Series& series);
    void onLegendClick(QCPGraph* graph);

    QString m_name;
    QCustomPlot* m_plot;
    QHBoxLayout* m_toolbar;
    QMap<qint64, Series> m_series;
    QTimer m_replotTimer;
    bool m_userView = false;  // the user zoomed or panned: stop auto-fitting
    int m_replots = 0;
    double m_xPadding = 0.0;
};

}  // namespace recscope::ui
