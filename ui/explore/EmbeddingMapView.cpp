#include "ui/explore/EmbeddingMapView.h"

#include <qcustomplot.h>
#include <QComboBox>
#include <QCompleter>
#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSettings>
#include <QSignalBlocker>
#include <QSplitter>
#include <QStandardItemModel>
#include <QStringListModel>
#include <QTableView>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "core/data/Dataset.h"
#include "core/models/ModelRegistry.h"
#include "core/models/TrainData.h"
#include "core/workspace/Workspace.h"
#include "ui/widgets/ChartExport.h"
#include "ui/widgets/FileDialog.h"
#include "ui/session/LoadedRunCache.h"
#include "ui/widgets/PlotTheme.h"
#include "ui/session/WorkspaceSession.h"

namespace recscope::ui {

namespace {

// Models whose registry entry declares no latent vectors: the chooser says so up front.
bool hasNoEmbeddings(const std::string& model) {
    return !ModelRegistry::global().capabilities(model).embeddings;
}

// 20 distinguishable colours (Tableau 20 order), one per genre.
QColor genreColour(int genre) {
    static const QRgb colours[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                   0x8c564b, 0xe377c2, 0x17becf, 0xbcbd22, 0x7f7f7f,
                                   0xaec7e8, 0xffbb78, 0x98df8a, 0xff9896, 0xc5b0d5,
                                   0xc49c94, 0xf7b6d2, 0x9edae5, 0xdbdb8d, 0x393b79};
    return QColor(colours[genre % 20]);
}

// Viridis stops: perceptually even, readable on light and dark backgrounds.
QCPColorGradient popularityGradient() {
    QCPColorGradient g;
    g.clearColorStops();
    g.setColorStopAt(0.0, QColor(68, 1, 84));
    g.setColorStopAt(0.25, QColor(59, 82, 139));
    g.setColorStopAt(0.5, QColor(33, 145, 140));
    g.setColorStopAt(0.75, QColor(94, 201, 98));
    g.setColorStopAt(1.0, QColor(253, 231, 37));
    return g;
}

int lowestBit(uint32_t mask) {
    for (int b = 0; b < 32; ++b)
        if (mask & (1u << b))
            return b;
    return -1;
}

QCPGraph* scatterGraph(QCustomPlot* plot, const QColor& colour, double size) {
    QCPGraph* g = plot->addGraph();
    g->setLineStyle(QCPGraph::lsNone);
    g->setAdaptiveSampling(false);  // every point drawn, at every zoom
    QColor fill = colour;
    fill.setAlpha(190);
    // ssDisc fills with the pen's colour.
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, QPen(fill, 0), fill, size));
    g->setPen(QPen(colour));
    g->setSelectable(QCP::stNone);
    return g;
}

}  // namespace

EmbeddingMapView::EmbeddingMapView(WorkspaceSession* workspace, LoadedRunCache* cache,
                                   QWidget* parent)
    : QWidget(parent), m_workspace(workspace), m_cache(cache) {
    setObjectName(QStringLiteral("mapView"));
    buildUi();
    if (m_workspace) {
        connect(m_workspace, &WorkspaceSession::workspaceOpened, this,
                &EmbeddingMapView::fillRunCombo);
        connect(m_workspace, &WorkspaceSession::runAdded, this, &EmbeddingMapView::fillRunCombo);
        connect(m_workspace, &WorkspaceSession::runChanged, this, &EmbeddingMapView::fillRunCombo);
        connect(m_workspace, &WorkspaceSession::runRemoved, this, &EmbeddingMapView::fillRunCombo);
    }
    if (m_cache) {
        connect(m_cache, &LoadedRunCache::loaded, this,
                [this](qint64 id, std::shared_ptr<const LoadedRun> run) {
                    if (id == m_wantedRun)
                        setLoadedRun(std::move(run));
                });
        connect(m_cache, &LoadedRunCache::failed, this, [this](qint64 id, const QString& why) {
            if (id == m_wantedRun)
                setStatus(why);
        });
    }
    fillRunCombo();
    setStatus(tr("Choose a run to map its embeddings."));
}

EmbeddingMapView::~EmbeddingMapView() = default;  // m_projection stops its job

void EmbeddingMapView::buildUi() {
    m_runCombo = new QComboBox;
    m_runCombo->setObjectName(QStringLiteral("mapRunCombo"));
    m_runCombo->setMinimumContentsLength(22);
    m_runCombo->setToolTip(tr("A finished run of this workspace"));
    connect(m_runCombo, qOverload<int>(&QComboBox::activated), this,
            [this](int index) { showRun(m_runCombo->itemData(index).toLongLong()); });
    m_kindCombo = new QComboBox;
    m_kindCombo->setObjectName(QStringLiteral("mapKindCombo"));
    m_kindCombo->addItem(tr("Items"));
    m_kindCombo->addItem(tr("Users"));
    connect(m_kindCombo, qOverload<int>(&QComboBox::activated), this,
            [this](int index) { setKind(index == 0 ? Kind::Items : Kind::Users); });
    m_colourCombo = new QComboBox;
    m_colourCombo->setObjectName(QStringLiteral("mapColourCombo"));
    m_colourCombo->addItem(tr("Colour by genre"));
    m_colourCombo->addItem(tr("Colour by popularity"));
    m_colourCombo->setToolTip(
        tr("Genre: an item's first genre (a user's most frequent one). Popularity: training "
           "positives of the item (of the user), on a log scale"));
    connect(m_colourCombo, qOverload<int>(&QComboBox::activated), this, [this](int index) {
        setColouring(index == 0 ? Colouring::Genre : Colouring::Popularity);
    });
    m_search = new QLineEdit;
    m_search->setObjectName(QStringLiteral("mapSearch"));
    m_search->setPlaceholderText(tr("Find a title…"));
    m_search->setClearButtonEnabled(true);
    m_completions = new QStringListModel(this);
    auto* completer = new QCompleter(m_completions, this);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    completer->setFilterMode(Qt::MatchContains);
    m_search->setCompleter(completer);
    connect(completer, qOverload<const QString&>(&QCompleter::activated), this,
            [this](const QString& text) { searchTitle(text); });
    connect(m_search, &QLineEdit::returnPressed, this, [this] { searchTitle(m_search->text()); });

    auto* reset = new QToolButton;
    reset->setObjectName(QStringLiteral("mapResetView"));
    reset->setText(tr("Reset view"));
    reset->setToolTip(tr("Show every point again (or double-click the map)"));
    reset->setAutoRaise(true);
    connect(reset, &QToolButton::clicked, this, &EmbeddingMapView::resetView);
    QToolButton* exportButton = ChartExport::makeExportButton(
        this, QStringLiteral("mapExport"), tr("Save the map as PNG, SVG or PDF"),
        QStringLiteral("embedding-map"),
        [this](const QString& path, QString* error) { return exportTo(path, error); },
        [this](const QString& error) {
            emit errorOccurred(tr("Could not export the map: %1").arg(error));
        });

    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Run:")));
    bar->addWidget(m_runCombo);
    bar->addWidget(m_kindCombo);
    bar->addWidget(m_colourCombo);
    bar->addWidget(m_search, 1);
    bar->addWidget(reset);
    bar->addWidget(exportButton);

    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("mapStatus"));
    m_status->setWordWrap(true);

    m_plot = new QCustomPlot;
    m_plot->setObjectName(QStringLiteral("mapPlot"));
    m_plot->setMinimumSize(360, 300);
    m_plot->setMouseTracking(true);
    m_plot->setNoAntialiasingOnDrag(true);
    m_plot->xAxis->setLabel(tr("PC 1"));
    m_plot->yAxis->setLabel(tr("PC 2"));
    m_plot->legend->setVisible(false);
    m_plot->legend->setFont(m_plot->font());
    m_plot->legend->setIconSize(10, 10);
    m_plot->legend->setRowSpacing(-2);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    m_colourScale = new QCPColorScale(m_plot);
    m_colourScale->setGradient(popularityGradient());
    m_colourScale->setDataScaleType(QCPAxis::stLogarithmic);
    m_colourScale->axis()->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    m_colourScale->setBarWidth(10);
    m_colourScale->setVisible(false);
    PlotTheme::enableZoomPan(m_plot);
    PlotTheme::apply(m_plot);
    connect(m_plot, &QCustomPlot::mouseMove, this, &EmbeddingMapView::onMouseMove);
    connect(m_plot, &QCustomPlot::mousePress, this,
            [this](QMouseEvent* event) { m_pressPos = event->pos(); });
    connect(m_plot, &QCustomPlot::mouseRelease, this, &EmbeddingMapView::onMouseRelease);
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this] { resetView(); });

    m_selection = new QLabel(tr("Click a point to list its nearest neighbours."));
    m_selection->setObjectName(QStringLiteral("mapSelection"));
    m_selection->setWordWrap(true);
    m_neighbours = new QStandardItemModel(0, 3, this);
    m_neighbours->setHorizontalHeaderLabels({tr("#"), tr("Nearest by cosine"), tr("Cosine")});
    m_neighbourTable = new QTableView;
    m_neighbourTable->setObjectName(QStringLiteral("mapNeighbours"));
    m_neighbourTable->setModel(m_neighbours);
    m_neighbourTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_neighbourTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_neighbourTable->verticalHeader()->hide();
    m_neighbourTable->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_neighbourTable->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_neighbourTable->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    connect(m_neighbourTable, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        const int row = m_neighbours->index(index.row(), 1).data(Qt::UserRole).toInt();
        selectPoint(row);
    });
    auto* side = new QWidget;
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(m_selection);
    sideLayout->addWidget(m_neighbourTable, 1);

    auto* split = new QSplitter(Qt::Horizontal);
    split->setObjectName(QStringLiteral("mapSplitter"));
    split->addWidget(m_plot);
    split->addWidget(side);
    split->setStretchFactor(0, 1);
    split->setChildrenCollapsible(false);
    split->setSizes({860, 320});

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(bar);
    layout->addWidget(m_status);
    layout->addWidget(split, 1);
}

void EmbeddingMapView::fillRunCombo() {
    const qint64 current = m_runCombo->currentData().toLongLong();
    const QSignalBlocker block(m_runCombo);
    m_runCombo->clear();
    if (!m_workspace)
        return;
    for (const RunRecord& r : m_workspace->runs()) {
        if (r.status != RunStatus::Finished || r.checkpoint.empty())
            continue;
        QString label = QStringLiteral("#%1 %2").arg(r.id).arg(QString::fromStdString(r.name));
        if (hasNoEmbeddings(r.config.model))
            label += tr(" (no embeddings)");
        m_runCombo->addItem(label, qlonglong(r.id));
    }
    const int index = m_runCombo->findData(qlonglong(m_wantedRun ? m_wantedRun : current));
    if (index >= 0)
        m_runCombo->setCurrentIndex(index);
}

void EmbeddingMapView::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (m_autoPicked || m_wantedRun != 0 || m_run || !m_workspace)
        return;
    // First look: the latest run that has embeddings.
    m_autoPicked = true;
    const auto& runs = m_workspace->runs();
    for (auto it = runs.rbegin(); it != runs.rend(); ++it)
        if (it->status == RunStatus::Finished && !it->checkpoint.empty() &&
            !hasNoEmbeddings(it->config.model)) {
            showRun(it->id);
            return;
        }
}

void EmbeddingMapView::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_plot)
        PlotTheme::apply(m_plot);
}

void EmbeddingMapView::showRun(qint64 runId) {
    m_wantedRun = runId;
    const int index = m_runCombo->findData(qlonglong(runId));
    if (index >= 0)
        m_runCombo->setCurrentIndex(index);
    if (!m_cache)
        return;
    if (auto run = m_cache->cached(runId)) {
        setLoadedRun(std::move(run));
        return;
    }
    setStatus(tr("Loading run %1…").arg(runId));
    m_cache->request(runId);
}

void EmbeddingMapView::setLoadedRun(std::shared_ptr<const LoadedRun> run) {
    m_run = std::move(run);
    if (m_run)
        m_wantedRun = m_run->runId;
    startProjection();
}

void EmbeddingMapView::setKind(Kind kind) {
    m_kindCombo->setCurrentIndex(kind == Kind::Items ? 0 : 1);
    if (kind == m_kind)
        return;
    m_kind = kind;
    startProjection();
}

void EmbeddingMapView::setColouring(Colouring colouring) {
    m_colourCombo->setCurrentIndex(colouring == Colouring::Genre ? 0 : 1);
    if (colouring == m_colouring)
        return;
    m_colouring = colouring;
    rebuildGraphs();
}

void EmbeddingMapView::startProjection() {
    // The job in flight stops at its next check (one batch); waiting for it means no job ever
    // outlives this view's state.
    m_projection.stop();
    m_pca.reset();
    m_x.clear();
    m_y.clear();
    m_selected = -1;
    m_hovered = -1;
    m_neighbourRows.clear();
    m_neighbours->removeRows(0, m_neighbours->rowCount());
    rebuildGraphs();
    if (!m_run)
        return;
    const auto run = m_run;
    const bool items = m_kind == Kind::Items;
    setStatus(tr("Projecting the %1 embeddings of %2…")
                  .arg(items ? tr("item") : tr("user"), QString::fromStdString(run->runName)));
    m_projection.start([run, items](const CancelToken& cancel) {
        Job job;
        try {
            EmbeddingTable table =
                items ? run->model->itemEmbeddings() : run->model->userEmbeddings();
            if (table.rows == 0) {
                job.error = QObject::tr("This model (%1) has no %2 embeddings to map.")
                                .arg(QString::fromStdString(run->model->name()),
                                     items ? QObject::tr("item") : QObject::tr("user"));
                return job;
            }
            Result<Pca> pca = Pca::build(std::move(table), &cancel);
            if (!pca.ok())
                job.error = QString::fromStdString(pca.error().toString());
            else
                job.pca = std::make_shared<const Pca>(std::move(pca).value());
        } catch (const std::exception& e) {
            job.error = QString::fromUtf8(e.what());
        }
        return job;
    });
}

void EmbeddingMapView::onProjection(const Job& job) {
    if (!job.pca) {
        setStatus(job.error);
        return;
    }
    m_pca = job.pca;
    const PcaProjection& p = m_pca->projection();
    m_x.resize(p.rows);
    m_y.resize(p.rows);
    for (int r = 0; r < p.rows; ++r) {
        m_x[r] = p.points[static_cast<size_t>(2 * r)];
        m_y[r] = p.points[static_cast<size_t>(2 * r + 1)];
    }
    computeLabelsAndColours();
    QStringList titles(m_labels.begin(), m_labels.end());
    titles.removeDuplicates();
    m_completions->setStringList(titles);
    m_plot->xAxis->setLabel(tr("PC 1 (%1% of the variance)").arg(100 * p.explained[0], 0, 'f', 1));
    m_plot->yAxis->setLabel(tr("PC 2 (%1% of the variance)").arg(100 * p.explained[1], 0, 'f', 1));
    rebuildGraphs();
    resetView();
    setStatus(tr("%1: %2 %3 embeddings of dimension %4, projected on their two principal axes.")
                  .arg(QString::fromStdString(m_run->runName))
                  .arg(p.rows)
                  .arg(m_kind == Kind::Items ? tr("item") : tr("user"))
                  .arg(p.dim));
    emit projectionReady();
}

void EmbeddingMapView::computeLabelsAndColours() {
    const int n = m_x.size();
    m_labels = QVector<QString>(n);
    m_genre = QVector<int>(n, -1);
    m_popularity = QVector<double>(n, 0.0);
    const Dataset* data = m_run->dataset.get();
    const TrainData* train = m_run->train.get();
    const bool items = m_kind == Kind::Items;
    m_popularityName = items ? tr("training positives") : tr("training positives (activity)");
    const auto& meta = data ? data->itemMetadata() : ItemMetadata{};
    auto firstGenre = [&](int32_t item) {
        return static_cast<size_t>(item) < meta.genreMasks.size()
                   ? lowestBit(meta.genreMasks[static_cast<size_t>(item)])
                   : -1;
    };
    for (int r = 0; r < n; ++r) {
        if (items) {
            const bool titled = static_cast<size_t>(r) < meta.titles.size();
            m_labels[r] = titled ? QString::fromStdString(meta.titles[static_cast<size_t>(r)])
                                 : tr("item %1").arg(r);
            m_genre[r] = firstGenre(r);
            if (train && static_cast<size_t>(r) < train->itemPopularity.size())
                m_popularity[r] = double(train->itemPopularity[static_cast<size_t>(r)]);
        } else {
            const qint64 id = data && r < data->numUsers() ? data->originalUserId(r) : r;
            int64_t count = 0;
            QVector<int> votes(32, 0);
            if (train && r < train->positives.rows) {
                count = train->positives.rowSize(r);
                for (int64_t p = train->positives.offsets[r]; p < train->positives.offsets[r + 1];
                     ++p) {
                    const int g = firstGenre(train->positives.indices[static_cast<size_t>(p)]);
                    if (g >= 0)
                        ++votes[g];
                }
            }
            const auto best = std::max_element(votes.begin(), votes.end());
            m_genre[r] = *best > 0 ? int(best - votes.begin()) : -1;
            m_popularity[r] = double(count);
            m_labels[r] = tr("User %1 (%2 training positives)").arg(id).arg(count);
        }
    }
}

void EmbeddingMapView::rebuildGraphs() {
    m_plot->clearGraphs();
    m_plot->clearItems();
    m_plot->legend->clearItems();
    m_selectedGraph = nullptr;
    m_neighbourGraph = nullptr;
    m_selectedText = nullptr;
    const bool popularity = m_colouring == Colouring::Popularity;
    if (m_plot->plotLayout()->hasElement(0, 1))
        m_plot->plotLayout()->take(m_colourScale);
    m_plot->plotLayout()->simplify();
    m_colourScale->setVisible(false);
    m_plot->legend->setVisible(false);
    const int n = m_x.size();
    if (n == 0 || !m_run) {
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const double size = n > 5000 ? 3.0 : 5.0;
    if (!popularity) {
        const auto& names =
            m_run->dataset ? m_run->dataset->itemMetadata().genreNames : std::vector<std::string>{};
        QMap<int, QPair<QVector<double>, QVector<double>>> groups;
        for (int r = 0; r < n; ++r) {
            auto& g = groups[m_genre[r]];
            g.first << m_x[r];
            g.second << m_y[r];
        }
        // Largest groups first, so small genres are drawn on top and stay visible.
        QList<int> order = groups.keys();
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
            return groups[a].first.size() > groups[b].first.size();
        });
        for (int genre : order) {
            const QColor colour = genre < 0 ? QColor(150, 150, 150) : genreColour(genre);
            QCPGraph* g = scatterGraph(m_plot, colour, size);
            g->setData(groups[genre].first, groups[genre].second);
            g->setName(genre >= 0 && static_cast<size_t>(genre) < names.size()
                           ? QString::fromStdString(names[static_cast<size_t>(genre)])
                           : tr("(no genre)"));
        }
        m_plot->legend->setVisible(true);
    } else {
        // Log-spaced bins of popularity + 1, one graph each, coloured from the scale.
        const double top =
            std::max(2.0, *std::max_element(m_popularity.begin(), m_popularity.end()) + 1.0);
        const QCPRange range(1.0, top);
        const int bins = 12;
        QVector<QVector<double>> xs(bins), ys(bins);
        for (int r = 0; r < n; ++r) {
            const double t = std::log(m_popularity[r] + 1.0) / std::log(top);
            const int b = std::clamp(int(t * bins), 0, bins - 1);
            xs[b] << m_x[r];
            ys[b] << m_y[r];
        }
        QCPColorGradient gradient = popularityGradient();  // color() is not const
        for (int b = 0; b < bins; ++b) {
            const double centre = std::pow(top, (b + 0.5) / bins);
            QCPGraph* g = scatterGraph(m_plot, gradient.color(centre, range, true), size);
            g->setData(xs[b], ys[b]);
        }
        m_plot->plotLayout()->addElement(0, 1, m_colourScale);
        m_colourScale->setVisible(true);
        m_colourScale->setDataRange(range);
        m_colourScale->axis()->setLabel(tr("%1 + 1 (log)").arg(m_popularityName));
        m_colourScale->axis()->setTickLabelColor(palette().color(QPalette::WindowText));
        m_colourScale->axis()->setLabelColor(palette().color(QPalette::WindowText));
        m_colourScale->axis()->setBasePen(QPen(palette().color(QPalette::WindowText)));
        m_colourScale->axis()->setTickPen(QPen(palette().color(QPalette::WindowText)));
        m_colourScale->axis()->setSubTickPen(QPen(palette().color(QPalette::WindowText)));
    }
    // Highlights above everything else.
    m_neighbourGraph = m_plot->addGraph();
    m_neighbourGraph->setLineStyle(QCPGraph::lsNone);
    m_neighbourGraph->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(QColor(230, 90, 0), 2), Qt::NoBrush, 11));
    m_neighbourGraph->removeFromLegend();
    m_selectedGraph = m_plot->addGraph();
    m_selectedGraph->setLineStyle(QCPGraph::lsNone);
    m_selectedGraph->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(palette().color(QPalette::WindowText), 2.5),
                        Qt::NoBrush, 16));
    m_selectedGraph->removeFromLegend();
    m_selectedText = new QCPItemText(m_plot);
    m_selectedText->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
    m_selectedText->setPadding(QMargins(4, 2, 4, 2));
    m_selectedText->setBrush(QBrush(palette().color(QPalette::ToolTipBase)));
    m_selectedText->setColor(palette().color(QPalette::ToolTipText));
    m_selectedText->setPen(QPen(palette().color(QPalette::Mid)));
    m_selectedText->setVisible(false);
    updateHighlight();
}

void EmbeddingMapView::updateHighlight() {
    if (!m_selectedGraph)
        return;
    QVector<double> nx, ny;
    for (int r : m_neighbourRows) {
        nx << m_x.value(r);
        ny << m_y.value(r);
    }
    m_neighbourGraph->setData(nx, ny);
    if (m_selected >= 0 && m_selected < m_x.size()) {
        m_selectedGraph->setData({m_x[m_selected]}, {m_y[m_selected]});
        m_selectedText->position->setCoords(m_x[m_selected], m_y[m_selected]);
        m_selectedText->setText(m_labels.value(m_selected));
        m_selectedText->setVisible(true);
    } else {
        m_selectedGraph->data()->clear();
        m_selectedText->setVisible(false);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void EmbeddingMapView::resetView() {
    if (m_x.isEmpty())
        return;
    const auto [xMin, xMax] = std::minmax_element(m_x.begin(), m_x.end());
    const auto [yMin, yMax] = std::minmax_element(m_y.begin(), m_y.end());
    const double px = std::max(1e-6, (*xMax - *xMin) * 0.04);
    const double py = std::max(1e-6, (*yMax - *yMin) * 0.04);
    m_plot->xAxis->setRange(*xMin - px, *xMax + px);
    m_plot->yAxis->setRange(*yMin - py, *yMax + py);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

int EmbeddingMapView::pointAt(const QPointF& pixel) const {
    int best = -1;
    double bestDistance = kPickRadiusPx * kPickRadiusPx;
    for (int r = 0; r < m_x.size(); ++r) {
        const double dx = m_plot->xAxis->coordToPixel(m_x[r]) - pixel.x();
        const double dy = m_plot->yAxis->coordToPixel(m_y[r]) - pixel.y();
        const double d = dx * dx + dy * dy;
        if (d <= bestDistance) {
            bestDistance = d;
            best = r;
        }
    }
    return best;
}

void EmbeddingMapView::selectPoint(int row) {
    m_selected = row >= 0 && row < m_x.size() ? row : -1;
    m_neighbourRows.clear();
    m_neighbours->removeRows(0, m_neighbours->rowCount());
    if (m_selected < 0 || !m_pca) {
        m_selection->setText(tr("Click a point to list its nearest neighbours."));
        updateHighlight();
        return;
    }
    m_selection->setText(tr("<b>%1</b><br>nearest by cosine of the embeddings:")
                             .arg(m_labels.value(m_selected).toHtmlEscaped()));
    const auto found = m_pca->neighbours(m_selected, kNeighbours);
    if (!found.ok()) {
        emit errorOccurred(QString::fromStdString(found.error().toString()));
    } else {
        int rank = 1;
        for (const PcaNeighbour& nb : found.value()) {
            m_neighbourRows << nb.row;
            auto* number = new QStandardItem(QString::number(rank++));
            number->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            auto* title = new QStandardItem(m_labels.value(nb.row));
            title->setData(nb.row, Qt::UserRole);
            title->setToolTip(m_labels.value(nb.row));
            auto* cosine = new QStandardItem(QString::number(nb.cosine, 'f', 3));
            cosine->setData(double(nb.cosine), Qt::UserRole);
            cosine->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_neighbours->appendRow({number, title, cosine});
        }
    }
    updateHighlight();
}

bool EmbeddingMapView::searchTitle(const QString& text) {
    const QString needle = text.trimmed();
    if (needle.isEmpty())
        return false;
    int match = -1;
    for (int r = 0; r < m_labels.size() && match < 0; ++r)
        if (m_labels[r].compare(needle, Qt::CaseInsensitive) == 0)
            match = r;
    for (int r = 0; r < m_labels.size() && match < 0; ++r)
        if (m_labels[r].contains(needle, Qt::CaseInsensitive))
            match = r;
    if (match < 0) {
        setStatus(tr("No title contains \"%1\".").arg(needle));
        return false;
    }
    selectPoint(match);
    // Keep the zoom, move the view so the match is in it.
    QCPRange xr = m_plot->xAxis->range();
    QCPRange yr = m_plot->yAxis->range();
    if (!xr.contains(m_x[match]) || !yr.contains(m_y[match])) {
        m_plot->xAxis->setRange(m_x[match], xr.size(), Qt::AlignCenter);
        m_plot->yAxis->setRange(m_y[match], yr.size(), Qt::AlignCenter);
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    }
    return true;
}

void EmbeddingMapView::onMouseMove(QMouseEvent* event) {
    if (event->buttons() != Qt::NoButton)
        return;
    const int row = pointAt(event->position());
    if (row == m_hovered)
        return;
    m_hovered = row;
    if (row >= 0)
        QToolTip::showText(event->globalPosition().toPoint(), m_labels.value(row), m_plot);
    else
        QToolTip::hideText();
}

void EmbeddingMapView::onMouseRelease(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || (event->pos() - m_pressPos).manhattanLength() > 3)
        return;  // a drag (pan), not a click
    selectPoint(pointAt(event->position()));
}

void EmbeddingMapView::setStatus(const QString& text) {
    m_status->setText(text);
}

QString EmbeddingMapView::statusText() const {
    return m_status->text();
}

bool EmbeddingMapView::exportTo(const QString& path, QString* error) {
    m_plot->replot(QCustomPlot::rpImmediateRefresh);
    return ChartExport::save(m_plot, path, error);
}

}  // namespace recscope::ui
