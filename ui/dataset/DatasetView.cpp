#include "ui/dataset/DatasetView.h"

#include "ui/shell/WelcomePage.h"

#include <qcustomplot.h>
#include <QDateTime>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <cmath>

#include "core/data/Dataset.h"
#include "ui/widgets/ChartExport.h"
#include "ui/widgets/CountAxisTicker.h"
#include "ui/session/DatasetSession.h"
#include "ui/widgets/PlotTheme.h"

namespace recscope::ui {

namespace {

QString formatTitle(DatasetFormat format) {
    switch (format) {
        case DatasetFormat::Ml100k:
            return QStringLiteral("MovieLens 100K (u.data)");
        case DatasetFormat::Ml1m:
            return QStringLiteral("MovieLens 1M (.dat)");
        case DatasetFormat::Ml10m:
            return QStringLiteral("MovieLens 10M (.dat)");
        case DatasetFormat::MlCsv:
            return QStringLiteral("MovieLens CSV (ratings.csv)");
        case DatasetFormat::Synthetic:
            return QStringLiteral("Synthetic (MovieLens-like)");
    }
    return QStringLiteral("?");
}

QString stars(float value) {
    return QLocale().toString(value, 'g', 3);
}

QString timeSpan(const Dataset& dataset) {
    if (dataset.numRatings() == 0 || dataset.maxTimestamp() <= 0)
        return QStringLiteral("—");
    const QDateTime first = QDateTime::fromSecsSinceEpoch(dataset.minTimestamp(), Qt::UTC);
    const QDateTime last = QDateTime::fromSecsSinceEpoch(dataset.maxTimestamp(), Qt::UTC);
    const qint64 days = first.daysTo(last);
    const QString length = days >= 730 ? DatasetView::tr("%1 years").arg(days / 365.25, 0, 'f', 1)
                                       : DatasetView::tr("%n day(s)", nullptr, int(days));
    return QStringLiteral("%1 – %2 (%3)")
        .arg(first.date().toString(Qt::ISODate), last.date().toString(Qt::ISODate), length);
}

void setupPlot(QCustomPlot* plot, const QString& title) {
    // Four charts in two columns beside the summary: small enough for a 900 px window.
    plot->setMinimumSize(240, 170);
    PlotTheme::setupTitledChart(plot, title);
    plot->xAxis->setTickLabelFont(plot->font());
    plot->yAxis->setTickLabelFont(plot->font());
    plot->xAxis->setLabelFont(plot->font());
    plot->yAxis->setLabelFont(plot->font());
}

}  // namespace

DatasetView::DatasetView(DatasetSession* session, QWidget* parent)
    : QWidget(parent), m_session(session), m_pages(new QStackedWidget(this)) {
    setObjectName(QStringLiteral("datasetView"));
    m_pages->addWidget(createEmptyPage());
    m_pages->addWidget(createContentPage());
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_pages);

    connect(m_session, &DatasetSession::changed, this, [this](DatasetSession::Change change) {
        if (change == DatasetSession::Change::DatasetReplaced)
            refresh();
    });
    applyTheme();
    refresh();
}

QWidget* DatasetView::createEmptyPage() {
    // The first-run page: the demo data, a folder or zip, a download, the recent datasets.
    m_welcome = new WelcomePage;
    m_welcome->setObjectName(QStringLiteral("datasetEmptyPage"));
    connect(m_welcome, &WelcomePage::demoRequested, this, &DatasetView::demoRequested);
    return m_welcome;
}

QLabel* DatasetView::addValueRow(QFormLayout* form, const QString& label,
                                 const QString& objectName) {
    auto* value = new QLabel;
    value->setObjectName(objectName);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    value->setWordWrap(true);
    form->addRow(label, value);
    return value;
}

QWidget* DatasetView::createContentPage() {
    auto* box = new QGroupBox(tr("Summary"));
    box->setObjectName(QStringLiteral("datasetSummaryBox"));
    auto* form = new QFormLayout(box);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    m_format = addValueRow(form, tr("Format:"), QStringLiteral("datasetFormatValue"));
    m_source = addValueRow(form, tr("Source:"), QStringLiteral("datasetSourceValue"));
    m_users = addValueRow(form, tr("Users:"), QStringLiteral("datasetUsersValue"));
    m_items = addValueRow(form, tr("Items:"), QStringLiteral("datasetItemsValue"));
    m_ratings = addValueRow(form, tr("Ratings:"), QStringLiteral("datasetRatingsValue"));
    m_density = addValueRow(form, tr("Density:"), QStringLiteral("datasetDensityValue"));
    m_scale = addValueRow(form, tr("Rating scale:"), QStringLiteral("datasetScaleValue"));
    m_timeSpan = addValueRow(form, tr("Time span:"), QStringLiteral("datasetTimeSpanValue"));
    m_head = addValueRow(form, tr("Popularity:"), QStringLiteral("datasetHeadShareValue"));
    m_density->setToolTip(
        tr("Ratings divided by (rated users × rated items); sparsity is "
           "one minus density."));
    m_head->setToolTip(tr("Share of all ratings received by the most-rated 20 % of items."));
    box->setMinimumWidth(340);
    box->setMaximumWidth(420);

    m_histogram = new QCustomPlot;
    m_histogram->setObjectName(QStringLiteral("ratingHistogramPlot"));
    setupPlot(m_histogram, tr("Rating histogram"));
    m_histogram->xAxis->setLabel(tr("Rating (stars)"));
    m_histogram->yAxis->setLabel(tr("Ratings"));
    m_histogram->yAxis->setTicker(QSharedPointer<CountAxisTicker>::create());
    auto* bars = new QCPBars(m_histogram->xAxis, m_histogram->yAxis);
    bars->setName(tr("Ratings"));

    m_popularity = new QCustomPlot;
    m_popularity->setObjectName(QStringLiteral("popularityPlot"));
    setupPlot(m_popularity, tr("Item popularity (long tail)"));
    m_popularity->xAxis->setLabel(tr("Item rank (most rated first)"));
    m_popularity->yAxis->setLabel(tr("Ratings per item (log scale)"));
    m_popularity->xAxis->setTicker(QSharedPointer<CountAxisTicker>::create());
    m_popularity->yAxis->setScaleType(QCPAxis::stLogarithmic);
    m_popularity->yAxis->setTicker(QSharedPointer<LogCountAxisTicker>::create());
    m_popularity->addGraph();
    m_popularity->graph(0)->setName(tr("Ratings per item"));
    m_headLine = new QCPItemStraightLine(m_popularity);
    m_headLabel = new QCPItemText(m_popularity);
    // x in plot coordinates, y pinned to the top of the axis rect.
    m_headLabel->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    m_headLabel->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_headLabel->setPadding(QMargins(2, 4, 2, 2));

    m_activity = new QCustomPlot;
    m_activity->setObjectName(QStringLiteral("userActivityPlot"));
    setupPlot(m_activity, tr("User activity"));
    m_activity->xAxis->setLabel(tr("Ratings per user (log bins: n … 2n−1)"));
    m_activity->yAxis->setLabel(tr("Users"));
    m_activity->yAxis->setTicker(QSharedPointer<CountAxisTicker>::create());
    new QCPBars(m_activity->xAxis, m_activity->yAxis);

    m_months = new QCustomPlot;
    m_months->setObjectName(QStringLiteral("ratingsPerMonthPlot"));
    setupPlot(m_months, tr("Ratings over time"));
    m_months->xAxis->setLabel(tr("Month (UTC)"));
    m_months->yAxis->setLabel(tr("Ratings per month"));
    m_months->yAxis->setTicker(QSharedPointer<CountAxisTicker>::create());
    auto dates = QSharedPointer<QCPAxisTickerDateTime>::create();
    dates->setDateTimeFormat(QStringLiteral("yyyy-MM"));
    dates->setDateTimeSpec(Qt::UTC);
    m_months->xAxis->setTicker(dates);
    new QCPBars(m_months->xAxis, m_months->yAxis);

    const auto failed = [this](const QString& error) {
        emit errorOccurred(tr("Could not export the chart: %1").arg(error));
    };
    const auto panel = [&](QCustomPlot* plot, const char* prefix, const char* file) {
        return ChartExport::withExportButton(plot, plot, QLatin1String(prefix), QLatin1String(file),
                                             failed);
    };
    auto* left = new QSplitter(Qt::Vertical);
    left->setChildrenCollapsible(false);
    left->addWidget(panel(m_histogram, "ratingHistogramExport", "rating-histogram"));
    left->addWidget(panel(m_activity, "userActivityExport", "user-activity"));
    auto* right = new QSplitter(Qt::Vertical);
    right->setChildrenCollapsible(false);
    right->addWidget(panel(m_popularity, "popularityExport", "item-popularity"));
    right->addWidget(panel(m_months, "ratingsPerMonthExport", "ratings-per-month"));
    auto* plots = new QSplitter(Qt::Horizontal);
    plots->setObjectName(QStringLiteral("datasetPlotSplitter"));
    plots->setChildrenCollapsible(false);
    plots->addWidget(left);
    plots->addWidget(right);

    auto* hint = new QLabel(tr("Charts: drag to pan, wheel to zoom, double-click to reset."));
    hint->setObjectName(QStringLiteral("chartHint"));
    hint->setWordWrap(true);
    hint->setForegroundRole(QPalette::PlaceholderText);
    hint->setMaximumWidth(420);

    auto* summary = new QVBoxLayout;
    summary->addWidget(box);
    summary->addWidget(hint);
    summary->addStretch();
    auto* page = new QWidget;
    page->setObjectName(QStringLiteral("datasetContentPage"));
    auto* layout = new QHBoxLayout(page);
    layout->addLayout(summary);
    layout->addWidget(plots, 1);
    return page;
}

void DatasetView::refresh() {
    const std::shared_ptr<const Dataset> dataset = m_session->dataset();
    if (!dataset) {
        m_pages->setCurrentIndex(0);
        return;
    }
    const QLocale locale;
    m_format->setText(formatTitle(dataset->format()));
    m_source->setText(m_session->sourcePath().isEmpty() ? QString::fromStdString(dataset->source())
                                                        : m_session->sourcePath());
    m_users->setText(locale.toString(dataset->numUsers()));
    m_users->setToolTip(
        tr("%1 with at least one rating").arg(locale.toString(dataset->numRatedUsers())));
    m_items->setText(locale.toString(dataset->numItems()));
    m_items->setToolTip(
        tr("%1 with at least one rating").arg(locale.toString(dataset->numRatedItems())));
    m_ratings->setText(locale.toString(qlonglong(dataset->numRatings())));
    const double density = dataset->density();
    m_density->setText(tr("%1 % (sparsity %2 %)")
                           .arg(locale.toString(100 * density, 'f', 2),
                                locale.toString(100 * (1 - density), 'f', 2)));
    const RatingScale scale = dataset->ratingScale();
    m_scale->setText(
        tr("%1 – %2 stars, step %3").arg(stars(scale.min), stars(scale.max), stars(scale.step)));
    m_timeSpan->setText(timeSpan(*dataset));
    m_head->setText(tr("top 20 % of items: %1 % of ratings")
                        .arg(locale.toString(100 * m_session->summary().headShare, 'f', 1)));

    plotHistogram();
    plotPopularity();
    plotActivity();
    plotMonths();
    m_pages->setCurrentIndex(1);
}

void DatasetView::plotHistogram() {
    const DatasetSummary& summary = m_session->summary();
    auto* bars = static_cast<QCPBars*>(m_histogram->plottable(0));
    QVector<double> keys;
    QVector<double> values;
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (size_t i = 0; i < summary.ratingValues.size(); ++i) {
        keys.push_back(summary.ratingValues[i]);
        values.push_back(static_cast<double>(summary.ratingCounts[i]));
        ticker->addTick(summary.ratingValues[i],
                        stars(static_cast<float>(summary.ratingValues[i])));
    }
    bars->setData(keys, values, true);
    const double step =
        std::max(0.5, static_cast<double>(m_session->dataset()->ratingScale().step));
    bars->setWidth(0.75 * step);
    m_histogram->xAxis->setTicker(ticker);
    m_histogram->rescaleAxes();
    if (!keys.isEmpty())
        m_histogram->xAxis->setRange(keys.front() - 0.75 * step, keys.back() + 0.75 * step);
    // Bars grow from zero; 8 % headroom keeps the tallest bar off the frame.
    m_histogram->yAxis->setRange(0, std::max(1.0, m_histogram->yAxis->range().upper * 1.08));
    applyTheme();
}

void DatasetView::plotPopularity() {
    const DatasetSummary& summary = m_session->summary();
    QCPGraph* graph = m_popularity->graph(0);
    QVector<double> keys;
    QVector<double> values;
    keys.reserve(int(summary.itemPopularity.size()));
    values.reserve(int(summary.itemPopularity.size()));
    for (size_t i = 0; i < summary.itemPopularity.size(); ++i) {
        keys.push_back(static_cast<double>(i + 1));
        values.push_back(static_cast<double>(summary.itemPopularity[i]));
    }
    graph->setData(keys, values, true);
    // Mark where the most-rated 20 % of items end: the head/tail boundary the summary quotes.
    const double head = std::ceil(0.2 * static_cast<double>(keys.size()));
    m_headLine->point1->setCoords(head + 0.5, 1);
    m_headLine->point2->setCoords(head + 0.5, 2);
    m_headLine->setVisible(!keys.isEmpty());
    m_headLabel->position->setCoords(head + 0.5, 0);
    m_headLabel->setText(
        tr(" top 20 %: %1 % of ratings").arg(QLocale().toString(100 * summary.headShare, 'f', 1)));
    m_headLabel->setVisible(!keys.isEmpty());
    m_popularity->rescaleAxes();
    // Headroom above the most-rated item, and the y axis starting at one rating.
    m_popularity->yAxis->setRange(0.8, std::max(10.0, m_popularity->yAxis->range().upper * 1.5));
    applyTheme();
}

void DatasetView::plotActivity() {
    const DatasetSummary& summary = m_session->summary();
    auto* bars = static_cast<QCPBars*>(m_activity->plottable(0));
    QVector<double> keys, values;
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    // From the first non-empty bin (MovieLens keeps users with 20 ratings or more); each bar is
    // labelled with its lower bound: the bar at 32 holds the users with 32 to 63 ratings.
    size_t first = 0;
    while (first < summary.activityCounts.size() && summary.activityCounts[first] == 0)
        ++first;
    for (size_t b = first; b < summary.activityCounts.size(); ++b) {
        keys << double(b);
        values << double(summary.activityCounts[b]);
        ticker->addTick(double(b), CountAxisTicker::shortCount(double(qint64(1) << b)));
    }
    bars->setData(keys, values, true);
    bars->setWidth(0.8);
    m_activity->xAxis->setTicker(ticker);
    m_activity->rescaleAxes();
    if (!keys.isEmpty())
        m_activity->xAxis->setRange(keys.front() - 0.7, keys.back() + 0.7);
    m_activity->yAxis->setRange(0, std::max(1.0, m_activity->yAxis->range().upper * 1.08));
    applyTheme();
}

void DatasetView::plotMonths() {
    const DatasetSummary& summary = m_session->summary();
    auto* bars = static_cast<QCPBars*>(m_months->plottable(0));
    QVector<double> keys, values;
    for (size_t m = 0; m < summary.monthStarts.size(); ++m) {
        // The bar spans its month: centred half a month in.
        keys << double(summary.monthStarts[m]) + 15.2 * 86400;
        values << double(summary.monthCounts[m]);
    }
    bars->setData(keys, values, true);
    bars->setWidth(26 * 86400);
    m_months->rescaleAxes();
    if (!keys.isEmpty())
        m_months->xAxis->setRange(keys.front() - 30 * 86400, keys.back() + 30 * 86400);
    m_months->yAxis->setRange(0, std::max(1.0, m_months->yAxis->range().upper * 1.08));
    applyTheme();
}

void DatasetView::applyTheme() {
    for (QCustomPlot* plot : {m_histogram, m_popularity, m_activity, m_months}) {
        if (!plot)
            continue;
        PlotTheme::apply(plot);
        const QColor colour = PlotTheme::seriesColour(plot->palette());
        QColor fill = colour;
        fill.setAlphaF(0.35f);
        if (plot != m_popularity) {
            auto* bars = static_cast<QCPBars*>(plot->plottable(0));
            bars->setPen(QPen(colour, 1));
            fill.setAlphaF(0.7f);
            bars->setBrush(fill);
        } else {
            plot->graph(0)->setPen(QPen(colour, 2));
            plot->graph(0)->setBrush(fill);
            const QColor text = plot->palette().color(QPalette::WindowText);
            QColor marker = text;
            marker.setAlphaF(0.6f);
            m_headLine->setPen(QPen(marker, 1, Qt::DashLine));
            m_headLabel->setColor(text);
            m_headLabel->setFont(plot->font());
        }
    }
}

void DatasetView::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyTheme();
}

}  // namespace recscope::ui
