#pragma once
// The small interface an iterative model hands to EpochTrainer: it trains batches and keeps
// one snapshot of its weights. Everything else (epochs, validation, early stopping, cancel,
// NaN checks, events) is the trainer's job, so every model gets the same behaviour.

#include <cstdint>

namespace recscope {

class EpochModel {
public:
    virtual ~EpochModel() = default;

    // Prepares epoch `epoch` (1-based): reshuffles, resamples negatives. Returns the number of
    // batches the epoch has (> 0).
    virtual int64_t beginEpoch(int epoch) = 0;

    // Trains batch `batch` (0-based, < beginEpoch()'s count) of the current epoch and returns
    // its mean loss. A non-finite loss stops the run; the weights are then not used.
    virtual double trainBatch(int64_t batch) = 0;

    // Keeps a copy of the current weights as "best so far" (replacing an earlier one) ...
    virtual void snapshot() = 0;
    // ... and puts that copy back. Called only after at least one snapshot().
    virtual void restoreSnapshot() = 0;

    // Called after an epoch's last batch, before validation and the watch list score the
    // model, and only when one of them will. Models whose scoreUsers() reads vectors cached
    // from the network (two-tower) recompute them here; the default does nothing.
    virtual void prepareScoring() {}

    // Training samples in the epoch just trained, counted as EpochReport::samples says; 0 when
    // the model does not count them (the default).
    virtual int64_t epochSamples() const { return 0; }
};

}  // namespace recscope
