#pragma once
// Data-parallel training over a c10d process group: the one hook the LibTorch models call
// (FitContext::parallel; null when a run is not distributed). Every rank holds the whole model
// and the same data; each global batch is split into world-size contiguous shards in rank
// order; after backward the ranks' gradients are summed (each rank's loss being its share of
// the global batch's loss), so every rank takes the same optimizer step as one process would
// on the whole batch. Rank 0's parameters are broadcast at the start; rank 0 alone validates
// and broadcasts the result, so all ranks stop together.
//
// Faults end every rank with a DistError naming the rank at fault: a heartbeat in the store
// tells a dead or hung rank from a slow one, and a rank that fails leaves a note there.
//
// Thread rules: one training thread per rank calls everything; the heartbeat runs on its own
// thread with its own store connection. The header is LibTorch-free (at::Tensor is only
// declared) so that EpochTrainer can include it.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/common/Progress.h"
#include "core/common/Status.h"
#include "core/dist/DistConfig.h"

namespace at {
class Tensor;
}

namespace recscope {

class C10dBackend;

// This rank's rows [begin, end) of a global batch, and its share of the batch's rows.
struct BatchShard {
    int64_t begin = 0;
    int64_t end = 0;
    double share = 1.0;  // (end - begin) / global rows; 0 for an empty shard
    int64_t size() const { return end - begin; }
    bool empty() const { return end <= begin; }
};

class DataParallel {
public:
    // Rendezvous at config.masterAddr:masterPort (rank 0 hosts the store), every rank of the
    // world present within config.timeoutSeconds, then the Gloo or NCCL group (backend "auto":
    // NCCL for a CUDA device when built with it, else Gloo). `device`: where the models'
    // tensors live ("cpu", "cuda:N"). Errors start with "rank R: " and say what to fix (port
    // in use, no rank 0, ranks that never arrived, duplicate RANK, WORLD_SIZE disagreement).
    static Result<std::unique_ptr<DataParallel>> connect(const DistConfig& config,
                                                         const std::string& device);
    ~DataParallel();
    DataParallel(const DataParallel&) = delete;
    DataParallel& operator=(const DataParallel&) = delete;

    int rank() const { return m_config.rank; }
    int worldSize() const { return m_config.worldSize; }
    bool leader() const { return m_config.rank == 0; }
    const std::string& backend() const { return m_backendName; }

    // A local stop request (Ctrl+C). It is shared at the next gradient sync; from then on
    // stopRequested() is true on every rank, after the same batch.
    void setCancel(const CancelToken* cancel) { m_cancel = cancel; }
    bool stopRequested() const { return m_stopRequested; }

    // Rows [begin, end) split into worldSize() contiguous parts, sizes differing by at most
    // one, rank 0 first. Pure arithmetic: every rank can compute every rank's shard.
    BatchShard shard(int64_t begin, int64_t end) const {
        return shardOf(m_config.rank, m_config.worldSize, begin, end);
    }
    static BatchShard shardOf(int rank, int worldSize, int64_t begin, int64_t end);

    // --- LibTorch side (core/nn) -----------------------------------------------------------
    // Overwrites each tensor with rank 0's values (in place, no autograd).
    void broadcastParameters(const std::vector<at::Tensor>& tensors);
    // After backward: each parameter's gradient becomes the sum over ranks (undefined
    // gradients count as zeros and are defined afterwards). Returns the sum over ranks of
    // `lossShare`: the global batch's loss when each rank passes its share. One collective.
    double allReduceGradients(const std::vector<at::Tensor>& params, double lossShare);
    // The same exchange for a step whose gradients travel otherwise (gatherRows).
    double allReduceLoss(double lossShare);
    // Every rank's rows of the global batch [begin, end), concatenated in rank order: `local`
    // has shard(begin, end).size() rows (any trailing shape, same on every rank). No autograd.
    at::Tensor gatherRows(const at::Tensor& local, int64_t begin, int64_t end);
    // gatherRows with a gradient, for a loss that every rank computes identically from the
    // gathered batch (in-batch negatives): backward hands this rank's rows worldSize() times
    // their gradient, so that with each rank's loss share 1 / worldSize() the summed
    // gradients are exactly those of one process on the whole batch.
    at::Tensor gatherRowsForLoss(const at::Tensor& local, int64_t begin, int64_t end);

    // --- LibTorch-free side (EpochTrainer) -------------------------------------------------
    // Rank 0's `values` on every rank (others pass a vector of the same length).
    std::vector<double> broadcastValues(const std::vector<double>& values);

    // A rank that fails leaves the reason in the store before it exits, so the others can
    // name it. Never throws.
    void reportFailure(const std::string& message) noexcept;

private:
    DataParallel(const DistConfig& config, std::string device);
    void rendezvous();
    void startHeartbeat();
    void stopHeartbeat();
    // Turns a failed collective into the message every rank ends with. Marks the group broken.
    [[noreturn]] void fail(const std::string& operation, const std::string& what);
    // Runs `collective`; a failure ends up in fail().
    template <typename Fn>
    void guarded(const char* operation, Fn&& collective);

    DistConfig m_config;
    std::string m_device;
    std::string m_backendName;
    std::unique_ptr<C10dBackend> m_store;  // store + process group
    const CancelToken* m_cancel = nullptr;
    bool m_stopRequested = false;
    bool m_broken = false;
    bool m_failureReported = false;

    // The heartbeat thread's state is shared with it, not owned here: a thread stuck in a
    // store that stopped answering (rank 0 hung) is left behind rather than joined.
    struct Heartbeat;
    std::shared_ptr<Heartbeat> m_heartbeat;
};

// Model-side helpers that accept a null DataParallel (a plain single-process run), so a
// model's training step reads the same either way.
BatchShard localShard(const DataParallel* parallel, int64_t begin, int64_t end);
double syncGradients(DataParallel* parallel, const std::vector<at::Tensor>& params,
                     double lossShare);
void broadcastFromLeader(DataParallel* parallel, const std::vector<at::Tensor>& tensors);
// Share of a loss every rank computes in full (gatherRowsForLoss): 1 / worldSize, or 1.
double replicatedLossShare(const DataParallel* parallel);

}  // namespace recscope
