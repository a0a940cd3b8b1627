#include "ui/explore/TasteRecoveryDialog.h"

#include <qcustomplot.h>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <cmath>

#include "core/data/Dataset.h"
#include "core/data/SyntheticGenerator.h"
#include "ui/widgets/ChartExport.h"
#include "ui/session/LoadedRunCache.h"
#include "ui/widgets/PlotTheme.h"

namespace recscope::ui {

TasteRecoveryDialog::TasteRecoveryDialog(LoadedRunCache* cache, qint64 runId, QWidget* parent)
    : QDialog(parent),
      m_cache(cache),
      m_runId(runId),
      m_status(new QLabel),
      m_plot(new QCustomPlot),
      m_model(new QStandardItemModel(0, 4, this)),
      m_table(new QTableView) {
    setObjectName(QStringLiteral("tasteRecoveryDialog"));
    setWindowTitle(tr("What did the model learn? — run #%1").arg(runId));
    m_status->setObjectName(QStringLiteral("tasteStatus"));
    m_status->setWordWrap(true);
    m_status->setText(tr("Loading the run…"));
    m_plot->setObjectName(QStringLiteral("tastePlot"));
    m_plot->setMinimumSize(480, 260);
    PlotTheme::enableZoomPan(m_plot);
    m_plot->yAxis->setLabel(tr("correlation: true taste vs model's preference"));
    m_model->setHorizontalHeaderLabels(
        {tr("Genre"), tr("Items"), tr("Users who favour it"), tr("Correlation")});
    m_table->setObjectName(QStringLiteral("tasteTable"));
    m_table->setModel(m_model);
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setStretchLastSection(true);

    auto* explanation = new QLabel(
        tr("The demo data were generated from hidden tastes: each user likes one to three genres. "
           "For each genre, the bar is the correlation over all users between the user's true "
           "taste for it and how much higher the model scores that genre's films for the user "
           "than films in general. Near 1: the model found who likes the genre; near 0: it did "
           "not."));
    explanation->setWordWrap(true);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(ChartExport::withExportButton(
        m_plot, m_plot, QStringLiteral("tasteExport"), QStringLiteral("taste-recovery"),
        [this](const QString& error) { m_status->setText(error); }));
    split->addWidget(m_table);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(explanation);
    layout->addWidget(m_status);
    layout->addWidget(split, 1);
    layout->addWidget(buttons);
    resize(760, 620);

    connect(&m_watcher, &QFutureWatcher<Result<TasteRecovery>>::finished, this,
            [this] { showResult(m_watcher.result()); });
    connect(m_cache, &LoadedRunCache::loaded, this, &TasteRecoveryDialog::onLoaded);
    connect(m_cache, &LoadedRunCache::failed, this, [this](qint64 id, const QString& why) {
        if (id == m_runId)
            m_status->setText(why);
    });
    m_cache->request(runId);
}

TasteRecoveryDialog::~TasteRecoveryDialog() {
    if (m_cancel)
        m_cancel->cancel();
    m_watcher.waitForFinished();
}

QString TasteRecoveryDialog::statusText() const {
    return m_status->text();
}

void TasteRecoveryDialog::onLoaded(qint64 id, std::shared_ptr<const LoadedRun> run) {
    if (id != m_runId || m_watcher.isRunning() || m_ready)
        return;
    SyntheticConfig config;
    if (!run->dataset || !syntheticConfigOf(*run->dataset, &config)) {
        m_status->setText(tr("Run #%1 was not trained on the synthetic data (File ▸ Open Demo "
                             "Data), so the users' true tastes are unknown.")
                              .arg(id));
        return;
    }
    m_status->setText(tr("Measuring…"));
    m_cancel = std::make_shared<CancelToken>();
    std::shared_ptr<CancelToken> cancel = m_cancel;
    m_watcher.setFuture(QtConcurrent::run([run, config, cancel]() -> Result<TasteRecovery> {
        const ItemMetadata& meta = run->dataset->itemMetadata();
        std::vector<char> candidate(size_t(run->dataset->numItems()), 0);
        for (size_t i = 0; i < candidate.size() && i < run->train->itemPopularity.size(); ++i)
            candidate[i] = run->train->itemPopularity[i] > 0;
        return measureTasteRecovery(run->stageModel(RunStage::Final), syntheticUserTastes(config),
                                    meta.genreMasks, meta.genreNames, candidate, cancel.get());
    }));
}

void TasteRecoveryDialog::showResult(const Result<TasteRecovery>& result) {
    if (!result) {
        m_status->setText(QString::fromStdString(result.error().toString()));
        return;
    }
    m_result = result.value();
    m_ready = true;
    m_status->setText(tr("Mean correlation over %1 genres and %2 users: %3")
                          .arg(m_result.genres.size())
                          .arg(m_result.users)
                          .arg(m_result.meanCorrelation, 0, 'f', 3));
    m_model->removeRows(0, m_model->rowCount());
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    QVector<double> keys, values;
    for (size_t g = 0; g < m_result.genres.size(); ++g) {
        const GenreTasteRecovery& r = m_result.genres[g];
        const QString name = QString::fromStdString(r.genre);
        ticker->addTick(double(g), name);
        keys << double(g);
        values << (std::isfinite(r.correlation) ? r.correlation : 0.0);
        const auto number = [](const QString& text) {
            auto* item = new QStandardItem(text);
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            return item;
        };
        m_model->appendRow(
            {new QStandardItem(name), number(QString::number(r.items)),
             number(QString::number(r.favouredBy)),
             number(std::isfinite(r.correlation) ? QString::number(r.correlation, 'f', 3)
                                                 : tr("n/a"))});
    }
    m_plot->clearPlottables();
    auto* bars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    bars->setData(keys, values, true);
    bars->setWidth(0.7);
    const QColor colour = PlotTheme::seriesColour(m_plot->palette());
    QColor fill = colour;
    fill.setAlphaF(0.7f);
    bars->setBrush(fill);
    bars->setPen(QPen(colour, 1));
    m_plot->xAxis->setTicker(ticker);
    m_plot->xAxis->setTickLabelRotation(45);
    m_plot->xAxis->setRange(-0.7, double(keys.size()) - 0.3);
    m_plot->yAxis->setRange(
        values.isEmpty() ? 0.0
                         : std::min(0.0, *std::min_element(values.begin(), values.end()) - 0.05),
        1.0);
    PlotTheme::apply(m_plot);
    m_table->resizeColumnsToContents();
    emit measured();
}

}  // namespace recscope::ui
