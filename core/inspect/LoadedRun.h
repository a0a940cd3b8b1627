#pragma once
// A finished run made ready for the explorer's views (inspector, what-if user, embedding map,
// popularity bias): the dataset split again exactly as the run split it, the training data the
// model was fitted on, and the trained model, loaded from the run's checkpoint.
//
// Thread rules: loadRun() may run on a worker thread (it reads files and splits); the LoadedRun
// it returns is immutable and its const calls are safe from several threads.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/common/Progress.h"
#include "core/common/Status.h"
#include "core/models/Recommender.h"
#include "core/models/TrainData.h"
#include "core/run/Experiment.h"
#include "core/split/Split.h"

namespace recscope {

class Dataset;
struct RunRecord;

// Which ranking of a run a list shows. Staged runs (Recommender::staged()) have both; every
// other run has only Final (Retriever then means Final).
enum class RunStage { Final, Retriever };

struct LoadedRun {
    int64_t runId = 0;
    std::string runName;
    RunConfig config;
    std::shared_ptr<const Dataset> dataset;
    std::shared_ptr<const Split> split;        // as the run split it (same seed, same options)
    std::shared_ptr<const TrainData> train;    // what the model was fitted on (train, or
                                               // train + validation when the run did that)
    std::shared_ptr<const Recommender> model;  // the final model

    bool twoStage() const;  // the model is staged (Recommender::staged())
    // The model behind a stage: a staged model's retriever for Retriever, else the final model.
    const Recommender& stageModel(RunStage stage) const;
    // Display name: "ranker" / "retriever" for two-stage runs, else the model's name.
    std::string stageName(RunStage stage) const;
};

// Loads a run: re-splits `dataset` with config.split (errors if the dataset's identity does not
// match `expected` — "run N was trained on ml-100k (943 users, ...); the open dataset is ..."),
// builds the training data (train + validation when fitOnTrainAndValidation), creates the model
// from config.model with `params`, and loads `checkpointPath` (file or folder). Errors name the
// checkpoint path. `cancel` may be null.
struct LoadRunRequest {
    int64_t runId = 0;
    std::string runName;
    RunConfig config;
    std::map<std::string, std::string> params;  // resolved parameters of the run
    bool fitOnTrainAndValidation = false;
    std::string checkpointPath;       // absolute
    std::string expectedFingerprint;  // dataset identity fingerprint; empty = do not check
    // How the run's dataset is named in a mismatch message: "ml-100k (943 users, 1682 items,
    // 100000 ratings)". Empty: "another dataset".
    std::string expectedDataset;
};

// The request for a run of a workspace: its configuration, resolved parameters, fit-on choice,
// dataset identity (fingerprint and description) and `checkpointPath` (absolute; see
// Workspace::absoluteCheckpoint).
LoadRunRequest makeLoadRunRequest(const RunRecord& run, const std::string& checkpointPath);
Result<LoadedRun> loadRun(const LoadRunRequest& request, std::shared_ptr<const Dataset> dataset,
                          const CancelToken* cancel = nullptr);

// Same, but from a model already in memory (the GUI right after training): no checkpoint read.
Result<LoadedRun> loadRun(const LoadRunRequest& request, std::shared_ptr<const Dataset> dataset,
                          std::shared_ptr<const Recommender> trainedModel,
                          const CancelToken* cancel = nullptr);

}  // namespace recscope
