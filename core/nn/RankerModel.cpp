#include "core/nn/RankerModel.h"

#include <algorithm>

#include "core/nn/RankerTraining.h"  // the state and training loops; brings LibTorch
#include "core/pipeline/RankerCandidates.h"

namespace recscope {

using ranker::HoldoutEpochs;
using ranker::RankerEpochs;
using ranker::toLong;

namespace {

RankerNetConfig configFrom(const ParamValues& p, int32_t numUsers, int32_t numItems, int numGenres,
                           bool years) {
    RankerNetConfig c;
    c.numUsers = numUsers;
    c.numItems = numItems;
    c.ids = p.getBool("ids");
    c.embedding = static_cast<int>(p.getInt("embedding"));
    c.depth = static_cast<int>(p.getInt("depth"));
    c.width = static_cast<int>(p.getInt("width"));
    c.numGenres = p.getBool("genres") ? numGenres : 0;
    c.years = p.getBool("years") && years;
    c.retrieverScore = p.getBool("retriever_score");
    // Only holdout rows have a rank: in train mode the positives are in no candidate list.
    c.retrieverRank = c.retrieverScore && p.getString("train_on") == "holdout";
    c.contextFeatures = p.getBool("context") ? ContextFeatures::kCount : 0;
    return c;
}

// A fresh ranker net and state, shared by fit() and fitHoldout(). Returns the item features the
// net was sized for (the caller fills the net's tables with them).
ItemFeatures resetImpl(RankerModel::Impl& m, const ParamValues& params, const TrainData& data,
                       const TwoTowerModel& retriever, const torch::Device& device,
                       int secondInputs = 0) {
    m = RankerModel::Impl{};
    m.device = device;
    m.retriever = &retriever;
    m.numUsers = data.numUsers;
    m.numItems = data.numItems;
    ItemFeatures features = ItemFeatures::fromDataset(data.dataset, data.numItems);
    RankerNetConfig c =
        configFrom(params, data.numUsers, data.numItems, features.numGenres, features.hasYears);
    c.secondInputs = secondInputs;
    m.net = RankerNet(c);
    return features;
}

}  // namespace

RankerModel::RankerModel() : m_impl(std::make_unique<Impl>()) {
    auto st = configure({});
    (void)st;
}
RankerModel::~RankerModel() = default;

std::vector<ParamSpec> RankerModel::paramSpecs() {
    using T = ParamType;
    // Holdout rows are few (the held-out positives among the candidates), so small batches
    // and more, cheap epochs; validation picks the epoch.
    auto specs = epochParamSpecs(20, 256, 0.002, 0.0, 3);
    std::vector<ParamSpec> own = {
        {"ids",
         T::Bool,
         "false",
         0,
         0,
         {},
         "User and item ID embeddings as inputs (holdout-trained, they learn the held-out "
         "period's tastes, which do not carry over to the test's)"},
        {"embedding", T::Int, "32", 2, 1024, {}, "User and item ID embedding size (ids)"},
        {"depth", T::Int, "2", 0, 6, {}, "Hidden layers of the scoring MLP"},
        {"width", T::Int, "128", 4, 4096, {}, "Hidden layer width"},
        {"negatives", T::Int, "4", 1, 100, {}, "Negatives per training positive"},
        {"hard_ratio",
         T::Float,
         "0.5",
         0.0,
         1.0,
         {},
         "Share of negatives drawn from the retriever's top-N (the rest uniform)"},
        {"hard_pool",
         T::Int,
         "100",
         1,
         5000,
         {},
         "train_on = train: retriever top-N per user from which hard negatives are mined"},
        {"id_dropout",
         T::Float,
         "0.5",
         0.0,
         1.0,
         {},
         "Probability of zeroing an ID embedding and setting its IsUnknown flag"},
        {"loss",
         T::Choice,
         "list",
         0,
         0,
         {"bce", "bpr", "softmax", "list"},
         "Training loss (softmax: each positive against its own sampled negatives; list: each "
         "positive against all the negatives of its candidate list, softmax when train_on = "
         "train)"},
        {"genres", T::Bool, "true", 0, 0, {}, "Genre embedding input"},
        {"years", T::Bool, "true", 0, 0, {}, "Release-year embedding input"},
        {"retriever_score",
         T::Bool,
         "true",
         0,
         0,
         {},
         "Retriever cosine (and, holdout-trained, the candidate's rank) as extra inputs"},
        {"context",
         T::Bool,
         "true",
         0,
         0,
         {},
         "User activity, item age at the user's last rating and the item's recent rating "
         "count as extra inputs"},
        {"train_on",
         T::Choice,
         "holdout",
         0,
         0,
         {"holdout", "train"},
         "holdout: re-rank the candidates of a retriever trained without each user's latest "
         "ratings; train: the training positives against mined negatives"},
        {"holdout",
         T::Float,
         "0.2",
         0.01,
         0.9,
         {},
         "train_on = holdout: share of each user's latest training ratings held out"},
        {"list_positives",
         T::Int,
         "0",
         0,
         100000,
         {},
         "train_on = holdout: most positives drawn from one list per epoch (0 = all)"},
        {"lists_per_batch",
         T::Int,
         "32",
         1,
         100000,
         {},
         "loss = list: candidate lists per training batch"},
        {"list_validation",
         T::Float,
         "0.2",
         0.0,
         0.9,
         {},
         "train_on = holdout: share of the labelled lists kept aside to choose the epoch by "
         "NDCG@10 over the candidates; 0 = the split's validation part"},
    };
    specs.insert(specs.end(), own.begin(), own.end());
    return specs;
}

Status RankerModel::configure(const std::map<std::string, std::string>& overrides) {
    auto resolved = ParamValues::resolve(paramSpecs(), overrides);
    if (!resolved)
        return Status(makeError("ranker: " + resolved.error().message));
    m_params = std::move(resolved.value());
    return {};
}

bool RankerModel::trained() const {
    return static_cast<bool>(m_impl->net);
}

std::vector<float> RankerModel::popularityFeature(const TrainData& data) {
    std::vector<float> pop(static_cast<size_t>(data.numItems), 0.0f);
    double maxLog = 0.0;
    for (size_t i = 0; i < pop.size() && i < data.itemPopularity.size(); ++i)
        maxLog = std::max(maxLog, std::log1p(static_cast<double>(data.itemPopularity[i])));
    for (size_t i = 0; i < pop.size() && i < data.itemPopularity.size(); ++i) {
        const double c = static_cast<double>(data.itemPopularity[i]);
        pop[i] = maxLog > 0 ? static_cast<float>(std::log1p(c) / maxLog) : 0.0f;
    }
    return pop;
}

bool RankerModel::holdoutTraining() const {
    return m_params.getString("train_on") == "holdout";
}

Status RankerModel::fitHoldout(const TrainData& data, const RankerHoldoutSet& set,
                               const TwoTowerModel& retriever, const FitContext& context,
                               ValidateFn validate) {
    if (!set.lists || set.labels.size() != set.lists->items.size() ||
        set.popularity.size() != static_cast<size_t>(data.numItems))
        return makeError("ranker: holdout set does not match its candidate lists");
    auto parsed = parseTorchDevice(context.device);
    if (!parsed)
        return parsed.error();
    try {
        prepareTorch(context.seed + 1);
        m_stats = FitStats{};
        auto& m = *m_impl;
        const ItemFeatures features =
            resetImpl(m, m_params, data, retriever, parsed.value(),
                      set.lists->hasSecond ? RankerCandidates::kSecondInputs : 0);
        // "Known" = the ID embedding is trained: the user has held-out positives, the item
        // appears in a list of such a user.
        const auto& lists = *set.lists;
        std::vector<float> userKnown(static_cast<size_t>(data.numUsers), 0.0f);
        std::vector<float> itemKnown(static_cast<size_t>(data.numItems), 0.0f);
        int64_t positives = 0;
        for (size_t k = 0; k < lists.users.size(); ++k) {
            const int32_t len = lists.rowLength(k);
            const size_t base = k * static_cast<size_t>(lists.perUser);
            int64_t rowPos = 0;
            for (int32_t j = 0; j < len; ++j)
                rowPos += set.labels[base + static_cast<size_t>(j)];
            if (rowPos == 0)
                continue;
            positives += rowPos;
            const int32_t u = lists.users[k];
            if (u >= 0 && u < data.numUsers)
                userKnown[static_cast<size_t>(u)] = 1.0f;
            for (int32_t j = 0; j < len; ++j) {
                const int32_t i = lists.items[base + static_cast<size_t>(j)];
                if (i >= 0 && i < data.numItems)
                    itemKnown[static_cast<size_t>(i)] = 1.0f;
            }
        }
        if (positives == 0)
            return makeError("ranker: no held-out positive is among the first stage's candidates");
        const auto servingPop = popularityFeature(data);
        m.net->setTables(features, set.popularity, userKnown, itemKnown);
        m.net->to(m.device);
        if (data.split)
            m.context =
                ContextFeatures::fromInteractions(data.split->train, data.numUsers, data.numItems);

        HoldoutEpochs epochs(m, data, set, m_params, context.seed + 1, m_stats);
        epochs.setParallel(context.parallel);
        const TrainConfig tc = epochTrainConfig(m_params);  // metric: ndcg@10
        EpochTrainer trainer(tc);
        if (epochs.hasListValidation() && tc.patience > 0) {
            trainer.setValidator([&epochs]() -> Result<std::map<std::string, double>> {
                return epochs.validateLists();
            });
        } else if (validate && tc.patience > 0) {
            // Validation scores serving lists, so it sees serving features.
            trainer.setValidator(
                [&m, &set, &servingPop, validate]() -> Result<std::map<std::string, double>> {
                    m.net->setPopularity(servingPop);
                    auto r = validate();
                    m.net->setPopularity(set.popularity);
                    return r;
                });
        }
        auto summary = trainer.run(epochs, context);
        m.net->setPopularity(servingPop);
        if (!summary)
            return summary.status();
        m_stats.epochs = summary->epochsRun;
        m.net->eval();
    } catch (const std::exception& e) {
        return makeError(std::string("ranker training failed: ") + e.what());
    }
    return {};
}

Status RankerModel::fit(const TrainData& data, const CandidateLists& hard,
                        const TwoTowerModel& retriever, const FitContext& context,
                        ValidateFn validate) {
    if (data.positives.nnz() == 0)
        return makeError("ranker: the training data has no positives");
    auto parsed = parseTorchDevice(context.device);
    if (!parsed)
        return parsed.error();
    try {
        prepareTorch(context.seed + 1);
        m_stats = FitStats{};
        auto& m = *m_impl;
        const ItemFeatures features = resetImpl(m, m_params, data, retriever, parsed.value());
        const auto pop = popularityFeature(data);
        std::vector<float> itemKnown(pop.size(), 0.0f);
        for (size_t i = 0; i < pop.size() && i < data.itemPopularity.size(); ++i)
            itemKnown[i] = data.itemPopularity[i] > 0 ? 1.0f : 0.0f;
        std::vector<float> userKnown(static_cast<size_t>(data.numUsers), 0.0f);
        for (int32_t u = 0; u < data.numUsers && u < data.positives.rows; ++u)
            userKnown[static_cast<size_t>(u)] = data.positives.rowSize(u) > 0 ? 1.0f : 0.0f;
        m.net->setTables(features, pop, userKnown, itemKnown);
        m.net->to(m.device);
        if (data.split)
            m.context =
                ContextFeatures::fromInteractions(data.split->train, data.numUsers, data.numItems);

        RankerEpochs epochs(m, data, hard, m_params, context.seed + 1, m_stats);
        epochs.setParallel(context.parallel);
        const TrainConfig tc = epochTrainConfig(m_params);  // metric: ndcg@10
        EpochTrainer trainer(tc);
        if (validate && tc.patience > 0)
            trainer.setValidator(std::move(validate));
        auto summary = trainer.run(epochs, context);
        if (!summary)
            return summary.status();
        m_stats.epochs = summary->epochsRun;
        m.net->eval();
    } catch (const std::exception& e) {
        return makeError(std::string("ranker training failed: ") + e.what());
    }
    return {};
}

void RankerModel::scorePairs(const int32_t* users, const int32_t* items, int64_t n, float* out,
                             const float* inputs) const {
    const auto& m = *m_impl;
    if (n <= 0)
        return;
    if (!m.net) {
        std::fill(out, out + n, 0.0f);
        return;
    }
    torch::NoGradGuard g;
    // Ids outside the trained range are clamped to 0 and scored as unknown via keep = 0.
    std::vector<int64_t> u(static_cast<size_t>(n)), i(static_cast<size_t>(n));
    std::vector<float> ku(static_cast<size_t>(n), 1.0f), ki(static_cast<size_t>(n), 1.0f);
    for (int64_t k = 0; k < n; ++k) {
        const bool uok = users[k] >= 0 && users[k] < m.numUsers;
        const bool iok = items[k] >= 0 && items[k] < m.numItems;
        u[static_cast<size_t>(k)] = uok ? users[k] : 0;
        i[static_cast<size_t>(k)] = iok ? items[k] : 0;
        ku[static_cast<size_t>(k)] = uok ? 1.0f : 0.0f;
        ki[static_cast<size_t>(k)] = iok ? 1.0f : 0.0f;
    }
    torch::Tensor rs, rr, second;
    if (inputs) {
        auto all = torch::from_blob(const_cast<float*>(inputs), {n, RankerCandidates::kInputs},
                                    torch::kFloat)
                       .clone()
                       .to(m.device);
        rs = all.select(1, 0).contiguous();
        rr = all.select(1, 1).contiguous();
        second = all.slice(1, 2, 2 + RankerCandidates::kSecondInputs).contiguous();
    } else if (m.net->config().retrieverScore) {
        rs = m.retrieverScores(users, items, n);
    }
    if (m.net->config().retrieverRank && !rr.defined())
        rr = torch::ones({n}, torch::TensorOptions().device(m.device));
    auto logits =
        m.net->forward(torch::tensor(u, torch::kLong).to(m.device),
                       torch::tensor(i, torch::kLong).to(m.device), torch::tensor(ku).to(m.device),
                       torch::tensor(ki).to(m.device), rs, rr, m.contextInputs(users, items, n),
                       m.net->config().secondInputs > 0 ? second : torch::Tensor());
    copyToHost(logits, out);
}

Status RankerModel::save(const std::string& path) const {
    const auto& m = *m_impl;
    if (!m.net)
        return makeError("ranker: nothing to save before fit()");
    try {
        torch::serialize::OutputArchive archive;
        saveModuleOnCpu(*m.net, archive);  // CPU copies: reloads anywhere
        writeParams(archive, m_params);
        const auto& c = m.net->config();
        archive.write(
            "shape",
            torch::tensor({static_cast<int64_t>(c.numUsers), static_cast<int64_t>(c.numItems),
                           static_cast<int64_t>(c.numGenres), static_cast<int64_t>(c.years),
                           static_cast<int64_t>(c.secondInputs)}));
        if (c.contextFeatures > 0) {
            const auto& x = m.context;
            archive.write("ctx_user_last", torch::tensor(x.userLast, torch::kLong));
            archive.write("ctx_user_count", torch::tensor(x.userCount, torch::kInt));
            archive.write("ctx_item_first", torch::tensor(x.itemFirst, torch::kLong));
            archive.write("ctx_bucket_starts", torch::tensor(x.bucketStarts, torch::kLong));
            archive.write("ctx_bucket_counts", torch::tensor(x.bucketCounts, torch::kInt));
        }
        archive.save_to(path);
    } catch (const std::exception& e) {
        return makeError(std::string("ranker save failed: ") + e.what(), path);
    }
    return {};
}

Status RankerModel::load(const std::string& path, const TwoTowerModel& retriever) {
    try {
        torch::serialize::InputArchive archive;
        if (Status s = loadCheckedArchive(archive, path); !s)
            return s;
        auto saved = readParams(archive);
        // Files from before holdout training have no train_on and no rank input.
        saved.emplace("train_on", "train");
        saved.emplace("context", "false");
        saved.emplace("ids", "true");
        if (auto st = configure(saved); !st)
            return Status(makeError(st.error().message, path));
        torch::Tensor shape;
        archive.read("shape", shape);
        if (!storageCovers(shape) || shape.numel() < 4)
            return makeError("ranker: the model file's shape record is damaged", path);
        Impl m;
        m.numUsers = static_cast<int32_t>(shape[0].item<int64_t>());
        m.numItems = static_cast<int32_t>(shape[1].item<int64_t>());
        m.retriever = &retriever;
        RankerNetConfig c =
            configFrom(m_params, m.numUsers, m.numItems, static_cast<int>(shape[2].item<int64_t>()),
                       shape[3].item<int64_t>() != 0);
        // Files from before the second model have four shape entries.
        c.secondInputs = shape.numel() > 4 ? static_cast<int>(shape[4].item<int64_t>()) : 0;
        if (c.secondInputs != 0 && c.secondInputs != RankerCandidates::kSecondInputs)
            return makeError("ranker: unexpected second-model input count", path);
        m.net = RankerNet(c);
        if (Status s = loadModuleChecked(*m.net, archive, path); !s)
            return s;
        m.net->eval();
        if (m.net->config().contextFeatures > 0) {
            // One table, checked (a model file is untrusted), as a vector of T.
            auto readTable = [&archive](const char* key, auto zero, torch::ScalarType type) {
                torch::Tensor t;
                archive.read(key, t);
                if (!storageCovers(t))
                    throw std::runtime_error(std::string("damaged table ") + key);
                t = t.to(type).contiguous();
                using T = decltype(zero);
                return std::vector<T>(t.data_ptr<T>(), t.data_ptr<T>() + t.numel());
            };
            auto readLong = [&](const char* key) {
                return readTable(key, int64_t{}, torch::kLong);
            };
            auto readInt = [&](const char* key) { return readTable(key, int32_t{}, torch::kInt); };
            auto& x = m.context;
            x.userLast = readLong("ctx_user_last");
            x.userCount = readInt("ctx_user_count");
            x.itemFirst = readLong("ctx_item_first");
            x.bucketStarts = readLong("ctx_bucket_starts");
            x.bucketCounts = readInt("ctx_bucket_counts");
            if (x.userLast.size() != size_t(m.numUsers) ||
                x.itemFirst.size() != size_t(m.numItems) ||
                x.userCount.size() != x.userLast.size() ||
                x.bucketStarts.size() != static_cast<size_t>(ContextFeatures::kBuckets) ||
                x.bucketCounts.size() != x.itemFirst.size() * ContextFeatures::kBuckets)
                return makeError("ranker: context tables do not match", path);
            const auto negative = [](const std::vector<int32_t>& v) {
                return std::any_of(v.begin(), v.end(), [](int32_t c) { return c < 0; });
            };
            if (negative(x.userCount) || negative(x.bucketCounts) ||
                !std::is_sorted(x.bucketStarts.begin(), x.bucketStarts.end()))
                return makeError("ranker: context tables are damaged", path);
        }
        *m_impl = std::move(m);
    } catch (const std::exception& e) {
        return makeError(std::string("ranker load failed: ") + e.what(), path);
    }
    return {};
}

}  // namespace recscope
