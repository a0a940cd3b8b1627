#include "core/nn/TwoTowerModel.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/eval/Evaluator.h"
#include "core/models/FoldIn.h"
#include "core/models/TrainData.h"
#include "core/nn/SasRecTraining.h"
#include "core/nn/TorchSupport.h"
#include "core/nn/TwoTowerNet.h"
#include "core/nn/TwoTowerState.h"
#include "core/nn/TwoTowerTraining.h"
#include "core/pipeline/ItemFeatures.h"
#include "core/split/Split.h"
#include "core/train/EpochTrainer.h"

namespace recscope {

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

// Bags from a model file (int64 tensors, checked for type by the caller): false unless the
// offsets are a valid CSR over the ids and every id is below `items`.
bool readBags(const torch::Tensor& offsets, const torch::Tensor& ids, int64_t items,
              std::vector<int64_t>& outOffsets, std::vector<int64_t>& outIds) {
    const auto o = offsets.contiguous();
    const auto i = ids.contiguous();
    outOffsets.assign(o.data_ptr<int64_t>(), o.data_ptr<int64_t>() + o.numel());
    outIds.assign(i.data_ptr<int64_t>(), i.data_ptr<int64_t>() + i.numel());
    return validOffsets(outOffsets, static_cast<int64_t>(outIds.size())) && validIds(outIds, items);
}

std::vector<float> tensorToVector(const torch::Tensor& t) {
    auto c = t.to(torch::kCPU).to(torch::kFloat).contiguous();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

}  // namespace

torch::Tensor TwoTowerModel::Impl::profileSums(const std::vector<int64_t>& users,
                                               const torch::Device& device,
                                               std::vector<float>& sizes) const {
    std::vector<int64_t> flat, offsets;
    sizes.clear();
    for (int64_t u : users) {
        offsets.push_back(static_cast<int64_t>(flat.size()));
        const int64_t b = profOffsets[static_cast<size_t>(u)];
        const int64_t e = profOffsets[static_cast<size_t>(u) + 1];
        flat.insert(flat.end(), profItems.begin() + b, profItems.begin() + e);
        sizes.push_back(static_cast<float>(e - b));
    }
    return net->profileSums(torch::tensor(flat, torch::kLong).to(device),
                            torch::tensor(offsets, torch::kLong).to(device));
}

torch::Tensor TwoTowerModel::Impl::profileMeans(const std::vector<int32_t>& users,
                                                const torch::Device& device) const {
    std::vector<float> sizes;
    const auto sums = profileSums(std::vector<int64_t>(users.begin(), users.end()), device, sizes);
    return sums / torch::tensor(sizes).to(device).clamp_min(1.0f).unsqueeze(1);
}

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
        torch::Tensor profile;
        if (net->hasProfile())
            profile = profileMeans(users, device);
        return net->sequenceUsers(idT, keep, paddedRows(rows, net->sequencePadding()).to(device),
                                  true, profile);
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
        {"mask_seen",
         T::Choice,
         "auto",
         0,
         0,
         {"auto", "true", "false"},
         "true: a batch item the row's user liked in training is no negative for that row "
         "(evaluation never ranks a user's training items); auto: true for the attention tower, "
         "false for the mean tower (on temporal splits it raised the attention tower's "
         "Recall@100 and lowered the mean tower's)"},
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
         "10",
         1,
         1000,
         {},
         "Attention tower: most recent training positives the attention reads (the profile "
         "reads them all); 10 beat 50 on ML-100K and ml-latest-small, temporal Recall@100"},
        {"blocks", T::Int, "2", 1, 12, {}, "Attention tower: transformer blocks"},
        {"heads",
         T::Int,
         "1",
         1,
         16,
         {},
         "Attention tower: heads per block (embedding must divide by it)"},
        {"refit",
         T::Bool,
         "false",
         0,
         0,
         {},
         "After early stopping, retrain on train + validation for the best epoch count (only "
         "under --fit-on auto)"},
        {"seq_dropout",
         T::Float,
         "0.2",
         0.0,
         0.9,
         {},
         "Attention tower: dropout on its embeddings, attention weights and residual branches"},
        {"profile",
         T::Bool,
         "true",
         0,
         0,
         {},
         "Attention tower: also read the mean of every training positive of the user (order "
         "ignored, its own item table) beside the attention over the last seq_len; it carries "
         "the taste of a history longer than the window. false: the attention alone"},
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
    if (Status s = fitOnce(data, context, 0); !s)
        return s;
    // The validation part only chose the epoch count. Under the fit rule's "auto" (and only
    // then: docs/protocols.md, "What a model is fitted on"), `refit` retrains on train +
    // validation for that count, as sasrec does: the validation item is then the newest of the
    // history the attention tower reads before the test items.
    if (context.refitOnValidation && m_params.getBool("refit") && m_stats.validated && data.split &&
        !data.split->validation.empty() && !context.parallel) {
        if (context.observer)
            context.observer->onMessage("refitting on train + validation");
        try {
            const Split merged = withValidationInTrain(*data.split);
            const TrainData full = TrainData::build(merged, data.dataset);
            if (Status s = fitOnce(full, context, m_stats.bestEpoch); !s)
                return s;
            if (context.record)
                *context.record = {true, static_cast<int64_t>(merged.train.size())};
        } catch (const std::exception& e) {
            return makeError(std::string("two-tower training failed: ") + e.what());
        }
    }
    return {};
}

Status TwoTowerModel::fitOnce(const TrainData& data, const FitContext& context, int fixedEpochs) {
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
        m.config.profile = m.config.attention && p.getBool("profile");
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
            // The profile's bags: every training positive (sorted ids), uncapped, as fold-in
            // reads every item of the history it is given.
            if (m.config.profile) {
                m.profItems.assign(pos.indices.begin(), pos.indices.end());
                m.profOffsets.assign(pos.offsets.begin(), pos.offsets.end());
            }
            bool anyPair = false;
            for (int32_t u = 0; u < sequences.users() && !anyPair; ++u)
                anyPair = sequences.length(u) >= 2;
            if (!anyPair)
                return makeError(
                    "two-tower: user_tower=attention learns from consecutive positives, and no "
                    "user has two training positives");
        } else {
            for (int32_t u = 0; u < data.numUsers; ++u) {
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
        }
        m.fallback = popularityFallback(data.itemPopularity, data.numItems);

        const auto epochs =
            makeTwoTowerEpochs(m, data, p, device, context.seed, m_stats, context.parallel,
                               m.config.attention ? &sequences : nullptr);
        TrainConfig tc;
        tc.epochs = fixedEpochs > 0 ? fixedEpochs : static_cast<int>(p.getInt("epochs"));
        tc.patience = fixedEpochs > 0 ? 0 : static_cast<int>(p.getInt("patience"));
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
        auto summary = trainer.run(*epochs, context);
        if (!summary)
            return summary.status();
        m_stats.validated = summary->bestEpoch > 0;
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
        const auto device = m.net->parameters().front().device();
        // The profile: the mean over the distinct items, as a known user's bag holds each
        // positive once.
        torch::Tensor profile;
        if (m.net->hasProfile()) {
            std::vector<int64_t> bag(valid);
            std::sort(bag.begin(), bag.end());
            bag.erase(std::unique(bag.begin(), bag.end()), bag.end());
            profile = m.net->profileSums(torch::tensor(bag, torch::kLong).to(device),
                                         torch::zeros({1}, torch::kLong).to(device)) /
                      static_cast<double>(bag.size());
        }
        // The given order is the time order; the tower reads the newest seq_len items.
        if (static_cast<int64_t>(valid.size()) > m.config.seqLen)
            valid.erase(valid.begin(), valid.end() - m.config.seqLen);
        auto row = torch::tensor(valid, torch::kLong).unsqueeze(0).to(device);
        auto ids = torch::zeros({1}, torch::kLong).to(device);
        auto keep = torch::zeros({1}, torch::kFloat).to(device);
        v = m.net->sequenceUsers(ids, keep, row, true, profile).to(torch::kCPU).contiguous();
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
        if (m.config.profile) {
            archive.write("profile_offsets", torch::tensor(m.profOffsets, torch::kLong));
            archive.write("profile_items", torch::tensor(m.profItems, torch::kLong));
        }
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
        // A file from before the profile option holds the attention tower without it.
        auto saved = readParams(archive);
        saved.emplace("profile", "false");
        if (auto st = configure(saved); !st)
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
        m.config.profile = m.config.attention && m_params.getBool("profile");
        if (m.config.attention && (!m.config.history || m.config.embedding % m.config.heads != 0))
            return bad("attention tower settings are inconsistent");
        if (m.config.profile) {
            torch::Tensor po, pi;
            if (!archive.try_read("profile_offsets", po) || !archive.try_read("profile_items", pi))
                return bad("profile table is missing");
            if (!storageCovers(po) || !storageCovers(pi) || po.scalar_type() != torch::kLong ||
                pi.scalar_type() != torch::kLong || po.numel() != users + 1 ||
                !readBags(po, pi, items, m.profOffsets, m.profItems))
                return bad("profile table is damaged");
        }
        m.net = TwoTowerNet(m.config);
        if (Status s = loadModuleChecked(*m.net, archive, path); !s)
            return s;
        m.logTemperature = logT;
        if (!readBags(ho, hi, items, m.histOffsets, m.histItems))
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
