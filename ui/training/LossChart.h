#pragma once
// Training loss per batch for each run, with exponential-moving-average smoothing (the raw
// losses stay visible as a faint line behind the smoothed one). Runs restored from a workspace
// have no per-batch record; they show their per-epoch mean loss as points instead.
// x is in epochs (batch 5 of 10 in epoch 3 is at 2.5), so runs with different batch sizes
// overlay. GUI thread only.

#include <QPointF>
#include <QVector>

#include "ui/training/RunChart.h"

class QSlider;

namespace recscope::ui {

class LossChart : public RunChart {
    Q_OBJECT
public:
    explicit LossChart(QWidget* parent = nullptr);

    void setRun(qint64 id, const QString& name, const QColor& colour);
    // Live runs: appends batch losses (x in epochs). Non-finite losses are kept out of the
    // chart (the run fails with a message instead).
    void appendBatches(qint64 id, const QVector<QPointF>& losses);
    // Restored runs: one point per epoch (x = epoch, y = mean loss). Ignored once the run has
    // batch data.
    void setEpochLosses(qint64 id, const QVector<QPointF>& losses);

    // 0 = raw, up to 0.99 = very smooth (the EMA's weight of the past).
    void setSmoothing(double weight);
    double smoothing() const { return m_smoothing; }
    int rawPointCount(qint64 id) const;

    // Debiased EMA (as TensorBoard draws it): s_t = w s_{t-1} + (1 - w) x_t, divided by
    // 1 - w^t so the start is not pulled towards zero.
    static QVector<double> smooth(const QVector<double>& values, double weight);

    void removeRun(qint64 id) override;
    void clearRuns() override;

protected:
    void rebuild(qint64 id, Series& series) override;

private:
    struct Data {
        QVector<QPointF> batches;
        QVector<QPointF> epochs;
    };
    QMap<qint64, Data> m_data;
    double m_smoothing = 0.6;
    QSlider* m_slider;
};

}  // namespace recscope::ui
