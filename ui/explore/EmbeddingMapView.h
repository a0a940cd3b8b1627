#pragma once
// The Map tab: a 2-D PCA (core Pca) of a run's item or user embeddings as a QCustomPlot
// scatter. Points are coloured by genre (an item's first genre; a user's most frequent first
// genre among their training positives; legend) or by popularity (training positives of an item,
// or of a user: log colour scale). Hovering shows a point's title; a click selects the nearest
// point and lists its cosine nearest neighbours (exact search through the core's index) beside
// the plot; the title search selects a match. Drag pans, the wheel zooms, double-click resets;
// Export writes PNG/SVG/PDF (ChartExport).
//
// Runs come from LoadedRunCache (finished runs with a checkpoint); the projection is computed on
// a worker thread (QtConcurrent) and a newer request supersedes an older one. Models without
// embeddings (pop, itemknn, userknn, ease) show a note instead of a map. GUI thread only.

#include <QPointF>
#include <QString>
#include <QVector>
#include <QWidget>
#include <memory>

#include "ui/session/BackgroundJob.h"
#include "core/inspect/LoadedRun.h"
#include "core/inspect/Pca.h"

class QCPColorScale;
class QCPGraph;
class QCPItemText;
class QComboBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QMouseEvent;
class QStandardItemModel;
class QStringListModel;
class QTableView;

namespace recscope::ui {

class LoadedRunCache;
class WorkspaceSession;

class EmbeddingMapView : public QWidget {
    Q_OBJECT
public:
    enum class Kind { Items, Users };
    enum class Colouring { Genre, Popularity };
    static constexpr int kNeighbours = 10;
    static constexpr double kPickRadiusPx = 12.0;

    EmbeddingMapView(WorkspaceSession* workspace, LoadedRunCache* cache, QWidget* parent = nullptr);
    ~EmbeddingMapView() override;

    // Chooses a run of the workspace and loads it through the cache.
    void showRun(qint64 runId);
    // Shows an already loaded run (the cache's answer; tests).
    void setLoadedRun(std::shared_ptr<const LoadedRun> run);
    std::shared_ptr<const LoadedRun> loadedRun() const { return m_run; }
    void setKind(Kind kind);
    Kind kind() const { return m_kind; }
    void setColouring(Colouring colouring);
    Colouring colouring() const { return m_colouring; }

    // True once the current run's projection is on screen.
    bool isReady() const { return m_pca != nullptr; }
    const Pca* pca() const { return m_pca.get(); }
    int pointCount() const { return m_x.size(); }
    QPointF pointPosition(int row) const { return {m_x.value(row), m_y.value(row)}; }
    QString pointLabel(int row) const { return m_labels.value(row); }
    // The row whose point is nearest to `pixel` (plot widget coordinates) within
    // kPickRadiusPx, else -1.
    int pointAt(const QPointF& pixel) const;
    // Highlights a row and lists its neighbours (-1 clears).
    void selectPoint(int row);
    int selectedPoint() const { return m_selected; }
    QVector<int> neighbourRows() const { return m_neighbourRows; }
    // Selects the first row whose title contains `text` (case-insensitive); false if none.
    bool searchTitle(const QString& text);
    int hoveredPoint() const { return m_hovered; }

    QCustomPlot* plot() const { return m_plot; }
    QStandardItemModel* neighboursModel() const { return m_neighbours; }
    QString statusText() const;
    bool exportTo(const QString& path, QString* error = nullptr);

signals:
    void errorOccurred(const QString& message);
    void projectionReady();

protected:
    void showEvent(QShowEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    struct Job {
        std::shared_ptr<const Pca> pca;
        QString error;
    };

    void buildUi();
    void fillRunCombo();
    void startProjection();
    void onProjection(const Job& job);
    void computeLabelsAndColours();
    void rebuildGraphs();
    void updateHighlight();
    void resetView();
    void setStatus(const QString& text);
    void onMouseMove(QMouseEvent* event);
    void onMouseRelease(QMouseEvent* event);

    WorkspaceSession* m_workspace;
    LoadedRunCache* m_cache;
    std::shared_ptr<const LoadedRun> m_run;
    qint64 m_wantedRun = 0;
    Kind m_kind = Kind::Items;
    Colouring m_colouring = Colouring::Genre;

    QComboBox* m_runCombo = nullptr;
    QComboBox* m_kindCombo = nullptr;
    QComboBox* m_colourCombo = nullptr;
    QLineEdit* m_search = nullptr;
    QStringListModel* m_completions = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_selection = nullptr;
    QCustomPlot* m_plot = nullptr;
    QCPColorScale* m_colourScale = nullptr;
    QCPGraph* m_selectedGraph = nullptr;
    QCPGraph* m_neighbourGraph = nullptr;
    QCPItemText* m_selectedText = nullptr;
    QStandardItemModel* m_neighbours = nullptr;
    QTableView* m_neighbourTable = nullptr;

    BackgroundJob<Job> m_projection{this, [this](const Job& job) { onProjection(job); }};
    std::shared_ptr<const Pca> m_pca;
    QVector<double> m_x;
    QVector<double> m_y;
    QVector<QString> m_labels;
    QVector<int> m_genre;          // per row: genre index, -1 none
    QVector<double> m_popularity;  // per row: training positives
    QString m_popularityName;
    int m_selected = -1;
    int m_hovered = -1;
    QVector<int> m_neighbourRows;
    QPoint m_pressPos;
    bool m_autoPicked = false;
};

}  // namespace recscope::ui
