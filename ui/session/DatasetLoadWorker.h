#pragma once
// Runs dataset loads on a worker QThread. Lives on that thread (moveToThread); the owner
// (DatasetSession) sends requests through a queued signal and gets every reply as a queued
// signal carrying value types. One request runs at a time; requests queue in the thread's event
// loop. Progress is throttled so a fast parser cannot flood the GUI event queue.

#include <QObject>
#include <QString>
#include <cstdint>
#include <memory>

#include "core/common/Status.h"
#include "core/data/Dataset.h"
#include "ui/session/DatasetLoadRequest.h"
#include "ui/dataset/DatasetSummary.h"

namespace recscope::ui {

class DatasetLoadWorker : public QObject {
    Q_OBJECT
public:
    explicit DatasetLoadWorker(QObject* parent = nullptr);

public slots:
    // Blocks this worker's thread until the load ends, fails or is cancelled. Exactly one of
    // loaded/failed is emitted per request.
    void load(const recscope::ui::DatasetLoadRequest& request);

signals:
    // fraction in 0..1, or < 0 when unknown.
    void progressed(quint64 id, const QString& stage, double fraction);
    void loaded(quint64 id, std::shared_ptr<const recscope::Dataset> dataset,
                const recscope::ui::DatasetSummary& summary);
    // A cancelled request fails with the core's "cancelled" error.
    void failed(quint64 id, const recscope::Error& error);
};

}  // namespace recscope::ui

Q_DECLARE_METATYPE(recscope::Error)
Q_DECLARE_METATYPE(std::shared_ptr<const recscope::Dataset>)
