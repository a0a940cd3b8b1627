#pragma once
// What the training view sends to its worker: one experiment on an already loaded dataset.
// A value type (copied across threads by a queued connection).

#include <QMetaType>
#include <QString>
#include <memory>

#include "core/data/Dataset.h"
#include "core/run/Experiment.h"
#include "ui/TrainingControl.h"

namespace recscope::ui {

struct TrainingRequest {
    quint64 id = 0;  // echoed in every reply; stale replies are dropped
    RunConfig config;
    std::shared_ptr<const Dataset> dataset;  // kept alive for the run
    QString datasetName;                     // for the dataset identity: "ml-100k", "demo"
    std::shared_ptr<TrainingControl> control;
};

}  // namespace recscope::ui

Q_DECLARE_METATYPE(recscope::ui::TrainingRequest)
