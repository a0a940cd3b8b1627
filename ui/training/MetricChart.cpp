#include "ui/training/MetricChart.h"

#include <qcustomplot.h>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <set>

namespace recscope::ui {

MetricChart::MetricChart(QWidget* parent)
    : RunChart(QStringLiteral("metricChart"), tr("Validation metric per epoch"), parent),
      m_chooser(new QComboBox) {
    setAxisLabels(tr("epoch"), QString());
    // Validation metrics mostly rise: the lower right corner is the one the lines leave free.
    setLegendCorner(Qt::AlignBottom | Qt::AlignRight);
    setXPadding(0.4);
    m_chooser->setObjectName(QStringLiteral("metricChooser"));
    m_chooser->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_chooser->setToolTip(tr("Validation metric to plot"));
    auto* label = new QLabel(tr("Metric"));
    label->setBuddy(m_chooser);
    connect(m_chooser, &QComboBox::currentTextChanged, this, [this](const QString& metric) {
        plot()->yAxis->setLabel(metric);
        markAllDirty();
    });
    toolbar()->addWidget(label);
    toolbar()->addWidget(m_chooser);
    plot()->xAxis->setTicker(QSharedPointer<QCPAxisTickerFixed>::create());
    qSharedPointerCast<QCPAxisTickerFixed>(plot()->xAxis->ticker())->setTickStep(1.0);
    qSharedPointerCast<QCPAxisTickerFixed>(plot()->xAxis->ticker())
        ->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
}

void MetricChart::setRunEpochs(qint64 id, const QString& name, const QColor& colour,
                               const std::vector<EpochReport>& epochs) {
    m_epochs[id] = epochs;
    ensureSeries(id, name, colour, false);
    updateChooser();
}

QString MetricChart::metric() const {
    return m_chooser->currentText();
}

void MetricChart::setMetric(const QString& metric) {
    const int index = m_chooser->findText(metric);
    if (index >= 0)
        m_chooser->setCurrentIndex(index);
}

QStringList MetricChart::metrics() const {
    QStringList out;
    for (int i = 0; i < m_chooser->count(); ++i)
        out << m_chooser->itemText(i);
    return out;
}

void MetricChart::updateChooser() {
    std::set<std::string> names;
    for (const auto& epochs : m_epochs)
        for (const EpochReport& e : epochs)
            for (const auto& [name, value] : e.validation)
                names.insert(name);
    QStringList list;
    for (const auto& n : names)
        list << QString::fromStdString(n);
    // The metric early stopping watches by default leads the list.
    for (const QString& first : {QStringLiteral("ndcg@10"), QStringLiteral("rmse")}) {
        if (list.removeOne(first))
            list.prepend(first);
    }
    if (list == metrics())
        return;
    const QString current = metric();
    const QSignalBlocker block(m_chooser);
    m_chooser->clear();
    m_chooser->addItems(list);
    const int index = list.indexOf(current);
    m_chooser->setCurrentIndex(index >= 0 ? index : 0);
    plot()->yAxis->setLabel(metric());
    markAllDirty();
}

void MetricChart::rebuild(qint64 id, Series& series) {
    const std::string key = metric().toStdString();
    QVector<double> keys;
    QVector<double> values;
    for (const EpochReport& e : m_epochs.value(id)) {
        auto it = e.validation.find(key);
        if (it == e.validation.end())
            continue;
        keys << e.epoch;
        values << it->second;
    }
    series.graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 5));
    series.graph->setData(keys, values, true);
}

void MetricChart::removeRun(qint64 id) {
    m_epochs.remove(id);
    RunChart::removeRun(id);
}

void MetricChart::clearRuns() {
    m_epochs.clear();
    RunChart::clearRuns();
}

}  // namespace recscope::ui
