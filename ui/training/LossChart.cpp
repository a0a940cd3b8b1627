#include "ui/training/LossChart.h"

#include <qcustomplot.h>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <cmath>

namespace recscope::ui {

LossChart::LossChart(QWidget* parent)
    : RunChart(QStringLiteral("lossChart"), tr("Training loss per batch"), parent),
      m_slider(new QSlider(Qt::Horizontal)) {
    setAxisLabels(tr("epoch"), tr("loss"));
    auto* label = new QLabel(tr("Smoothing"));
    m_slider->setObjectName(QStringLiteral("lossSmoothing"));
    m_slider->setRange(0, 99);
    m_slider->setValue(int(std::lround(m_smoothing * 100)));
    m_slider->setMaximumWidth(160);
    m_slider->setToolTip(
        tr("Exponential moving average of the batch losses (0 = raw, 0.99 = very smooth)"));
    label->setBuddy(m_slider);
    auto* value = new QLabel(QString::number(m_smoothing, 'f', 2));
    value->setObjectName(QStringLiteral("lossSmoothingValue"));
    value->setMinimumWidth(value->fontMetrics().horizontalAdvance(QStringLiteral("0.00")));
    connect(m_slider, &QSlider::valueChanged, this, [this, value](int v) {
        value->setText(QString::number(v / 100.0, 'f', 2));
        setSmoothing(v / 100.0);
    });
    toolbar()->addWidget(label);
    toolbar()->addWidget(m_slider);
    toolbar()->addWidget(value);
}

void LossChart::setRun(qint64 id, const QString& name, const QColor& colour) {
    ensureSeries(id, name, colour, true);
}

void LossChart::appendBatches(qint64 id, const QVector<QPointF>& losses) {
    Data& data = m_data[id];
    data.batches.reserve(data.batches.size() + losses.size());
    for (const QPointF& p : losses)
        if (std::isfinite(p.y()))
            data.batches.append(p);
    markDirty(id);
}

void LossChart::setEpochLosses(qint64 id, const QVector<QPointF>& losses) {
    m_data[id].epochs = losses;
    markDirty(id);
}

int LossChart::rawPointCount(qint64 id) const {
    auto it = m_data.constFind(id);
    return it == m_data.constEnd() ? 0 : int(it->batches.size());
}

void LossChart::setSmoothing(double weight) {
    weight = std::max(0.0, std::min(0.99, weight));
    if (weight == m_smoothing)
        return;
    m_smoothing = weight;
    if (m_slider->value() != int(std::lround(weight * 100)))
        m_slider->setValue(int(std::lround(weight * 100)));
    markAllDirty();
}

QVector<double> LossChart::smooth(const QVector<double>& values, double weight) {
    QVector<double> out(values.size());
    double s = 0.0;
    double debias = 1.0;
    for (int i = 0; i < values.size(); ++i) {
        s = weight * s + (1.0 - weight) * values[i];
        debias *= weight;
        out[i] = weight > 0 ? s / (1.0 - debias) : values[i];
    }
    return out;
}

void LossChart::rebuild(qint64 id, Series& series) {
    const Data data = m_data.value(id);
    if (!data.batches.isEmpty()) {
        QVector<double> keys(data.batches.size());
        QVector<double> raw(data.batches.size());
        for (int i = 0; i < data.batches.size(); ++i) {
            keys[i] = data.batches[i].x();
            raw[i] = data.batches[i].y();
        }
        series.graph->setScatterStyle(QCPScatterStyle::ssNone);
        series.graph->setData(keys, smooth(raw, m_smoothing), true);
        series.shadow->setData(keys, raw, true);
        series.shadow->setVisible(series.visible && m_smoothing > 0);
        return;
    }
    QVector<double> keys;
    QVector<double> values;
    for (const QPointF& p : data.epochs) {
        if (!std::isfinite(p.y()))
            continue;
        keys << p.x();
        values << p.y();
    }
    series.graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
    series.graph->setData(keys, values, true);
    series.shadow->data()->clear();
}

void LossChart::removeRun(qint64 id) {
    m_data.remove(id);
    RunChart::removeRun(id);
}

void LossChart::clearRuns() {
    m_data.clear();
    RunChart::clearRuns();
}

}  // namespace recscope::ui
