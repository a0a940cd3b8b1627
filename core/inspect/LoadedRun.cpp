#include "core/inspect/LoadedRun.h"

#include <exception>
#include <utility>

#include "core/data/Dataset.h"
#include "core/models/Recommender.h"
#include "core/models/StagedRecommender.h"
#include "core/workspace/Workspace.h"

namespace recscope {

namespace {

std::string describe(const std::string& name, int32_t users, int32_t items, int64_t ratings) {
    return name + " (" + std::to_string(users) + " users, " + std::to_string(items) + " items, " +
           std::to_string(ratings) + " ratings)";
}

std::string describeOpen(const Dataset& data) {
    std::string name = data.source();
    if (data.format() == DatasetFormat::Synthetic) {
        name = "the demo data";
    } else {
        const size_t slash = name.find_last_of('/');
        if (slash != std::string::npos && slash + 1 < name.size())
            name = name.substr(slash + 1);
    }
    return describe(name, data.numUsers(), data.numItems(), data.numRatings());
}

// The training data keeps a pointer to the split it was built from; when the run fitted on
// train + validation that merged split is not LoadedRun::split, so it travels with the
// TrainData in one allocation.
struct OwnedTrainData {
    Split fitSplit;
    TrainData train;
};

// Refuses a dataset other than the run's before any slow work.
Status checkDataset(const LoadRunRequest& request, const Dataset* dataset) {
    const std::string runLabel = "run " + std::to_string(request.runId);
    if (!dataset)
        return makeError("cannot inspect " + runLabel + ": no dataset is open");
    if (request.expectedFingerprint.empty())
        return {};
    const DatasetIdentity open = datasetIdentity(*dataset, std::string());
    if (open.fingerprint == request.expectedFingerprint)
        return {};
    return makeError(runLabel + " was trained on " +
                     (request.expectedDataset.empty() ? std::string("another dataset")
                                                      : request.expectedDataset) +
                     "; the open dataset is " + describeOpen(*dataset) +
                     ". Open the run's dataset to inspect it.");
}

Result<LoadedRun> prepare(const LoadRunRequest& request, std::shared_ptr<const Dataset> dataset,
                          std::shared_ptr<const Recommender> model, const CancelToken* cancel) {
    const std::string runLabel = "run " + std::to_string(request.runId);
    if (model->numItems() != dataset->numItems())
        return makeError(runLabel + ": the model scores " + std::to_string(model->numItems()) +
                         " items, the open dataset has " + std::to_string(dataset->numItems()));
    if (isCancelled(cancel))
        return cancelledError();

    Result<Split> split = makeSplit(*dataset, request.config.split);
    if (!split)
        return makeError(runLabel + ": " + split.error().message);
    if (isCancelled(cancel))
        return cancelledError();
    auto splitPtr = std::make_shared<const Split>(std::move(split).value());

    // As runExperiment builds it, so that scores, masks and metrics are the run's own.
    auto owned = std::make_shared<OwnedTrainData>();
    owned->fitSplit =
        request.fitOnTrainAndValidation ? withValidationInTrain(*splitPtr) : *splitPtr;
    owned->train = TrainData::build(owned->fitSplit, dataset.get());

    LoadedRun run;
    run.runId = request.runId;
    run.runName = request.runName;
    run.config = request.config;
    run.dataset = std::move(dataset);
    run.split = std::move(splitPtr);
    run.train = std::shared_ptr<const TrainData>(owned, &owned->train);
    run.model = std::move(model);
    return run;
}

}  // namespace

bool LoadedRun::twoStage() const {
    return model && model->staged() != nullptr;
}

const Recommender& LoadedRun::stageModel(RunStage stage) const {
    if (stage == RunStage::Retriever)
        if (const StagedRecommender* stages = model ? model->staged() : nullptr)
            return stages->retriever();
    return *model;
}

std::string LoadedRun::stageName(RunStage stage) const {
    if (!twoStage())
        return model ? model->name() : std::string();
    return stage == RunStage::Retriever ? "retriever" : "ranker";
}

LoadRunRequest makeLoadRunRequest(const RunRecord& run, const std::string& checkpointPath) {
    LoadRunRequest r;
    r.runId = run.id;
    r.runName = run.name;
    r.config = run.config;
    r.params = run.params.empty() ? run.config.params : run.params;
    r.fitOnTrainAndValidation = run.fitOnTrainAndValidation;
    r.checkpointPath = checkpointPath;
    r.expectedFingerprint = run.dataset.fingerprint;
    r.expectedDataset = describe(run.dataset.name.empty() ? run.config.dataset : run.dataset.name,
                                 run.dataset.users, run.dataset.items, run.dataset.ratings);
    return r;
}

Result<LoadedRun> loadRun(const LoadRunRequest& request, std::shared_ptr<const Dataset> dataset,
                          const CancelToken* cancel) {
    try {
        const std::string runLabel = "run " + std::to_string(request.runId);
        if (request.checkpointPath.empty())
            return makeError(runLabel +
                             " has no checkpoint (it did not finish, or its model "
                             "could not be saved)");
        std::unique_ptr<Recommender> model = createModel(request.config.model);
        if (!model)
            return makeError(runLabel + ": unknown model '" + request.config.model + "'");
        const std::map<std::string, std::string>& params =
            request.params.empty() ? request.config.params : request.params;
        if (Status s = model->configure(params); !s)
            return makeError(runLabel + ": " + s.error().message);
        // Check the dataset before the (possibly slow) checkpoint read.
        if (Status s = checkDataset(request, dataset.get()); !s)
            return s.error();
        if (Status s = model->load(request.checkpointPath); !s) {
            Error e = s.error();
            if (e.file.empty())
                e.file = request.checkpointPath;
            e.message = "cannot load the checkpoint of " + runLabel + ": " + e.message;
            return e;
        }
        return prepare(request, std::move(dataset), std::move(model), cancel);
    } catch (const std::exception& e) {
        return makeError("cannot load run " + std::to_string(request.runId) + ": " + e.what(),
                         request.checkpointPath);
    }
}

Result<LoadedRun> loadRun(const LoadRunRequest& request, std::shared_ptr<const Dataset> dataset,
                          std::shared_ptr<const Recommender> trainedModel,
                          const CancelToken* cancel) {
    try {
        if (!trainedModel)
            return makeError("run " + std::to_string(request.runId) + ": no trained model");
        if (Status s = checkDataset(request, dataset.get()); !s)
            return s.error();
        return prepare(request, std::move(dataset), std::move(trainedModel), cancel);
    } catch (const std::exception& e) {
        return makeError("cannot prepare run " + std::to_string(request.runId) + ": " + e.what());
    }
}

}  // namespace recscope
