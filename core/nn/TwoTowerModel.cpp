#include "core/nn/TwoTowerModel.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include "core/dist/DataParallel.h"
#include "core/eval/Evaluator.h"
#include "core/models/FoldIn.h"
#include "core/models/TrainData.h"
#include "core/nn/InfoNceTensor.h"
#include "core/nn/SasRecTraining.h"
#include "core/nn/TorchSupport.h"
#include "core/nn/TwoTowerNet.h"
#include "core/pipeline/ItemFeatures.h"
#include "core/split/Split.h"
#include "core/train/EpochTrainer.h"

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

    // Recomputes every user and item vector from the network (no grad, CPU floats).
    void refreshVectors(const torch::Device& device);
    // keepIds: per row, 1 keeps the user ID embedding, 0 drops it (ID dropout); empty keeps
    // every row's.
    torch::Tensor userTower(const std::vector<int32_t>& users, const std::vector<int32_t>& exclude,
                            const std::vector<float>& keepIds, const torch::Device& device) const;
};

namespace {

std::vector<float> popularityFallback(const std::vector<int64_t>& popularity, int32_t numItems) {
    std::vector<float> out(static_cast<size_t>(numItems), -1.0f);
    double maxLog = 0.0;
    for (int32_t i = 0; i < numItems && i < static_cast<int32_t>(popularity.size()); ++i)
        maxLog = std::max(maxLog, std::log1p(static_cast<double>(popularity[i])));
    if (maxLog <= 0.0)
        return out;
    for (int32_t i = 0; i < numItems && i < static_cast<int32_t>(popularity.size()); ++i)
        out[i] =
            static_cast<float>(2.0 * std::log1p(static_cast<double>(popularity[i])) / maxLog - 1.0);
    return out;
}

std::vector<float> tensorToVector(const torch::Tensor& t) {
    auto c = t.to(torch::kCPU).to(torch::kFloat).contiguous();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

}  // namespace

torch::Tensor TwoTowerModel::Impl::userTower(const std::vector<int32_t>& users,
                                             const std::vector<int32_t>& exclude,
                                             const std::vector<float>& keepIds,
                                             const torch::Device& device) const {
    const int64_t b = static_cast<int64_t>(users.size());
    std::vector<int64_t> ids(users.begin(), users.end());
    auto idT = torch::tensor(ids, torch::kLong).to(device);
    torch::Tensor keep;
    if (!keepIds.empty())
        keep = torch::tensor(keepIds).to(device);
    if (config.attention) {
        std::vector<std::vector<int64_t>> rows(static_cast<size_t>(b));
        for (int64_t r = 0; r < b; ++r) {
            const int32_t u = users[static_cast<size_t>(r)];
            rows[static_cast<size_t>(r)].assign(histItems.begin() + histOffsets[u],
                                                histItems.begin() + histOffsets[u + 1]);
        }
        // A user without positives gets an all-padding row: finite, and never read.
        return net->sequenceUsers(idT, keep, paddedRows(rows, net->sequencePadding()).to(device),
                                  true);
    }
    torch::Tensor bagItems, bagOffsets;
    if (config.history) {
        std::vector<int64_t> flat, offsets;
        offsets.reserve(static_cast<size_t>(b));
        for (int64_t r = 0; r < b; ++r) {
            offsets.push_back(static_cast<int64_t>(flat.size()));
            const int32_t u = users[static_cast<size_t>(r)];
            const int32_t skip = exclude.empty() ? -1 : exclude[static_cast<size_t>(r)];
            for (int64_t p = histOffsets[u]; p < histOffsets[u + 1]; ++p)
                if (histItems[static_cast<size_t>(p)] != skip)
                    flat.push_back(histItems[static_cast<size_t>(p)]);
        }
        bagItems = torch::tensor(flat, torch::kLong).to(device);
        bagOffsets = torch::tensor(offsets, torch::kLong).to(device);
    }
    return net->users(idT, keep, bagItems, bagOffsets);
}

void TwoTowerModel::Impl::refreshVectors(const torch::Device& device) {
    torch::NoGradGuard noGrad;
    net->eval();
    const int64_t chunk = 4096;
    itemVecs.assign(static_cast<size_t>(numItems) * dim, 0.0f);
    for (int64_t s = 0; s < numItems; s += chunk) {
        const int64_t e = std::min<int64_t>(numItems, s + chunk);
        auto ids = torch::arange(s, e, torch::kLong).to(device);
        auto v = tensorToVector(net->items(ids));
        std::copy(v.begin(), v.end(), itemVecs.begin() + s * dim);
    }
    userVecs.assign(static_cast<size_t>(numUsers) * dim, 0.0f);
    for (int64_t s = 0; s < numUsers; s += chunk) {
        const int64_t e = std::min<int64_t>(numUsers, s + chunk);
        std::vector<int32_t> users(static_cast<size_t>(e - s));
        std::iota(users.begin(), users.end(), static_cast<int32_t>(s));
        auto v = tensorToVector(userTower(users, {}, {}, device));
        for (int64_t u = s; u < e; ++u)
            if (known[static_cast<size_t>(u)])
                std::copy(v.begin() + (u - s) * dim, v.begin() + (u - s + 1) * dim,
                          userVecs.begin() + u * dim);
    }
    // Left in eval mode: const fold-in must not run the attention tower's dropout; the next
    // epoch (beginEpoch) switches back to training.
}

namespace {

// Adapter between the generic EpochTrainer and the two-tower network. The mean tower trains on
// (user, positive item) rows, each user's bag leaving the row's item out. The attention tower
// trains on windows of each user's time-ordered positives (`sequences`): the user vector after
// item t is paired with item t + 1, so a target is only ever predicted from what came before
// it; a batch holds whole windows, about batch_size targets in all. Both feed the same InfoNCE.
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
        m_opt = std::make_unique<torch::optim::Adam>(
            m_trainable,
            torch::optim::AdamOptions(p.getFloat("lr")).weight_decay(p.getFloat("weight_decay")));
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
        const auto y = paddedRows(targets, padding).to(m_device);
        const auto real = y.ne(padding);
        const auto userIds = torch::tensor(users, torch::kLong).to(m_device);
        torch::Tensor keepT;
        if (!keep.empty())
            keepT = torch::tensor(keep).to(m_device);
        // P real positions: the user vector after each input, the item that followed it.
        const auto u = m_impl.net->sequenceUsers(userIds, keepT, x, false).index({real});
        const auto rowUsers = userIds.unsqueeze(1).expand_as(y).index({real});
        const auto itemIds = y.index({real});
        const auto v = m_impl.net->items(itemIds);
        return step(u, v, rowUsers, itemIds, itemIds.size(0), t0);
    }

    double step(const torch::Tensor& u, const torch::Tensor& v, const torch::Tensor& userIds,
                const torch::Tensor& itemIds, int64_t rows,
                std::chrono::steady_clock::time_point t0) {
        torch::Tensor lq;
        if (m_logQ.defined())
            lq = m_logQ.index_select(0, itemIds);
        auto temp = m_impl.logTemperature.exp().clamp_min(0.005);
        auto loss = infoNceLossTensor(u, v, userIds, itemIds, lq, temp, m_mask);
        const double share = replicatedLossShare(m_parallel);
        m_opt->zero_grad();
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
    std::vector<std::pair<int32_t, int32_t>> m_rows;
    torch::Tensor m_logQ;
    DataParallel* m_parallel;
    const ItemSequences* m_sequences;
    std::vector<Window> m_windows;
    std::vector<int64_t> m_batchStarts;
    int64_t m_targets = 0;
    std::vector<torch::Tensor> m_trainable;
    std::unique_ptr<torch::optim::Adam> m_opt;
    std::vector<torch::Tensor> m_best;
};

}  // namespace

TwoTowerModel::TwoTowerModel() : m_impl(std::make_unique<Impl>()) {}
TwoTowerModel::~TwoTowerModel() = default;

std::vector<ParamSpec> TwoTowerModel::paramSpecs() const {
    using T = ParamType;
    auto specs = epochParamSpecs(12, 1024, 0.003, 0.0, 3);
    std::vector<ParamSpec> own = {
        {"dim", T::Int, "64", 4, 1024, {}, "Output vector size of both towers (cosine space)"},
        {"embedding", T::Int, "64", 4, 1024, {}, "ID embedding size"},
        {"depth", T::Int, "1", 0, 6, {}, "Hidden layers per tower MLP (0 = one linear layer)"},
        {"width", T::Int, "128", 4, 4096, {}, "Hidden layer width of the tower MLPs"},
        {"temperature",
         T::Float,
         "0.05",
         0.005,
         10.0,
         {},
         "InfoNCE temperature (initial value when learned)"},
        {"learn_temperature", T::Bool, "false", 0, 0, {}, "Learn the temperature by gradient"},
        {"mask_collisions",
         T::Bool,
         "true",
         0,
         0,
         {},
         "Do not treat the same item / same user's rows in a batch as negatives"},
        {"logq",
         T::Bool,
         "true",
         0,
         0,
         {},
         "logQ correction: subtract log sampling frequency of each in-batch item"},
        {"genres", T::Bool, "true", 0, 0, {}, "Genre multi-hot input on the item tower"},
        {"years", T::Bool, "true", 0, 0, {}, "Release-year bucket embedding on the item tower"},
        {"history",
         T::Bool,
         "true",
         0,
         0,
         {},
         "Mean of the user's history-item embeddings as user-tower input (enables fold-in)"},
        {"history_max",
         T::Int,
         "64",
         1,
         100000,
         {},
         "Mean tower: history items per user kept (seeded random subset beyond this)"},
        {"user_tower",
         T::Choice,
         "mean",
         0,
         0,
         {"mean", "attention"},
         "How the user tower reads the history. mean: the average of its item embeddings "
         "(order ignored); attention: SASRec's causal self-attention over the time-ordered "
         "positives, trained to predict each positive from the ones before it"},
        {"seq_len",
         T::Int,
         "50",
         1,
         1000,
         {},
         "Attention tower: most recent training positives a user is read from"},
        {"blocks", T::Int, "2", 1, 12, {}, "Attention tower: transformer blocks"},
        {"heads",
         T::Int,
         "1",
         1,
         16,
         {},
         "Attention tower: heads per block (embedding must divide by it)"},
        {"seq_dropout",
         T::Float,
         "0.2",
         0.0,
         0.9,
         {},
         "Attention tower: dropout on its embeddings, attention weights and residual branches"},
        {"user_dropout",
         T::Float,
         "0.1",
         0.0,
         1.0,
         {},
         "Probability of zeroing a row's user ID embedding in training"},
        {"validation_k",
         T::Int,
         "100",
         1,
         10000,
         {},
         "Early stopping watches validation recall at this K"},
    };
    specs.insert(specs.end(), own.begin(), own.end());
    return specs;
}

int32_t TwoTowerModel::numItems() const {
    return m_impl->numItems;
}
bool TwoTowerModel::canDistribute() const {
    const auto& values = m_params.values();
    const auto it = values.find("user_tower");
    return it == values.end() || it->second != "attention";
}

std::vector<int32_t> TwoTowerModel::userHistory(int32_t user) const {
    const auto& m = *m_impl;
    if (!knownUser(user) || static_cast<size_t>(user) + 1 >= m.histOffsets.size())
        return {};
    return {m.histItems.begin() + m.histOffsets[user],
            m.histItems.begin() + m.histOffsets[user + 1]};
}

int32_t TwoTowerModel::numUsers() const {
    return m_impl->numUsers;
}
int TwoTowerModel::dim() const {
    return m_impl->dim;
}
const float* TwoTowerModel::itemVectors() const {
    return m_impl->itemVecs.data();
}
const float* TwoTowerModel::userVectors() const {
    return m_impl->userVecs.data();
}
const float* TwoTowerModel::fallbackScores() const {
    return m_impl->fallback.data();
}
bool TwoTowerModel::knownUser(int32_t user) const {
    return user >= 0 && user < m_impl->numUsers && m_impl->known[static_cast<size_t>(user)];
}
double TwoTowerModel::temperature() const {
    return m_impl->logTemperature.defined() ? std::exp(m_impl->logTemperature.item<double>()) : 0.0;
}

Status TwoTowerModel::fit(const TrainData& data, const FitContext& context) {
    if (data.numItems <= 0 || data.positives.nnz() == 0)
        return makeError("two-tower: the training data has no positives");
    auto parsed = parseTorchDevice(context.device);
    if (!parsed)
        return parsed.error();
    const torch::Device device = parsed.value();
    try {
        const auto& p = m_params;
        prepareTorch(context.seed);
        auto& m = *m_impl;
        m = Impl{};
        m_stats = FitStats{};
        m.numUsers = data.numUsers;
        m.numItems = data.numItems;
        m.dim = static_cast<int>(p.getInt("dim"));
        const auto features = ItemFeatures::fromDataset(data.dataset, data.numItems);

        m.config.numUsers = data.numUsers;
        m.config.numItems = data.numItems;
        m.config.embedding = static_cast<int>(p.getInt("embedding"));
        m.config.dim = m.dim;
        m.config.depth = static_cast<int>(p.getInt("depth"));
        m.config.width = static_cast<int>(p.getInt("width"));
        m.config.numGenres = p.getBool("genres") ? features.numGenres : 0;
        m.config.years = p.getBool("years") && features.hasYears;
        m.config.history = p.getBool("history");
        m.config.attention = p.getString("user_tower") == "attention";
        m.config.seqLen = static_cast<int>(p.getInt("seq_len"));
        m.config.blocks = static_cast<int>(p.getInt("blocks"));
        m.config.heads = static_cast<int>(p.getInt("heads"));
        m.config.seqDropout = p.getFloat("seq_dropout");
        if (m.config.attention && !m.config.history)
            return makeError("two-tower: user_tower=attention reads the history: set history=true");
        if (m.config.attention && m.config.embedding % m.config.heads != 0)
            return makeError("two-tower: embedding (" + std::to_string(m.config.embedding) +
                             ") must be a multiple of heads (" + std::to_string(m.config.heads) +
                             ")");
        if (m.config.attention && context.parallel)
            return makeError("two-tower: user_tower=attention trains in one process only");
        m.net = TwoTowerNet(m.config);
        m.net->setItemFeatures(features);
        m.net->to(device);
        const bool learnT = p.getBool("learn_temperature");
        m.logTemperature = torch::tensor(std::log(p.getFloat("temperature")),
                                         torch::TensorOptions().dtype(torch::kFloat).device(device))
                               .set_requires_grad(learnT);

        // History bags: training positives, a seeded subset when longer than history_max.
        // The attention tower's: the last seq_len positives in time order.
        const auto& pos = data.positives;
        const int64_t cap = p.getInt("history_max");
        std::mt19937_64 rng(context.seed ^ 0x5eedULL);
        m.known.assign(static_cast<size_t>(data.numUsers), 0);
        m.histOffsets.assign(1, 0);
        ItemSequences sequences;
        if (m.config.attention) {
            sequences = timeOrderedSequences(data, true);
            const ItemSequences recent = lastItems(sequences, m.config.seqLen);
            m.histItems.assign(recent.items.begin(), recent.items.end());
            m.histOffsets = recent.offsets;
            for (int32_t u = 0; u < data.numUsers; ++u)
                m.known[static_cast<size_t>(u)] = recent.length(u) > 0 ? 1 : 0;
            bool anyPair = false;
            for (int32_t u = 0; u < sequences.users() && !anyPair; ++u)
                anyPair = sequences.length(u) >= 2;
            if (!anyPair)
                return makeError(
                    "two-tower: user_tower=attention learns from consecutive positives, and no "
                    "user has two training positives");
        }
        for (int32_t u = 0; u < data.numUsers && !m.config.attention; ++u) {
            std::vector<int64_t> row(pos.indices.begin() + pos.offsets[u],
                                     pos.indices.begin() + pos.offsets[u + 1]);
            m.known[static_cast<size_t>(u)] = row.empty() ? 0 : 1;
            if (static_cast<int64_t>(row.size()) > cap) {
                std::shuffle(row.begin(), row.end(), rng);
                row.resize(static_cast<size_t>(cap));
                std::sort(row.begin(), row.end());
            }
            m.histItems.insert(m.histItems.end(), row.begin(), row.end());
            m.histOffsets.push_back(static_cast<int64_t>(m.histItems.size()));
        }
        m.fallback = popularityFallback(data.itemPopularity, data.numItems);

        TwoTowerEpochs epochs(m, data, p, device, context.seed, m_stats, context.parallel,
                              m.config.attention ? &sequences : nullptr);
        TrainConfig tc;
        tc.epochs = static_cast<int>(p.getInt("epochs"));
        tc.patience = static_cast<int>(p.getInt("patience"));
        tc.learningRate = p.getFloat("lr");
        const int valK = static_cast<int>(p.getInt("validation_k"));
        tc.metric = "recall@" + std::to_string(valK);
        EpochTrainer trainer(tc);
        const bool hasValidation = data.split && !data.split->validation.empty();
        if (tc.patience > 0 && hasValidation) {
            trainer.setSampledValidation(
                [this, &data, valK, cancel = context.cancel](std::vector<int32_t> users) {
                    return [this, &data, valK, cancel,
                            users = std::move(users)]() -> Result<std::map<std::string, double>> {
                        // The vectors were refreshed by TwoTowerEpochs::prepareScoring().
                        EvalConfig ec;
                        ec.ks = {10, valK};
                        ec.keepPerUser = false;
                        ec.users = users;
                        auto r = evaluate(*this, data, EvalPart::Validation, ec, cancel);
                        if (!r)
                            return r.error();
                        return r->metrics;
                    };
                },
                validationSample(data, p, context.seed));
        }
        trainer.setWatchModel(this, &data);
        auto summary = trainer.run(epochs, context);
        if (!summary)
            return summary.status();
        m_stats.bestEpoch = summary->bestEpoch > 0 ? summary->bestEpoch : summary->epochsRun;
        m.refreshVectors(device);
    } catch (const std::exception& e) {
        return makeError(std::string("two-tower training failed: ") + e.what());
    }
    return {};
}

void TwoTowerModel::scoreUsers(const int32_t* users, int64_t n, float* out) const {
    const auto& m = *m_impl;
    const int32_t ni = m.numItems;
    const int d = m.dim;
    if (n <= 0 || ni <= 0)
        return;
    // One matrix product straight into `out` (unknown users' rows are zero vectors there),
    // then the fallback rows: no n x items temporary.
    torch::NoGradGuard g;
    auto uq = torch::zeros({n, d}, torch::kFloat);
    float* uqp = uq.data_ptr<float>();
    for (int64_t r = 0; r < n; ++r)
        if (knownUser(users[r]))
            std::copy_n(m.userVecs.begin() + static_cast<int64_t>(users[r]) * d, d, uqp + r * d);
    auto iv = torch::from_blob(const_cast<float*>(m.itemVecs.data()), {ni, d}, torch::kFloat);
    auto scores = torch::from_blob(out, {n, ni}, torch::kFloat);
    torch::mm_out(scores, uq, iv.t());
    for (int64_t r = 0; r < n; ++r)
        if (!knownUser(users[r]))
            std::copy(m.fallback.begin(), m.fallback.end(), out + r * ni);
}

void TwoTowerModel::historyVector(const int32_t* items, int64_t n, float* out) const {
    const auto& m = *m_impl;
    const int d = m.dim;
    std::vector<int64_t> valid;
    for (int64_t k = 0; k < n; ++k)
        if (items[k] >= 0 && items[k] < m.numItems)
            valid.push_back(items[k]);
    std::fill(out, out + d, 0.0f);
    if (valid.empty() || !m.net)
        return;
    torch::NoGradGuard g;
    torch::Tensor v;
    if (m.config.attention) {
        // The given order is the time order; the tower reads the newest seq_len items.
        if (static_cast<int64_t>(valid.size()) > m.config.seqLen)
            valid.erase(valid.begin(), valid.end() - m.config.seqLen);
        const auto device = m.net->parameters().front().device();
        auto row = torch::tensor(valid, torch::kLong).unsqueeze(0).to(device);
        auto ids = torch::zeros({1}, torch::kLong).to(device);
        auto keep = torch::zeros({1}, torch::kFloat).to(device);
        v = m.net->sequenceUsers(ids, keep, row, true).to(torch::kCPU).contiguous();
    } else if (m.config.history) {
        const auto device = m.net->parameters().front().device();
        auto bag = torch::tensor(valid, torch::kLong).to(device);
        auto offsets = torch::zeros({1}, torch::kLong).to(device);
        auto ids = torch::zeros({1}, torch::kLong).to(device);
        auto keep = torch::zeros({1}, torch::kFloat).to(device);
        // The net is in train mode only inside fit(); const scoring never mutates it.
        v = m.net->users(ids, keep, bag, offsets).to(torch::kCPU).contiguous();
    } else {
        auto all =
            torch::from_blob(const_cast<float*>(m.itemVecs.data()), {m.numItems, d}, torch::kFloat);
        v = torch::nn::functional::normalize(
                all.index_select(0, torch::tensor(valid, torch::kLong)).mean(0, true),
                torch::nn::functional::NormalizeFuncOptions().dim(1))
                .contiguous();
    }
    std::copy(v.data_ptr<float>(), v.data_ptr<float>() + d, out);
}

Status TwoTowerModel::scoreHistory(const std::vector<HistoryEntry>& history, float* out) const {
    const auto& m = *m_impl;
    if (!m.net || m.itemVecs.empty())
        return Status(notTrainedForFoldIn(name()));
    std::vector<int32_t> items;
    if (m.config.attention) {
        // A sequence: the positives in the given (time) order, repeats kept.
        for (const HistoryEntry& e : history)
            if (e.positive && e.item >= 0 && e.item < m.numItems)
                items.push_back(e.item);
    } else {
        items = historyItems(history, m.numItems, true);
    }
    scoreItemHistory(items.data(), static_cast<int64_t>(items.size()), out);
    return {};
}

EmbeddingTable TwoTowerModel::itemEmbeddings() const {
    const auto& m = *m_impl;
    if (m.itemVecs.empty())
        return {};
    return {m.numItems, m.dim, m.itemVecs};
}

EmbeddingTable TwoTowerModel::userEmbeddings() const {
    const auto& m = *m_impl;
    if (m.userVecs.empty())
        return {};
    return {m.numUsers, m.dim, m.userVecs};
}

bool TwoTowerModel::itemSimilarities(int32_t item, const int32_t* items, int64_t n,
                                     float* out) const {
    const auto& m = *m_impl;
    embeddingCosines(m.itemVecs.data(), m.itemVecs.empty() ? 0 : m.numItems, m.dim, item, items, n,
                     out);
    return true;
}

void TwoTowerModel::scoreItemHistory(const int32_t* items, int64_t n, float* out) const {
    const auto& m = *m_impl;
    const int d = m.dim;
    std::vector<float> u(static_cast<size_t>(d));
    historyVector(items, n, u.data());
    bool any = false;
    for (float x : u)
        any = any || x != 0.0f;
    if (!any) {
        std::copy(m.fallback.begin(), m.fallback.end(), out);
        return;
    }
    for (int32_t i = 0; i < m.numItems; ++i) {
        const float* v = m.itemVecs.data() + static_cast<int64_t>(i) * d;
        float s = 0.0f;
        for (int k = 0; k < d; ++k)
            s += u[static_cast<size_t>(k)] * v[k];
        out[i] = s;
    }
}

Status TwoTowerModel::save(const std::string& path) const {
    const auto& m = *m_impl;
    if (!m.net)
        return makeError("two-tower: nothing to save before fit()");
    try {
        torch::serialize::OutputArchive archive;
        saveModuleOnCpu(*m.net, archive);  // CPU copies: reloads anywhere
        writeParams(archive, m_params);
        archive.write("shape", torch::tensor({static_cast<int64_t>(m.numUsers),
                                              static_cast<int64_t>(m.numItems),
                                              static_cast<int64_t>(m.config.numGenres),
                                              static_cast<int64_t>(m.config.years)}));
        archive.write("log_temperature", m.logTemperature.detach().to(torch::kCPU));
        archive.write("hist_offsets", torch::tensor(m.histOffsets, torch::kLong));
        archive.write("hist_items", torch::tensor(m.histItems, torch::kLong));
        archive.write("known", torch::tensor(std::vector<int64_t>(m.known.begin(), m.known.end())));
        archive.write("fallback", torch::tensor(m.fallback));
        archive.save_to(path);
    } catch (const std::exception& e) {
        return makeError(std::string("two-tower save failed: ") + e.what(), path);
    }
    return {};
}

Status TwoTowerModel::load(const std::string& path) {
    try {
        torch::serialize::InputArchive archive;
        if (Status s = loadCheckedArchive(archive, path); !s)
            return s;
        if (auto st = configure(readParams(archive)); !st)
            return Status(makeError(st.error().message, path));
        // The item-feature buffers travel inside the module state.
        torch::Tensor shape, logT, ho, hi, known, fallback;
        archive.read("shape", shape);
        archive.read("log_temperature", logT);
        archive.read("hist_offsets", ho);
        archive.read("hist_items", hi);
        archive.read("known", known);
        archive.read("fallback", fallback);
        // A model file is untrusted: every number that later indexes an array is checked.
        const auto bad = [&path](const std::string& what) {
            return Status(makeError("two-tower: the model file's " + what, path));
        };
        for (const torch::Tensor* t : {&shape, &logT, &ho, &hi, &known, &fallback})
            if (!storageCovers(*t))
                return bad("tables are damaged (data shorter than their shape)");
        if (shape.numel() < 4 || shape.scalar_type() != torch::kLong)
            return bad("shape record is damaged");
        const int64_t users = shape[0].item<int64_t>(), items = shape[1].item<int64_t>();
        if (users < 0 || items < 1 || users > (int64_t(1) << 31) - 2 ||
            items > (int64_t(1) << 31) - 2 || shape[2].item<int64_t>() < 0 ||
            shape[2].item<int64_t>() > 4096)
            return bad("shape record is out of range");
        if (ho.scalar_type() != torch::kLong || hi.scalar_type() != torch::kLong ||
            ho.numel() != users + 1 || known.numel() != users || fallback.numel() != items ||
            logT.numel() != 1)
            return bad("tables do not match its " + std::to_string(users) + " users and " +
                       std::to_string(items) + " items");
        Impl m;
        m.numUsers = static_cast<int32_t>(users);
        m.numItems = static_cast<int32_t>(items);
        m.dim = static_cast<int>(m_params.getInt("dim"));
        m.config.numUsers = m.numUsers;
        m.config.numItems = m.numItems;
        m.config.embedding = static_cast<int>(m_params.getInt("embedding"));
        m.config.dim = m.dim;
        m.config.depth = static_cast<int>(m_params.getInt("depth"));
        m.config.width = static_cast<int>(m_params.getInt("width"));
        m.config.numGenres = static_cast<int>(shape[2].item<int64_t>());
        m.config.years = shape[3].item<int64_t>() != 0;
        m.config.history = m_params.getBool("history");
        m.config.attention = m_params.getString("user_tower") == "attention";
        m.config.seqLen = static_cast<int>(m_params.getInt("seq_len"));
        m.config.blocks = static_cast<int>(m_params.getInt("blocks"));
        m.config.heads = static_cast<int>(m_params.getInt("heads"));
        m.config.seqDropout = m_params.getFloat("seq_dropout");
        if (m.config.attention && (!m.config.history || m.config.embedding % m.config.heads != 0))
            return bad("attention tower settings are inconsistent");
        m.net = TwoTowerNet(m.config);
        if (Status s = loadModuleChecked(*m.net, archive, path); !s)
            return s;
        m.logTemperature = logT;
        auto hoc = ho.contiguous();
        auto hic = hi.contiguous();
        m.histOffsets.assign(hoc.data_ptr<int64_t>(), hoc.data_ptr<int64_t>() + hoc.numel());
        m.histItems.assign(hic.data_ptr<int64_t>(), hic.data_ptr<int64_t>() + hic.numel());
        if (!validOffsets(m.histOffsets, int64_t(m.histItems.size())) ||
            !validIds(m.histItems, items))
            return bad("history table is damaged");
        for (int32_t u = 0; m.config.attention && u < m.numUsers; ++u)
            if (m.histOffsets[u + 1] - m.histOffsets[u] > m.config.seqLen)
                return bad("history table is longer than seq_len");
        auto kc = known.contiguous();
        m.known.assign(static_cast<size_t>(m.numUsers), 0);
        for (int32_t u = 0; u < m.numUsers && u < kc.numel(); ++u)
            m.known[static_cast<size_t>(u)] = kc.data_ptr<int64_t>()[u] != 0;
        m.fallback = tensorToVector(fallback);
        m.refreshVectors(torch::kCPU);
        *m_impl = std::move(m);
    } catch (const std::exception& e) {
        return makeError(std::string("two-tower load failed: ") + e.what(), path);
    }
    return {};
}

}  // namespace recscope
