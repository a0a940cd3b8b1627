#pragma once
// What the training view sends to its worker: one experiment on an already loaded dataset.
// A value type (copied across threads by a queued connection).

#include <QMetaType>
#include <QString>
#include <memory>
#include <vector>

#include "core/data/Dataset.h"
#include "core/run/Experiment.h"
#include "ui/training/TrainingControl.h"

namespace recscope::ui {

struct TrainingRequest {
    quint64 id = 0;  // echoed in every reply; stale replies are dropped
    RunConfig config;
    std::shared_ptr<const Dataset> dataset;  // kept alive for the run
    QString datasetName;                     // for the dataset identity: "ml-100k", "demo"
    std::shared_ptr<TrainingControl> control;
    // Watch list (dense user ids of `dataset`): their top-K after each epoch comes back in
    // EpochReport::watchTopK.
    std::vector<int32_t> watchUsers;
    int watchK = 10;
    int threads = 0;  // compute threads on the worker (setComputeThreads); 0: every core
};

}  // namespace recscope::ui

Q_DECLARE_METATYPE(recscope::ui::TrainingRequest)
// What the worker's replies carry (queued across threads).
Q_DECLARE_METATYPE(recscope::DatasetIdentity)
Q_DECLARE_METATYPE(recscope::EpochReport)
Q_DECLARE_METATYPE(std::shared_ptr<recscope::RunOutcome>)
