// Registration of the LibTorch models (core/nn/TorchModels.h).
#include "core/nn/TorchModels.h"

#include <ATen/Parallel.h>

#include "core/models/Compute.h"
#include "core/models/ModelRegistry.h"
#include "core/nn/BprModel.h"
#include "core/nn/MfModel.h"
#include "core/nn/NeuMfModel.h"
#include "core/nn/NeuralMfModel.h"
#include "core/nn/PipelineModel.h"
#include "core/nn/SasRecModel.h"
#include "core/nn/TwoTowerModel.h"

namespace recscope {

void registerNeuralModels(ModelRegistry& registry) {
    registry.add("mf", "Explicit matrix factorisation with biases (SGD or Adam; RMSE/MAE)",
                 [] { return std::make_unique<MfModel>(); });
    registry.add("bpr", "BPR-MF: pairwise ranking with uniform or popular negatives",
                 [] { return std::make_unique<BprModel>(); });
    registry.add("neuralmf", "NeuralMF: concatenated embeddings -> MLP -> logit, BCE",
                 [] { return std::make_unique<NeuralMfModel>(); });
    registry.add("neumf", "NeuMF: GMF and MLP towers fused (NCF), BCE with negatives",
                 [] { return std::make_unique<NeuMfModel>(); });
    registry.add("twotower", "Two-tower retriever: ID+feature towers, InfoNCE, in-batch negatives",
                 [] { return std::make_unique<TwoTowerModel>(); });
    registry.add("sasrec", "SASRec: causal self-attention over the time-ordered history, next item",
                 [] { return std::make_unique<SasRecModel>(); });
    registry.add("pipeline", "Two-stage: two-tower top-N via FAISS -> ranker -> MMR",
                 [] { return std::make_unique<PipelineModel>(); });
}

void registerTorchModels() {
    ModelRegistry::extendGlobal(registerNeuralModels);
    addComputePool([](int threads) { at::set_num_threads(threads); });
}

}  // namespace recscope
