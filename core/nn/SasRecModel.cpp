#include "core/nn/SasRecModel.h"

#include <algorithm>

#include "core/models/FoldIn.h"
#include "core/models/TrainData.h"
#include "core/nn/SasRecNet.h"
#include "core/nn/SasRecTraining.h"
#include "core/nn/TorchSupport.h"
#include "core/split/Split.h"
#include "core/train/EpochTrainer.h"

namespace recscope {

namespace {

// Above this many items the full softmax's B*L x items logits get too big for a laptop's
// memory (and time): loss=auto switches to the sampled softmax.
constexpr int32_t kFullSoftmaxMaxItems = 20000;
// Users per forward pass when the hidden states of every user are recomputed.
constexpr int64_t kScoringChunk = 512;

const std::string kNetPrefix = "net.";

}  // namespace

struct SasRecModel::Impl {
    SasRecNetConfig config;
    // Mutable: LibTorch forward() is non-const although scoring does not change weights. Left
    // in eval mode outside fit(), so const calls never switch it.
    mutable SasRecNet net{nullptr};
    int32_t numUsers = 0;
    bool positivesOnly = false;
    int epochs = 0;
    ItemSequences recent;         // the last max_len fitted items of each user
    std::vector<float> userVecs;  // numUsers x dim; zero rows for users without a sequence
    std::vector<float> itemVecs;  // numItems x dim
    std::vector<float> fallback;  // numItems: training-positive counts

    bool known(int32_t user) const {
        return user >= 0 && user < recent.users() && recent.length(user) > 0;
    }

    // Hidden states after the last item of each row (non-empty, <= max_len items, oldest
    // first): rows.size() x dim floats.
    std::vector<float> lastStates(const std::vector<std::vector<int64_t>>& rows) const {
        torch::NoGradGuard noGrad;
        const auto device = net->itemTable().device();
        const auto x = paddedRows(rows, net->padding()).to(device);
        std::vector<float> out(rows.size() * static_cast<size_t>(config.dim));
        copyToHost(net->last(x), out.data());
        return out;
    }

    // n x numItems scores of n hidden states (row-major, caller-owned): the one product both
    // scoreUsers() and scoreHistory() use, so that a fold-in of a user's own sequence matches.
    void scoreStates(const float* states, int64_t n, float* out) const {
        torch::NoGradGuard noGrad;
        const int64_t d = config.dim;
        const int64_t items = config.numItems;
        auto s = torch::from_blob(const_cast<float*>(states), {n, d}, torch::kFloat);
        auto table =
            torch::from_blob(const_cast<float*>(itemVecs.data()), {items, d}, torch::kFloat);
        auto scores = torch::from_blob(out, {n, items}, torch::kFloat);
        torch::mm_out(scores, s, table.t());
    }

    // Recomputes the item table and every known user's hidden state from the network.
    void refreshVectors() {
        torch::NoGradGuard noGrad;
        net->eval();
        const int64_t d = config.dim;
        itemVecs.assign(static_cast<size_t>(config.numItems) * d, 0.0f);
        copyToHost(net->itemTable(), itemVecs.data());
        userVecs.assign(static_cast<size_t>(numUsers) * d, 0.0f);
        std::vector<int32_t> users;
        std::vector<std::vector<int64_t>> rows;
        auto flush = [&] {
            if (rows.empty())
                return;
            const auto states = lastStates(rows);
            for (size_t r = 0; r < users.size(); ++r)
                std::copy_n(states.begin() + static_cast<int64_t>(r) * d, d,
                            userVecs.begin() + static_cast<int64_t>(users[r]) * d);
            users.clear();
            rows.clear();
        };
        for (int32_t u = 0; u < numUsers; ++u) {
            if (!known(u))
                continue;
            users.push_back(u);
            rows.emplace_back(recent.begin(u), recent.begin(u) + recent.length(u));
            if (static_cast<int64_t>(rows.size()) == kScoringChunk)
                flush();
        }
        flush();
    }
};

namespace {

struct TrainOutcome {
    int epochs = 0;       // epochs the kept weights were trained for
    bool chosen = false;  // the count was chosen on validation (a refit may reuse it)
};

// The histories the network in `m` scores users from: the last max_len items of each user's
// time-ordered `sequences` (built from `data`), and the fallback for users without one.
void setHistories(SasRecModel::Impl& m, const TrainData& data, const ItemSequences& sequences) {
    m.numUsers = data.numUsers;
    m.recent = lastItems(sequences, m.config.maxLen);
    m.fallback = popularityScores(data);
}

// Trains a fresh, seeded network into `m` on `data`: with early stopping on the validation
// part, or exactly `fixedEpochs` epochs without validation. Leaves the cached vectors fresh.
Result<TrainOutcome> trainNetwork(SasRecModel::Impl& m, const Recommender& self,
                                  const ParamValues& p, const TrainData& data,
                                  const FitContext& context, torch::Device device,
                                  int fixedEpochs) {
    prepareTorch(context.seed);
    const ItemSequences sequences = timeOrderedSequences(data, m.positivesOnly);
    if (sequences.items.empty())
        return makeError("sasrec: the training part has no interactions");
    setHistories(m, data, sequences);
    // Built on the CPU, then moved: the same initial weights for every device.
    m.net = SasRecNet(m.config);
    m.net->to(device);
    const std::string lossName = p.getString("loss");
    const SasRecLoss loss =
        lossName == "full" || (lossName == "auto" && m.config.numItems <= kFullSoftmaxMaxItems)
            ? SasRecLoss::Full
            : SasRecLoss::Sampled;
    SasRecTraining training(m.net, sequences, p, loss, device, context.seed,
                            [&m] { m.refreshVectors(); });
    TrainConfig tc = epochTrainConfig(p);
    if (fixedEpochs > 0) {
        tc.epochs = fixedEpochs;
        tc.patience = 0;
    }
    EpochTrainer trainer(tc);
    if (fixedEpochs <= 0)
        trainer.setSampledValidation(
            [&](std::vector<int32_t> users) {
                return EpochTrainer::evaluatorValidation(self, data, context.cancel,
                                                         std::move(users));
            },
            validationSample(data, p, context.seed));
    trainer.setWatchModel(&self, &data);
    auto summary = trainer.run(training, context);
    m.net->eval();
    if (!summary)
        return summary.error();
    m.refreshVectors();
    TrainOutcome out;
    out.chosen = fixedEpochs <= 0 && summary->bestEpoch > 0;
    out.epochs =
        fixedEpochs > 0 ? fixedEpochs : (out.chosen ? summary->bestEpoch : summary->epochsRun);
    m.epochs = out.epochs;
    return out;
}

}  // namespace

SasRecModel::SasRecModel() : m_impl(std::make_unique<Impl>()) {}
SasRecModel::~SasRecModel() = default;

std::vector<ParamSpec> SasRecModel::paramSpecs() const {
    using T = ParamType;
    // Patience 10: the validation metric (one item per user) is noisy and SASRec still gains
    // after plateaus of five epochs. With 5, ml-latest-small seed 42 stopped at epoch 26
    // (test Recall@10 0.0725); with 10 it trained to the plateau's end (0.0956).
    auto specs = epochParamSpecs(200, 128, 0.001, 0.0, 10);
    for (auto& s : specs) {
        if (s.name == "epochs")
            s.help = "Maximum passes over every user's training sequence";
        else if (s.name == "batch_size")
            s.help = "Sequence windows (of at most max_len items) per optimizer step";
    }
    const std::vector<ParamSpec> own = {
        {"max_len",
         T::Int,
         "50",
         1,
         1000,
         {},
         "Most recent items a user is scored from; longer histories train as several windows"},
        {"dim", T::Int, "64", 4, 1024, {}, "Item, position and hidden size (a multiple of heads)"},
        {"blocks", T::Int, "2", 1, 12, {}, "Transformer blocks (self-attention + feed-forward)"},
        {"heads", T::Int, "1", 1, 16, {}, "Attention heads per block (dim must divide by it)"},
        {"dropout",
         T::Float,
         "0.2",
         0.0,
         0.9,
         {},
         "Dropout on embeddings, attention weights and residual branches (training only)"},
        {"sequence",
         T::Choice,
         "all",
         0,
         0,
         {"all", "positives"},
         "all: every training rating is an interaction (SASRec's setting); positives: ratings "
         ">= the split's threshold only"},
        {"loss",
         T::Choice,
         "auto",
         0,
         0,
         {"auto", "full", "sampled"},
         "Next-item objective. full: softmax cross-entropy over the whole catalogue; sampled: "
         "softmax over the target and `negatives` popularity-drawn items with logQ correction; "
         "auto: full up to 20,000 items, sampled above (it improves more slowly per epoch: "
         "consider a larger patience)"},
        {"negatives",
         T::Int,
         "1024",
         1,
         1000000,
         {},
         "Sampled softmax: negatives drawn by training frequency per batch, shared by its rows"},
        {"targets",
         T::Choice,
         "all",
         0,
         0,
         {"all", "positives"},
         "What the model learns to predict. all: every next rating; positives: only items rated "
         ">= the split's threshold are targets, every rating stays in the input (the same as "
         "all when the threshold is 0)"},
        {"horizon",
         T::Int,
         "1",
         1,
         50,
         {},
         "Items ahead each position learns to predict: 1 = the next item (SASRec); more adds a "
         "cross-entropy term for each later item of the training sequence (a dense multi-step "
         "objective, for protocols that hold out several future items)"},
        {"mask_seen",
         T::Bool,
         "true",
         0,
         0,
         {},
         "Leave the items a user rated at or before a position out of that position's softmax "
         "(no competitors there), as evaluation leaves a user's training items out of the "
         "ranking; false: SASRec's original objective"},
        {"refit",
         T::Bool,
         "true",
         0,
         0,
         {},
         "After early stopping, add the validation part (only under --fit-on auto; how: "
         "refit_by): the validation item then precedes the test items in the history"},
        {"refit_by",
         T::Choice,
         "history",
         0,
         0,
         {"retraining", "history"},
         "How refit adds the validation part. history: the early-stopped network unchanged, "
         "each user's validation items only appended to the history it reads (no second "
         "training); retraining: a fresh network trained on train + validation for the chosen "
         "epoch count (twice the time; on ML-100K temporal the same Recall@10)"},
    };
    specs.insert(specs.end(), own.begin(), own.end());
    return specs;
}

int32_t SasRecModel::numItems() const {
    return m_impl->config.numItems;
}

int SasRecModel::trainedEpochs() const {
    return m_impl->epochs;
}

Status SasRecModel::fit(const TrainData& data, const FitContext& context) {
    if (data.numItems <= 0)
        return makeError("sasrec: the training data has no items");
    const auto& p = m_params;
    if (p.getInt("dim") % p.getInt("heads") != 0)
        return makeError("sasrec: dim (" + std::to_string(p.getInt("dim")) +
                         ") must be a multiple of heads (" + std::to_string(p.getInt("heads")) +
                         ")");
    auto device = parseTorchDevice(context.device);
    if (!device)
        return device.error();
    try {
        auto& m = *m_impl;
        m = Impl{};
        m.positivesOnly = p.getString("sequence") == "positives";
        m.config.numItems = data.numItems;
        m.config.maxLen = static_cast<int>(p.getInt("max_len"));
        m.config.dim = static_cast<int>(p.getInt("dim"));
        m.config.blocks = static_cast<int>(p.getInt("blocks"));
        m.config.heads = static_cast<int>(p.getInt("heads"));
        m.config.dropout = p.getFloat("dropout");

        auto first = trainNetwork(m, *this, p, data, context, device.value(), 0);
        if (!first)
            return first.error();
        // The validation part only chose the epoch count. Under the fit rule's "auto" (and only
        // then: docs/protocols.md, "What a model is fitted on"), add it: each user's validation
        // item is the newest of their history, the one right before the test items, and a
        // sequence model reads the newest items most. By default the trained network just
        // reads it (refit_by=history); refit_by=retraining trains afresh on train + validation.
        if (context.refitOnValidation && p.getBool("refit") && first->chosen && data.split &&
            !data.split->validation.empty()) {
            if (context.observer)
                context.observer->onMessage(p.getString("refit_by") == "history"
                                                ? "adding the validation items to every "
                                                  "user's history (no retraining)"
                                                : "refitting on train + validation");
            const Split merged = withValidationInTrain(*data.split);
            const TrainData full = TrainData::build(merged, data.dataset);
            if (p.getString("refit_by") == "history") {
                setHistories(m, full, timeOrderedSequences(full, m.positivesOnly));
                m.refreshVectors();
            } else {
                auto second =
                    trainNetwork(m, *this, p, full, context, device.value(), first->epochs);
                if (!second)
                    return second.error();
            }
            if (context.record)
                *context.record = {true, static_cast<int64_t>(merged.train.size())};
        }
    } catch (const std::exception& e) {
        return makeError(std::string("sasrec training failed: ") + e.what());
    }
    return {};
}

void SasRecModel::scoreUsers(const int32_t* users, int64_t n, float* out) const {
    const auto& m = *m_impl;
    const int64_t d = m.config.dim;
    const int64_t items = m.config.numItems;
    if (n <= 0 || items <= 0 || m.itemVecs.empty())
        return;
    std::vector<float> states(static_cast<size_t>(n * d), 0.0f);
    for (int64_t r = 0; r < n; ++r)
        if (m.known(users[r]))
            std::copy_n(m.userVecs.begin() + static_cast<int64_t>(users[r]) * d, d,
                        states.begin() + r * d);
    m.scoreStates(states.data(), n, out);
    for (int64_t r = 0; r < n; ++r)
        if (!m.known(users[r]))
            std::copy(m.fallback.begin(), m.fallback.end(), out + r * items);
}

Status SasRecModel::scoreHistory(const std::vector<HistoryEntry>& history, float* out) const {
    const auto& m = *m_impl;
    if (!m.net || m.itemVecs.empty())
        return Status(notTrainedForFoldIn(name()));
    std::vector<int64_t> row;
    for (const HistoryEntry& e : history)
        if (e.item >= 0 && e.item < m.config.numItems && (e.positive || !m.positivesOnly))
            row.push_back(e.item);
    if (static_cast<int64_t>(row.size()) > m.config.maxLen)
        row.erase(row.begin(), row.end() - m.config.maxLen);
    if (row.empty()) {
        std::copy(m.fallback.begin(), m.fallback.end(), out);
        return {};
    }
    try {
        const auto state = m.lastStates({row});
        m.scoreStates(state.data(), 1, out);
    } catch (const std::exception& e) {
        return makeError(std::string("sasrec fold-in failed: ") + e.what());
    }
    return {};
}

std::vector<int32_t> SasRecModel::userSequence(int32_t user) const {
    const auto& m = *m_impl;
    if (!m.known(user))
        return {};
    return {m.recent.begin(user), m.recent.begin(user) + m.recent.length(user)};
}

EmbeddingTable SasRecModel::itemEmbeddings() const {
    const auto& m = *m_impl;
    if (m.itemVecs.empty())
        return {};
    return {m.config.numItems, m.config.dim, m.itemVecs};
}

EmbeddingTable SasRecModel::userEmbeddings() const {
    const auto& m = *m_impl;
    if (m.userVecs.empty())
        return {};
    return {m.numUsers, m.config.dim, m.userVecs};
}

bool SasRecModel::itemSimilarities(int32_t item, const int32_t* items, int64_t n,
                                   float* out) const {
    const auto& m = *m_impl;
    embeddingCosines(m.itemVecs.data(), m.itemVecs.empty() ? 0 : m.config.numItems, m.config.dim,
                     item, items, n, out);
    return true;
}

Status SasRecModel::save(const std::string& path) const {
    const auto& m = *m_impl;
    if (!m.net)
        return makeError("sasrec: nothing to save, the model is not trained");
    try {
        std::map<std::string, torch::Tensor> tensors;
        for (const auto& p : m.net->named_parameters())
            tensors[kNetPrefix + p.key()] = p.value();
        tensors["shape"] = torch::tensor({static_cast<int64_t>(m.numUsers),
                                          static_cast<int64_t>(m.config.numItems),
                                          static_cast<int64_t>(m.epochs)});
        tensors["sequence_offsets"] = torch::tensor(m.recent.offsets, torch::kLong);
        tensors["sequence_items"] = torch::tensor(
            std::vector<int64_t>(m.recent.items.begin(), m.recent.items.end()), torch::kLong);
        tensors["popularity"] = torch::tensor(m.fallback);
        return saveModelArchive(path, name(), m_params, tensors);
    } catch (const std::exception& e) {
        return makeError(std::string("sasrec save failed: ") + e.what(), path);
    }
}

Status SasRecModel::load(const std::string& path) {
    auto archive = loadModelArchive(path, name(),
                                    {"shape", "sequence_offsets", "sequence_items", "popularity"});
    if (!archive)
        return archive.error();
    if (Status st = configure(archive->params); !st)
        return Status(makeError(st.error().message, path));
    const auto& p = m_params;
    auto& t = archive->tensors;
    const auto bad = [&](const std::string& what) {
        return Status(makeError("sasrec: the model file " + what, path));
    };
    try {
        const auto shape = t["shape"].to(torch::kLong).contiguous();
        if (shape.numel() != 3)
            return bad("has no valid shape");
        Impl m;
        m.numUsers = static_cast<int32_t>(shape[0].item<int64_t>());
        m.epochs = static_cast<int>(shape[2].item<int64_t>());
        const int64_t items = shape[1].item<int64_t>();
        if (m.numUsers < 0 || items <= 0 || items > (int64_t{1} << 31) - 2)
            return bad("has no valid shape");
        m.positivesOnly = p.getString("sequence") == "positives";
        m.config.numItems = static_cast<int32_t>(items);
        m.config.maxLen = static_cast<int>(p.getInt("max_len"));
        m.config.dim = static_cast<int>(p.getInt("dim"));
        m.config.blocks = static_cast<int>(p.getInt("blocks"));
        m.config.heads = static_cast<int>(p.getInt("heads"));
        m.config.dropout = p.getFloat("dropout");
        if (m.config.dim % m.config.heads != 0)
            return bad("has dim not a multiple of heads");
        m.net = SasRecNet(m.config);
        // Every weight must be there with the shape these parameters and this catalogue give:
        // a file for another catalogue size (or another max_len / dim) is refused here.
        {
            torch::NoGradGuard noGrad;
            for (auto& param : m.net->named_parameters()) {
                const auto it = t.find(kNetPrefix + param.key());
                if (it == t.end())
                    return bad("lacks weight '" + param.key() + "'");
                if (it->second.sizes() != param.value().sizes())
                    return bad("holds weight '" + param.key() + "' of another shape (" +
                               std::to_string(it->second.numel()) + " values, expected " +
                               std::to_string(param.value().numel()) +
                               "): a model for another catalogue or configuration");
                param.value().copy_(it->second.to(torch::kFloat));
            }
        }
        m.net->eval();
        const auto offsets = t["sequence_offsets"].to(torch::kLong).contiguous();
        const auto seqItems = t["sequence_items"].to(torch::kLong).contiguous();
        const auto popularity = t["popularity"].to(torch::kFloat).contiguous();
        if (offsets.numel() != int64_t{m.numUsers} + 1 || popularity.numel() != items)
            return bad("does not match its shape (" + std::to_string(m.numUsers) + " users, " +
                       std::to_string(items) + " items)");
        const int64_t* o = offsets.data_ptr<int64_t>();
        m.recent.offsets.assign(o, o + offsets.numel());
        if (o[0] != 0 || o[m.numUsers] != seqItems.numel())
            return bad("has inconsistent sequences");
        for (int32_t u = 0; u < m.numUsers; ++u)
            if (o[u + 1] < o[u] || o[u + 1] - o[u] > m.config.maxLen)
                return bad("has inconsistent sequences");
        const int64_t* s = seqItems.data_ptr<int64_t>();
        m.recent.items.resize(static_cast<size_t>(seqItems.numel()));
        for (int64_t k = 0; k < seqItems.numel(); ++k) {
            if (s[k] < 0 || s[k] >= items)
                return bad("has an item id outside the catalogue in a sequence");
            m.recent.items[static_cast<size_t>(k)] = static_cast<int32_t>(s[k]);
        }
        m.fallback.assign(popularity.data_ptr<float>(),
                          popularity.data_ptr<float>() + popularity.numel());
        m.refreshVectors();
        *m_impl = std::move(m);
    } catch (const std::exception& e) {
        return makeError(std::string("sasrec load failed: ") + e.what(), path);
    }
    return {};
}

}  // namespace recscope
