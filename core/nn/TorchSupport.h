#pragma once
// Helpers shared by the LibTorch models (core/nn only: this header pulls in LibTorch).
// Free functions, no state.

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "core/common/Status.h"
#include "core/models/Params.h"
#include "core/train/EpochTrainer.h"

namespace recscope {

struct TrainData;

// "cpu", "cuda", "cuda:N". CUDA without a usable GPU is an error naming the device.
Result<torch::Device> parseTorchDevice(const std::string& text);

// Puts LibTorch's intra-op pool at the process's compute thread count (LibTorch otherwise
// starts with one thread here) and seeds its generator. Call at the start of fit().
void prepareTorch(uint64_t seed);

// The parameters every epoch-trained model declares: epochs, batch_size, lr, weight_decay,
// validation_users, patience. Defaults are per model.
std::vector<ParamSpec> epochParamSpecs(int epochs, int batchSize, double lr, double weightDecay,
                                       int patience);
// The trainer settings those parameters describe (epochs, patience, lr); the validation metric
// stays the trainer's default unless the caller changes it.
TrainConfig epochTrainConfig(const ParamValues& params);
// The per-epoch validation users of a model with epochParamSpecs' `validation_users`
// (EpochTrainer::validationUsers; empty = all).
std::vector<int32_t> validationSample(const TrainData& data, const ParamValues& params,
                                      uint64_t seed);

// Row ids of `n` users as a 1-D int64 tensor on `device` (indices for index_select).
torch::Tensor indexTensor(const int32_t* ids, int64_t n, const torch::Device& device);

// Copies a float tensor (any device, contiguous or not) into caller-owned host memory.
void copyToHost(const torch::Tensor& t, float* out);
// A 2-D tensor (any device) as a host EmbeddingTable; undefined or not 2-D: an empty table.
EmbeddingTable embeddingTable(const torch::Tensor& t);

// Users with no training positive get popularity scores instead of their (untrained)
// embeddings. Shapes: rows n x numItems in `out`; `cold[u]` = 1 for such users.
void fillColdUsers(const int32_t* users, int64_t n, const std::vector<uint8_t>& cold,
                   const std::vector<float>& popularityScore, float* out);
std::vector<uint8_t> coldUserMask(const TrainData& data);
std::vector<float> popularityScores(const TrainData& data);

// Module::save() with every parameter and buffer copied to the CPU first, in the same layout,
// so Module::load() reads it back on any device: a checkpoint written by a CUDA run reloads on a
// machine without a GPU. Every model's weights go through this (or saveModelArchive).
void saveModuleOnCpu(const torch::nn::Module& module, torch::serialize::OutputArchive& archive);

// Parameters inside a torch archive: one "param.<name>" string each. Every model file uses
// this layout, so params written by one model's save() read back the same way everywhere.
void writeParams(torch::serialize::OutputArchive& archive, const ParamValues& params);
std::map<std::string, std::string> readParams(torch::serialize::InputArchive& archive);

// Model files: a torch archive holding "model" (registry name), "param.<name>" texts and the
// tensors under "tensor.<name>" (always stored on the CPU). load checks the model name, reads
// every stored tensor and fails when one of `tensorNames` is missing.
Status saveModelArchive(const std::string& path, const std::string& modelName,
                        const ParamValues& params,
                        const std::map<std::string, torch::Tensor>& tensors);
// archive.load_from(path), after checkTorchArchive (core/models/TorchArchiveCheck.h) has vetted
// the file: a model file is untrusted input. Returns the check's error; LibTorch's own errors
// are thrown as before.
Status loadCheckedArchive(torch::serialize::InputArchive& archive, const std::string& path);

// The reverse of saveModuleOnCpu for an untrusted file: every parameter and buffer of `module`
// (children included) must be in the archive with the shape the module already has and a
// storage that holds all of it; values are copied into the module's own tensors. (Module::load
// would adopt whatever tensor the file holds, of any shape, and LibTorch does not check that a
// record's storage covers the sizes its pickle claims.) Errors name the tensor.
Status loadModuleChecked(torch::nn::Module& module, torch::serialize::InputArchive& archive,
                         const std::string& path);
// True when `t`'s storage holds every element its sizes, strides and offset reach.
bool storageCovers(const torch::Tensor& t);

// Checks for tables read from a model file before they index anything: CSR offsets that start
// at 0, never decrease and end at `values`; ids in [0, limit).
bool validOffsets(const std::vector<int64_t>& offsets, int64_t values);
bool validIds(const std::vector<int64_t>& ids, int64_t limit);

struct ModelArchive {
    std::map<std::string, std::string> params;
    std::map<std::string, torch::Tensor> tensors;  // CPU
};
Result<ModelArchive> loadModelArchive(const std::string& path, const std::string& modelName,
                                      const std::vector<std::string>& tensorNames);

}  // namespace recscope
