#include "core/nn/TwoTowerTraining.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <utility>
#include <vector>

#include "core/dist/DataParallel.h"
#include "core/models/Params.h"
#include "core/models/TrainData.h"
#include "core/nn/InfoNceTensor.h"
#include "core/nn/RowSparseAdam.h"
#include "core/nn/SasRecTraining.h"
#include "core/nn/TwoTowerState.h"

namespace recscope {

namespace {

// Adapter between the generic EpochTrainer and the two-tower network. The mean tower trains on
// (user, positive item) rows, each user's bag leaving the row's item out. The attention tower
// trains on windows of each user's time-ordered positives (`sequences`): the user vector after
// item t is paired with item t + 1, so a target is only ever predicted from what came before
// it (with a profile, the mean over the user's other positives, as the mean tower's bag); a
// batch holds whole windows, about batch_size targets in all. Both feed the same InfoNCE.
class TwoTowerEpochs : public EpochModel {
public:
    TwoTowerEpochs(TwoTowerModel::Impl& impl, const TrainData& data, const ParamValues& p,
                   torch::Device device, uint64_t seed, FitStats& stats, DataParallel* parallel,
                   const ItemSequences* sequences)
        : m_impl(impl),
          m_data(data),
          m_device(device),
          m_rng(seed),
          m_stats(stats),
          m_parallel(parallel),
          m_sequences(sequences) {
        m_batch = p.getInt("batch_size");
        m_dropout = p.getFloat("user_dropout");
        m_mask = p.getBool("mask_collisions");
        if (p.values().count("mask_seen")) {
            const std::string seen = p.getString("mask_seen");
            m_maskSeen = seen == "true" || (seen == "auto" && m_sequences != nullptr);
        }
        const auto& pos = data.positives;
        if (m_sequences) {
            // Windows of at most seqLen targets, cut from the newest end (as SASRec's).
            const int64_t maxLen = impl.config.seqLen;
            for (int32_t u = 0; u < m_sequences->users(); ++u)
                for (int64_t end = m_sequences->length(u) - 1; end >= 1;) {
                    const int64_t length = std::min(maxLen, end);
                    m_windows.push_back({u, end, length});
                    m_targets += length;
                    end -= length;
                }
        } else {
            m_rows.reserve(static_cast<size_t>(pos.nnz()));
            for (int32_t u = 0; u < pos.rows; ++u)
                for (int64_t k = pos.offsets[u]; k < pos.offsets[u + 1]; ++k)
                    m_rows.push_back({u, pos.indices[static_cast<size_t>(k)]});
            m_targets = static_cast<int64_t>(m_rows.size());
        }
        if (p.getBool("logq")) {
            std::vector<float> lq(static_cast<size_t>(data.numItems), 0.0f);
            const double total = static_cast<double>(std::max<int64_t>(1, pos.nnz()));
            for (int32_t i = 0; i < data.numItems; ++i) {
                const double c = i < static_cast<int32_t>(data.itemPopularity.size())
                                     ? static_cast<double>(data.itemPopularity[i])
                                     : 0.0;
                lq[static_cast<size_t>(i)] = static_cast<float>(std::log(std::max(c, 1.0) / total));
            }
            m_logQ = torch::tensor(lq).to(device);
        }
        m_trainable = impl.net->parameters();
        if (impl.logTemperature.requires_grad())
            m_trainable.push_back(impl.logTemperature);
        broadcastFromLeader(m_parallel, m_trainable);
        m_opt = std::make_unique<TableAwareAdam>(m_trainable, impl.net->embeddingTables(),
                                                 p.getFloat("lr"), p.getFloat("weight_decay"));
    }

    int64_t beginEpoch(int epoch) override {
        m_impl.net->train();
        ++m_stats.epochs;
        if (!m_sequences) {
            std::shuffle(m_rows.begin(), m_rows.end(), m_rng);
            return std::max<int64_t>(1,
                                     (static_cast<int64_t>(m_rows.size()) + m_batch - 1) / m_batch);
        }
        std::shuffle(m_windows.begin(), m_windows.end(), m_rng);
        m_batchStarts.assign(1, 0);
        int64_t targets = 0;
        for (size_t w = 0; w < m_windows.size(); ++w) {
            if (targets > 0 && targets + m_windows[w].length > m_batch) {
                m_batchStarts.push_back(static_cast<int64_t>(w));
                targets = 0;
            }
            targets += m_windows[w].length;
        }
        m_batchStarts.push_back(static_cast<int64_t>(m_windows.size()));
        return static_cast<int64_t>(m_batchStarts.size()) - 1;
    }

    double trainBatch(int64_t batch) override {
        return m_sequences ? trainWindows(batch) : trainRows(batch);
    }

    // scoreUsers() reads the cached vectors: validation and the watch list need this epoch's.
    void prepareScoring() override { m_impl.refreshVectors(m_device); }

    int64_t epochSamples() const override { return m_targets; }

    void snapshot() override {
        torch::NoGradGuard g;
        m_best.clear();
        for (const auto& p : m_impl.net->parameters())
            m_best.push_back(p.detach().clone());
        m_best.push_back(m_impl.logTemperature.detach().clone());
    }
    void restoreSnapshot() override {
        torch::NoGradGuard g;
        auto params = m_impl.net->parameters();
        for (size_t i = 0; i < params.size(); ++i)
            params[i].copy_(m_best[i]);
        m_impl.logTemperature.copy_(m_best.back());
    }

private:
    struct Window {
        int32_t user;
        int64_t end;     // index of the last target in the user's sequence
        int64_t length;  // targets: sequence[end - length + 1 .. end]
    };

    // ID dropout, drawn for the whole batch on every rank: the random stream (and with it the
    // next epoch's shuffle) stays the same on all ranks, and the same as one process's.
    std::vector<float> drawKeep(size_t n) {
        std::vector<float> keep;
        if (m_dropout > 0.0) {
            std::bernoulli_distribution drop(m_dropout);
            keep.resize(n);
            for (auto& k : keep)
                k = drop(m_rng) ? 0.0f : 1.0f;
        }
        return keep;
    }

    double trainRows(int64_t batch) {
        const auto t0 = std::chrono::steady_clock::now();
        const int64_t s = batch * m_batch;
        const int64_t e = std::min<int64_t>(static_cast<int64_t>(m_rows.size()), s + m_batch);
        std::vector<int32_t> users, items;
        users.reserve(static_cast<size_t>(e - s));
        items.reserve(static_cast<size_t>(e - s));
        for (int64_t r = s; r < e; ++r) {
            users.push_back(m_rows[static_cast<size_t>(r)].first);
            items.push_back(m_rows[static_cast<size_t>(r)].second);
        }
        const std::vector<float> keep = drawKeep(users.size());
        auto itemIds = torch::tensor(std::vector<int64_t>(items.begin(), items.end()), torch::kLong)
                           .to(m_device);
        auto userIds = torch::tensor(std::vector<int64_t>(users.begin(), users.end()), torch::kLong)
                           .to(m_device);
        // Data-parallel: the towers run on this rank's shard; the in-batch softmax needs the
        // whole batch, so their outputs are gathered with their gradient and every rank
        // computes the same loss, its share 1 / world size.
        const BatchShard mine = localShard(m_parallel, s, e);
        torch::Tensor u, v;
        if (mine.empty()) {
            u = torch::zeros({0, m_impl.dim}, torch::TensorOptions().device(m_device));
            v = u;
        } else {
            const auto a = static_cast<size_t>(mine.begin - s);
            const auto z = static_cast<size_t>(mine.end - s);
            const std::vector<int32_t> myUsers(users.begin() + a, users.begin() + z);
            const std::vector<int32_t> myItems(items.begin() + a, items.begin() + z);
            const std::vector<float> myKeep =
                keep.empty() ? keep : std::vector<float>(keep.begin() + a, keep.begin() + z);
            u = m_impl.userTower(myUsers, myItems, myKeep, m_device);
            v = m_impl.net->items(itemIds.narrow(0, int64_t(a), mine.size()));
        }
        if (m_parallel) {
            u = m_parallel->gatherRowsForLoss(u, s, e);
            v = m_parallel->gatherRowsForLoss(v, s, e);
        }
        return step(u, v, userIds, itemIds, e - s, t0);
    }

    // One batch of windows (one process: TwoTowerModel::canDistribute() is false for them).
    double trainWindows(int64_t batch) {
        const auto t0 = std::chrono::steady_clock::now();
        const int64_t first = m_batchStarts[static_cast<size_t>(batch)];
        const int64_t last = m_batchStarts[static_cast<size_t>(batch) + 1];
        std::vector<std::vector<int64_t>> inputs, targets;
        std::vector<int64_t> users;
        for (int64_t w = first; w < last; ++w) {
            const Window& win = m_windows[static_cast<size_t>(w)];
            const int32_t* seq = m_sequences->begin(win.user);
            inputs.emplace_back(seq + win.end - win.length, seq + win.end);
            targets.emplace_back(seq + win.end - win.length + 1, seq + win.end + 1);
            users.push_back(win.user);
        }
        const std::vector<float> keep = drawKeep(users.size());
        const int64_t padding = m_impl.net->sequencePadding();
        const auto x = paddedRows(inputs, padding).to(m_device);
        const auto yHost = paddedRows(targets, padding);
        const auto y = yHost.to(m_device);
        const auto real = y.ne(padding);
        const auto userIds = torch::tensor(users, torch::kLong).to(m_device);
        torch::Tensor keepT;
        if (!keep.empty())
            keepT = torch::tensor(keep).to(m_device);
        // P real positions: the user vector after each input, the item that followed it.
        const auto profile =
            m_impl.net->hasProfile() ? windowProfiles(users, yHost, y, padding) : torch::Tensor();
        const auto u = m_impl.net->sequenceUsers(userIds, keepT, x, false, profile).index({real});
        const auto rowUsers = userIds.unsqueeze(1).expand_as(y).index({real});
        const auto itemIds = y.index({real});
        const auto v = m_impl.net->items(itemIds);
        return step(u, v, rowUsers, itemIds, itemIds.size(0), t0);
    }

    // The profile input of every position of a batch of windows: the mean over the user's
    // training positives with the position's target left out, as the mean tower leaves a
    // row's item out of its bag. targets: B x L, padding where none; on the host (read here)
    // and on the device.
    torch::Tensor windowProfiles(const std::vector<int64_t>& users,
                                 const torch::Tensor& hostTargets, const torch::Tensor& targets,
                                 int64_t padding) {
        const int64_t b = static_cast<int64_t>(users.size());
        const int64_t width = hostTargets.size(1);
        const int64_t* target = hostTargets.data_ptr<int64_t>();
        std::vector<float> sizes, inBag(static_cast<size_t>(b * width), 0.0f);
        const auto sums = m_impl.profileSums(users, m_device, sizes);
        for (int64_t r = 0; r < b; ++r) {
            const auto u = static_cast<size_t>(users[static_cast<size_t>(r)]);
            const auto first = m_impl.profItems.begin() + m_impl.profOffsets[u];
            const auto last = m_impl.profItems.begin() + m_impl.profOffsets[u + 1];
            for (int64_t c = 0; c < width; ++c) {
                const int64_t item = target[r * width + c];
                if (item != padding && std::binary_search(first, last, item))
                    inBag[static_cast<size_t>(r * width + c)] = 1.0f;
            }
        }
        const auto rows = m_impl.net->profileRows(targets.masked_fill(targets.eq(padding), 0));
        return leaveTargetOutMeans(sums, torch::tensor(sizes).to(m_device), rows,
                                   torch::tensor(inBag).view({b, width}).to(m_device));
    }

    double step(const torch::Tensor& u, const torch::Tensor& v, const torch::Tensor& userIds,
                const torch::Tensor& itemIds, int64_t rows,
                std::chrono::steady_clock::time_point t0) {
        torch::Tensor lq;
        if (m_logQ.defined())
            lq = m_logQ.index_select(0, itemIds);
        auto temp = m_impl.logTemperature.exp().clamp_min(0.005);
        const auto excluded = m_maskSeen
                                  ? seenNegatives(m_data.positives, userIds, itemIds).to(m_device)
                                  : torch::Tensor();
        auto loss = infoNceLossTensor(u, v, userIds, itemIds, lq, temp, m_mask, excluded);
        const double share = replicatedLossShare(m_parallel);
        m_opt->zeroGrad();
        if (loss.requires_grad())
            (loss * share).backward();
        const double value = syncGradients(m_parallel, m_trainable, loss.item<double>() * share);
        m_opt->step();
        m_stats.samples += rows;
        m_stats.seconds +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return value;
    }

    TwoTowerModel::Impl& m_impl;
    const TrainData& m_data;
    torch::Device m_device;
    std::mt19937_64 m_rng;
    FitStats& m_stats;
    int64_t m_batch = 1024;
    double m_dropout = 0.0;
    bool m_mask = true;
    bool m_maskSeen = false;
    std::vector<std::pair<int32_t, int32_t>> m_rows;
    torch::Tensor m_logQ;
    DataParallel* m_parallel;
    const ItemSequences* m_sequences;
    std::vector<Window> m_windows;
    std::vector<int64_t> m_batchStarts;
    int64_t m_targets = 0;
    std::vector<torch::Tensor> m_trainable;
    std::unique_ptr<TableAwareAdam> m_opt;
    std::vector<torch::Tensor> m_best;
};

}  // namespace

std::unique_ptr<EpochModel> makeTwoTowerEpochs(TwoTowerModel::Impl& impl, const TrainData& data,
                                               const ParamValues& params, torch::Device device,
                                               uint64_t seed, FitStats& stats,
                                               DataParallel* parallel,
                                               const ItemSequences* sequences) {
    return std::make_unique<TwoTowerEpochs>(impl, data, params, device, seed, stats, parallel,
                                            sequences);
}

}  // namespace recscope
