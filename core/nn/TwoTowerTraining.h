#pragma once
// The two-tower's training adapter (internal: include only from core/nn/TwoTower*.cpp): the
// EpochModel the generic EpochTrainer drives, for the mean and the attention user tower.

#include <torch/torch.h>

#include <cstdint>
#include <memory>

#include "core/nn/TwoTowerModel.h"
#include "core/train/EpochModel.h"

namespace recscope {

class DataParallel;
class ParamValues;
struct ItemSequences;
struct TrainData;

// Trains impl.net on data (parameters read: batch_size, user_dropout, mask_collisions, logq,
// lr, weight_decay). sequences: the users' time-ordered positives for the attention tower, or
// null for the mean tower. stats gains each epoch's samples and batch seconds.
std::unique_ptr<EpochModel> makeTwoTowerEpochs(TwoTowerModel::Impl& impl, const TrainData& data,
                                               const ParamValues& params, torch::Device device,
                                               uint64_t seed, FitStats& stats,
                                               DataParallel* parallel,
                                               const ItemSequences* sequences);

}  // namespace recscope
