#pragma once
// TwoTowerModel's LibTorch state (internal: include only from core/nn/TwoTower*.cpp), shared by
// the model (TwoTowerModel.cpp) and its training adapter (TwoTowerTraining.cpp).

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "core/nn/TwoTowerModel.h"
#include "core/nn/TwoTowerNet.h"

namespace recscope {

struct TwoTowerModel::Impl {
    TwoTowerNetConfig config;
    // Mutable: LibTorch forward() is non-const although scoring does not change weights.
    mutable TwoTowerNet net{nullptr};
    torch::Tensor logTemperature;  // scalar; requires grad when learned
    int32_t numUsers = 0;
    int32_t numItems = 0;
    int dim = 0;
    std::vector<float> userVecs;  // numUsers x dim
    std::vector<float> itemVecs;  // numItems x dim
    std::vector<char> known;      // numUsers
    std::vector<float> fallback;  // numItems
    // What the user tower reads of each known user: the mean tower's history bag (training
    // positives, capped, sorted ids) or the attention tower's sequence (the last seqLen
    // training positives, oldest first).
    std::vector<int64_t> histOffsets{0};
    std::vector<int64_t> histItems;
    // The attention tower's profile bags (config.profile): every training positive of each
    // user, sorted ids.
    std::vector<int64_t> profOffsets{0};
    std::vector<int64_t> profItems;
    // B x e: the sum of each user's profile bag; sizes gets each bag's item count.
    torch::Tensor profileSums(const std::vector<int64_t>& users, const torch::Device& device,
                              std::vector<float>& sizes) const;
    // B x e: the mean of each user's profile bag (zeros for an empty bag).
    torch::Tensor profileMeans(const std::vector<int32_t>& users,
                               const torch::Device& device) const;

    // Recomputes every user and item vector from the network (no grad, CPU floats).
    void refreshVectors(const torch::Device& device);
    // keepIds: per row, 1 keeps the user ID embedding, 0 drops it (ID dropout); empty keeps
    // every row's.
    torch::Tensor userTower(const std::vector<int32_t>& users, const std::vector<int32_t>& exclude,
                            const std::vector<float>& keepIds, const torch::Device& device) const;
};

}  // namespace recscope
