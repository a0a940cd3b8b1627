#include "core/nn/RankerModel.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include "core/models/TrainData.h"
#include "core/nn/RankerNet.h"
#include "core/nn/TorchSupport.h"
#include "core/pipeline/CandidateRetriever.h"
#include "core/pipeline/ContextFeatures.h"
#include "core/split/Split.h"
#include "core/train/CounterRandom.h"
#include "core/train/TrainNegativeSampler.h"

namespace recscope {

struct RankerModel::Impl {
    mutable RankerNet net{nullptr};  // forward() is non-const in LibTorch
    torch::Device device{torch::kCPU};
    const TwoTowerModel* retriever = nullptr;
    int32_t numUsers = 0;
    int32_t numItems = 0;
    ContextFeatures context;  // of the whole training part: what serving reads

    // The context inputs of the pairs from `features` (default: serving's), or undefined when
    // the net takes none.
    torch::Tensor contextInputs(const int32_t* users, const int32_t* items, int64_t n,
                                const ContextFeatures* features = nullptr) const {
        const int c = net->config().contextFeatures;
        if (c <= 0)
            return {};
        if (!features)
            features = &context;
        std::vector<float> out(static_cast<size_t>(n * c), 0.0f);
        if (!features->empty())
            features->fill(users, items, n, out.data());
        return torch::from_blob(out.data(), {n, c}, torch::kFloat).clone().to(device);
    }

    // Retriever cosines of the pairs (only when the net takes them), from `stage` (default:
    // the serving retriever).
    torch::Tensor retrieverScores(const int32_t* users, const int32_t* items, int64_t n,
                                  const TwoTowerModel* stage = nullptr) const {
        if (!stage)
            stage = retriever;
        if (!net->config().retrieverScore || !stage)
            return {};
        std::vector<float> s(static_cast<size_t>(n), 0.0f);
        const int d = stage->dim();
        const float* uv = stage->userVectors();
        const float* iv = stage->itemVectors();
        for (int64_t k = 0; k < n; ++k) {
            if (!stage->knownUser(users[k]) || items[k] < 0 || items[k] >= numItems ||
                items[k] >= stage->numItems())
                continue;
            const float* a = uv + static_cast<int64_t>(users[k]) * d;
            const float* b = iv + static_cast<int64_t>(items[k]) * d;
            float dot = 0.0f;
            for (int j = 0; j < d; ++j)
                dot += a[j] * b[j];
            s[static_cast<size_t>(k)] = dot;
        }
        return torch::tensor(s).to(device);
    }
};

namespace {

std::vector<int64_t> toLong(const int32_t* p, int64_t n) {
    return std::vector<int64_t>(p, p + n);
}

// What both ways of training the ranker share: the options, the shuffled positive rows, the
// optimiser, one step over a batch laid out as b positives followed by b x k negatives (with ID
// dropout), and the best-epoch snapshot.
class RankerTraining : public EpochModel {
protected:
    using Clock = std::chrono::steady_clock;

    RankerTraining(RankerModel::Impl& impl, const TrainData& data, const ParamValues& p,
                   uint64_t seed, FitStats& stats)
        : m_impl(impl),
          m_sampler(data.positives, NegativeKind::Uniform),
          m_rng(seed),
          m_seed(seed),
          m_stats(stats),
          m_batch(p.getInt("batch_size")),
          m_negatives(static_cast<int>(p.getInt("negatives"))),
          m_hardRatio(p.getFloat("hard_ratio")),
          m_dropout(p.getFloat("id_dropout")),
          m_loss(p.getString("loss")),
          m_opt(std::make_unique<torch::optim::Adam>(
              impl.net->parameters(), torch::optim::AdamOptions(p.getFloat("lr"))
                                          .weight_decay(p.getFloat("weight_decay")))) {}

public:
    int64_t beginEpoch(int epoch) override {
        std::shuffle(m_rows.begin(), m_rows.end(), m_rng);
        m_epoch = epoch;
        m_impl.net->train();
        const auto rows = static_cast<int64_t>(m_rows.size());
        return std::max<int64_t>(1, (rows + m_batch - 1) / m_batch);
    }

    void snapshot() override {
        torch::NoGradGuard g;
        m_best.clear();
        for (const auto& p : m_impl.net->parameters())
            m_best.push_back(p.detach().clone());
    }
    void restoreSnapshot() override {
        torch::NoGradGuard g;
        auto params = m_impl.net->parameters();
        for (size_t i = 0; i < params.size(); ++i)
            params[i].copy_(m_best[i]);
    }

protected:
    // Forward (with ID dropout), loss, backward and an optimiser step over b positives followed
    // by b x k negatives; returns the loss.
    double optimise(const std::vector<int32_t>& users, const std::vector<int32_t>& items, int64_t b,
                    int k, const torch::Tensor& scores, const torch::Tensor& ranks,
                    const torch::Tensor& context, Clock::time_point started) {
        const auto n = static_cast<int64_t>(users.size());
        const auto& dev = m_impl.device;
        auto uid = torch::tensor(toLong(users.data(), n), torch::kLong).to(dev);
        auto iid = torch::tensor(toLong(items.data(), n), torch::kLong).to(dev);
        torch::Tensor keepU, keepI;
        if (m_dropout > 0.0) {
            keepU = torch::bernoulli(torch::full({n}, 1.0 - m_dropout)).to(dev);
            keepI = torch::bernoulli(torch::full({n}, 1.0 - m_dropout)).to(dev);
        }
        auto logits = m_impl.net->forward(uid, iid, keepU, keepI, scores, ranks, context);
        torch::Tensor loss;
        if (m_loss == "bpr" && k > 0) {
            auto pos = logits.slice(0, 0, b).unsqueeze(1);
            auto neg = logits.slice(0, b, n).view({b, k});
            loss = -torch::nn::functional::logsigmoid(pos - neg).mean();
        } else if (m_loss == "softmax" && k > 0) {
            // Sampled softmax: each positive against its own negatives (column 0 = positive).
            auto all = torch::cat(
                {logits.slice(0, 0, b).unsqueeze(1), logits.slice(0, b, n).view({b, k})}, 1);
            loss = -torch::log_softmax(all, 1).select(1, 0).mean();
        } else {
            auto labels = torch::zeros({n}, torch::TensorOptions().device(dev));
            labels.slice(0, 0, b).fill_(1.0);
            loss = torch::nn::functional::binary_cross_entropy_with_logits(logits, labels);
        }
        m_opt->zero_grad();
        loss.backward();
        m_opt->step();
        m_stats.samples += n;
        m_stats.seconds += std::chrono::duration<double>(Clock::now() - started).count();
        return loss.item<double>();
    }

    RankerModel::Impl& m_impl;
    TrainNegativeSampler m_sampler;
    std::mt19937_64 m_rng;
    uint64_t m_seed;
    FitStats& m_stats;
    int64_t m_batch;
    int m_negatives;
    double m_hardRatio;
    double m_dropout;
    std::string m_loss;
    int m_epoch = 1;
    // One entry per positive: (user, item), or (list row, position) for the holdout lists.
    std::vector<std::pair<int32_t, int32_t>> m_rows;
    std::unique_ptr<torch::optim::Adam> m_opt;
    std::vector<torch::Tensor> m_best;
};

class RankerEpochs : public RankerTraining {
public:
    RankerEpochs(RankerModel::Impl& impl, const TrainData& data, const CandidateLists& hard,
                 const ParamValues& p, uint64_t seed, FitStats& stats)
        : RankerTraining(impl, data, p, seed, stats), m_data(data), m_hard(hard) {
        const auto& pos = data.positives;
        for (int32_t u = 0; u < pos.rows; ++u)
            for (int64_t k = pos.offsets[u]; k < pos.offsets[u + 1]; ++k)
                m_rows.push_back({u, pos.indices[static_cast<size_t>(k)]});
        m_hardRow.assign(static_cast<size_t>(data.numUsers), -1);
        m_hardLen.assign(hard.users.size(), 0);
        for (size_t k = 0; k < hard.users.size(); ++k) {
            const int32_t u = hard.users[k];
            if (u >= 0 && u < data.numUsers)
                m_hardRow[static_cast<size_t>(u)] = static_cast<int64_t>(k);
            m_hardLen[k] = hard.rowLength(k);
        }
    }

    int32_t negativeFor(int32_t user, uint64_t counter) const {
        const uint64_t bits = CounterRandom::at(m_seed + 0x9e37ULL * m_epoch, counter);
        const int64_t hr = m_hardRow[static_cast<size_t>(user)];
        if (hr >= 0 && m_hardLen[static_cast<size_t>(hr)] > 0 &&
            CounterRandom::unit(bits) < m_hardRatio) {
            const auto len = static_cast<uint64_t>(m_hardLen[static_cast<size_t>(hr)]);
            const uint64_t pick = CounterRandom::below(CounterRandom::mix(bits), len);
            return m_hard.row(static_cast<size_t>(hr))[pick];
        }
        return m_sampler.draw(user, m_seed + 0x51ULL * m_epoch, counter);
    }

    double trainBatch(int64_t batch) override {
        const auto t0 = std::chrono::steady_clock::now();
        const int64_t s = batch * m_batch;
        const int64_t e = std::min<int64_t>(static_cast<int64_t>(m_rows.size()), s + m_batch);
        const int64_t b = e - s;
        const int k = m_negatives;
        // Layout: b positives, then b x k negatives (row r's negatives at b + r*k ...).
        std::vector<int32_t> users(static_cast<size_t>(b * (1 + k)));
        std::vector<int32_t> items(users.size());
        for (int64_t r = 0; r < b; ++r) {
            const auto [u, i] = m_rows[static_cast<size_t>(s + r)];
            users[static_cast<size_t>(r)] = u;
            items[static_cast<size_t>(r)] = i;
            for (int j = 0; j < k; ++j) {
                const size_t at = static_cast<size_t>(b + r * k + j);
                users[at] = u;
                items[at] = negativeFor(u, static_cast<uint64_t>((s + r) * k + j));
            }
        }
        const auto rs =
            m_impl.retrieverScores(users.data(), items.data(), static_cast<int64_t>(users.size()));
        const auto ctx =
            m_impl.contextInputs(users.data(), items.data(), static_cast<int64_t>(users.size()));
        return optimise(users, items, b, k, rs, {}, ctx, t0);
    }

private:
    const TrainData& m_data;
    const CandidateLists& m_hard;
    std::vector<int64_t> m_hardRow;
    std::vector<int32_t> m_hardLen;
};

// Holdout training rows (see RankerModel.h): every positive entry of the first stage's lists.
class HoldoutEpochs : public RankerTraining {
public:
    HoldoutEpochs(RankerModel::Impl& impl, const TrainData& data, const RankerHoldoutSet& set,
                  const ParamValues& p, uint64_t seed, FitStats& stats)
        : RankerTraining(impl, data, p, seed, stats), m_set(set) {
        const auto& lists = *set.lists;
        const size_t n = static_cast<size_t>(lists.perUser);
        m_len.resize(lists.users.size());
        m_negCount.assign(lists.users.size(), 0);
        // A seeded share of the lists with a positive is kept aside to choose the epoch.
        const double share = p.getFloat("list_validation");
        std::vector<uint8_t> aside(lists.users.size(), 0);
        for (size_t k = 0; k < lists.users.size(); ++k) {
            m_len[k] = lists.rowLength(k);
            bool positive = false;
            for (int32_t j = 0; j < m_len[k]; ++j)
                positive = positive || set.labels[k * n + static_cast<size_t>(j)] != 0;
            if (positive && share > 0.0 &&
                CounterRandom::unit(CounterRandom::at(seed ^ 0x7a11ULL, k)) < share)
                aside[k] = 1;
        }
        m_perList = static_cast<int32_t>(p.getInt("list_positives"));
        for (size_t k = 0; k < lists.users.size(); ++k) {
            if (aside[k]) {
                m_validationLists.push_back(k);
                continue;
            }
            for (int32_t j = 0; j < m_len[k]; ++j) {
                if (set.labels[k * n + static_cast<size_t>(j)])
                    m_rows.push_back({static_cast<int32_t>(k), j});
                else
                    ++m_negCount[k];
            }
        }
        // Too little data to spare any: train on everything, no list validation.
        if (m_rows.empty() && !m_validationLists.empty()) {
            for (size_t k : m_validationLists)
                for (int32_t j = 0; j < m_len[k]; ++j) {
                    if (set.labels[k * n + static_cast<size_t>(j)])
                        m_rows.push_back({static_cast<int32_t>(k), j});
                    else
                        ++m_negCount[k];
                }
            m_validationLists.clear();
        }
        m_allRows = m_rows;
    }

    bool hasListValidation() const { return !m_validationLists.empty(); }

    // Each epoch draws at most list_positives positives per list (m_allRows is grouped by
    // list), so that every user weighs about the same, as in the per-user test metrics.
    int64_t beginEpoch(int epoch) override {
        if (m_perList > 0) {
            m_rows.clear();
            size_t s = 0;
            while (s < m_allRows.size()) {
                size_t e = s;
                while (e < m_allRows.size() && m_allRows[e].first == m_allRows[s].first)
                    ++e;
                std::shuffle(m_allRows.begin() + static_cast<int64_t>(s),
                             m_allRows.begin() + static_cast<int64_t>(e), m_rng);
                const size_t take = std::min(e - s, static_cast<size_t>(m_perList));
                m_rows.insert(m_rows.end(), m_allRows.begin() + static_cast<int64_t>(s),
                              m_allRows.begin() + static_cast<int64_t>(s + take));
                s = e;
            }
        }
        return RankerTraining::beginEpoch(epoch);
    }

    // NDCG@10 of the lists kept aside, re-ranked by the ranker as it stands ("ndcg@10"), and of
    // their first-stage order ("first_stage_ndcg@10"); ideal DCG over the list's positives.
    std::map<std::string, double> validateLists() const {
        torch::NoGradGuard g;
        const auto& lists = *m_set.lists;
        const size_t width = static_cast<size_t>(lists.perUser);
        const float invN = 1.0f / static_cast<float>(std::max(1, lists.perUser));
        double sum = 0.0, firstSum = 0.0;
        const size_t chunk = 256;
        for (size_t c0 = 0; c0 < m_validationLists.size(); c0 += chunk) {
            const size_t c1 = std::min(m_validationLists.size(), c0 + chunk);
            std::vector<int32_t> users, items;
            std::vector<float> scores, ranks;
            for (size_t c = c0; c < c1; ++c) {
                const size_t row = m_validationLists[c];
                for (int32_t j = 0; j < m_len[row]; ++j) {
                    users.push_back(lists.users[row]);
                    items.push_back(lists.items[row * width + static_cast<size_t>(j)]);
                    scores.push_back(lists.scores[row * width + static_cast<size_t>(j)]);
                    ranks.push_back(static_cast<float>(j) * invN);
                }
            }
            const auto n = static_cast<int64_t>(users.size());
            const auto& dev = m_impl.device;
            auto uid = torch::tensor(toLong(users.data(), n), torch::kLong).to(dev);
            auto iid = torch::tensor(toLong(items.data(), n), torch::kLong).to(dev);
            auto logits =
                m_impl.net
                    ->forward(uid, iid, {}, {}, torch::tensor(scores).to(dev),
                              torch::tensor(ranks).to(dev),
                              m_impl.contextInputs(users.data(), items.data(), n, m_set.context))
                    .to(torch::kCPU)
                    .contiguous();
            const float* lg = logits.data_ptr<float>();
            size_t at = 0;
            for (size_t c = c0; c < c1; ++c) {
                const size_t row = m_validationLists[c];
                const auto len = static_cast<size_t>(m_len[row]);
                const uint8_t* label = m_set.labels.data() + row * width;
                std::vector<int32_t> order(len);
                std::iota(order.begin(), order.end(), 0);
                std::stable_sort(order.begin(), order.end(), [lg, at](int32_t a, int32_t b) {
                    return lg[at + static_cast<size_t>(a)] > lg[at + static_cast<size_t>(b)];
                });
                sum += ndcgAt10(label, order);
                std::iota(order.begin(), order.end(), 0);
                firstSum += ndcgAt10(label, order);
                at += len;
            }
        }
        const auto count = static_cast<double>(std::max<size_t>(1, m_validationLists.size()));
        return {{"ndcg@10", sum / count}, {"first_stage_ndcg@10", firstSum / count}};
    }

    int64_t rows() const { return static_cast<int64_t>(m_rows.size()); }

    double trainBatch(int64_t batch) override {
        const auto t0 = std::chrono::steady_clock::now();
        const auto& lists = *m_set.lists;
        const size_t width = static_cast<size_t>(lists.perUser);
        const float invN = 1.0f / static_cast<float>(std::max(1, lists.perUser));
        const int64_t s = batch * m_batch;
        const int64_t e = std::min<int64_t>(rows(), s + m_batch);
        const int64_t b = e - s;
        const int k = m_negatives;
        const size_t total = static_cast<size_t>(b * (1 + k));
        std::vector<int32_t> users(total), items(total);
        std::vector<float> scores(total, 0.0f), ranks(total, 1.0f);
        std::vector<size_t> uniform;  // slots whose score comes from the first stage's vectors
        const uint64_t epochSeed = m_seed + 0x9e37ULL * static_cast<uint64_t>(m_epoch);
        for (int64_t r = 0; r < b; ++r) {
            const auto [row, pos] = m_rows[static_cast<size_t>(s + r)];
            const size_t base = static_cast<size_t>(row) * width;
            const int32_t u = lists.users[static_cast<size_t>(row)];
            users[static_cast<size_t>(r)] = u;
            items[static_cast<size_t>(r)] = lists.items[base + static_cast<size_t>(pos)];
            scores[static_cast<size_t>(r)] = lists.scores[base + static_cast<size_t>(pos)];
            ranks[static_cast<size_t>(r)] = static_cast<float>(pos) * invN;
            for (int j = 0; j < k; ++j) {
                const size_t at = static_cast<size_t>(b + r * k + j);
                const uint64_t counter = static_cast<uint64_t>((s + r) * k + j);
                users[at] = u;
                uint64_t bits = CounterRandom::at(epochSeed, counter);
                int32_t pick = -1;
                if (m_negCount[static_cast<size_t>(row)] > 0 &&
                    CounterRandom::unit(bits) < m_hardRatio) {
                    const auto len = static_cast<uint64_t>(m_len[static_cast<size_t>(row)]);
                    // Rejection: positives are a small share of a list.
                    for (int t = 0; t < 64 && pick < 0; ++t) {
                        bits = CounterRandom::mix(bits);
                        const auto c = static_cast<int32_t>(CounterRandom::below(bits, len));
                        if (!m_set.labels[base + static_cast<size_t>(c)])
                            pick = c;
                    }
                }
                if (pick >= 0) {
                    items[at] = lists.items[base + static_cast<size_t>(pick)];
                    scores[at] = lists.scores[base + static_cast<size_t>(pick)];
                    ranks[at] = static_cast<float>(pick) * invN;
                } else {
                    items[at] = m_sampler.draw(u, m_seed + 0x51ULL * m_epoch, counter);
                    uniform.push_back(at);
                }
            }
        }
        if (m_impl.net->config().retrieverScore && !uniform.empty() && m_set.firstStage) {
            std::vector<int32_t> uu, ii;
            for (size_t at : uniform) {
                uu.push_back(users[at]);
                ii.push_back(items[at]);
            }
            auto t = m_impl
                         .retrieverScores(uu.data(), ii.data(), static_cast<int64_t>(uu.size()),
                                          m_set.firstStage)
                         .to(torch::kCPU)
                         .contiguous();
            for (size_t q = 0; q < uniform.size(); ++q)
                scores[uniform[q]] = t.data_ptr<float>()[q];
        }
        const auto& dev = m_impl.device;
        const auto ctx = m_impl.contextInputs(users.data(), items.data(),
                                              static_cast<int64_t>(total), m_set.context);
        return optimise(users, items, b, k, torch::tensor(scores).to(dev),
                        torch::tensor(ranks).to(dev), ctx, t0);
    }

private:
    static double ndcgAt10(const uint8_t* label, const std::vector<int32_t>& order) {
        double dcg = 0.0, ideal = 0.0;
        int positives = 0;
        for (size_t r = 0; r < order.size(); ++r)
            positives += label[order[r]] ? 1 : 0;
        for (size_t r = 0; r < order.size() && r < 10; ++r)
            if (label[order[r]])
                dcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
        for (int r = 0; r < positives && r < 10; ++r)
            ideal += 1.0 / std::log2(static_cast<double>(r) + 2.0);
        return ideal > 0.0 ? dcg / ideal : 0.0;
    }

    const RankerHoldoutSet& m_set;
    std::vector<size_t> m_validationLists;
    std::vector<std::pair<int32_t, int32_t>> m_allRows;  // every positive, grouped by list
    int32_t m_perList = 0;
    std::vector<int32_t> m_len;
    std::vector<int32_t> m_negCount;
};

RankerNetConfig configFrom(const ParamValues& p, int32_t numUsers, int32_t numItems, int numGenres,
                           bool years) {
    RankerNetConfig c;
    c.numUsers = numUsers;
    c.numItems = numItems;
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
                       const TwoTowerModel& retriever, const torch::Device& device) {
    m = RankerModel::Impl{};
    m.device = device;
    m.retriever = &retriever;
    m.numUsers = data.numUsers;
    m.numItems = data.numItems;
    ItemFeatures features = ItemFeatures::fromDataset(data.dataset, data.numItems);
    m.net = RankerNet(
        configFrom(params, data.numUsers, data.numItems, features.numGenres, features.hasYears));
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
        {"embedding", T::Int, "32", 2, 1024, {}, "User and item ID embedding size"},
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
         "softmax",
         0,
         0,
         {"bce", "bpr", "softmax"},
         "Training loss (softmax: each positive against its own negatives)"},
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
        const ItemFeatures features = resetImpl(m, m_params, data, retriever, parsed.value());
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
        TrainConfig tc;
        tc.epochs = static_cast<int>(m_params.getInt("epochs"));
        tc.patience = static_cast<int>(m_params.getInt("patience"));
        tc.learningRate = m_params.getFloat("lr");
        tc.metric = "ndcg@10";
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
        TrainConfig tc;
        tc.epochs = static_cast<int>(m_params.getInt("epochs"));
        tc.patience = static_cast<int>(m_params.getInt("patience"));
        tc.learningRate = m_params.getFloat("lr");
        tc.metric = "ndcg@10";
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
                             const float* scores, const float* ranks) const {
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
    torch::Tensor rs, rr;
    if (m.net->config().retrieverScore)
        rs = scores ? torch::from_blob(const_cast<float*>(scores), {n}, torch::kFloat)
                          .clone()
                          .to(m.device)
                    : m.retrieverScores(users, items, n);
    if (m.net->config().retrieverRank)
        rr = ranks ? torch::from_blob(const_cast<float*>(ranks), {n}, torch::kFloat)
                         .clone()
                         .to(m.device)
                   : torch::ones({n}, torch::TensorOptions().device(m.device));
    auto logits =
        m.net->forward(torch::tensor(u, torch::kLong).to(m.device),
                       torch::tensor(i, torch::kLong).to(m.device), torch::tensor(ku).to(m.device),
                       torch::tensor(ki).to(m.device), rs, rr, m.contextInputs(users, items, n));
    copyToHost(logits, out);
}

Status RankerModel::save(const std::string& path) const {
    const auto& m = *m_impl;
    if (!m.net)
        return makeError("ranker: nothing to save before fit()");
    try {
        torch::serialize::OutputArchive archive;
        m.net->save(archive);
        writeParams(archive, m_params);
        const auto& c = m.net->config();
        archive.write(
            "shape",
            torch::tensor({static_cast<int64_t>(c.numUsers), static_cast<int64_t>(c.numItems),
                           static_cast<int64_t>(c.numGenres), static_cast<int64_t>(c.years)}));
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
        archive.load_from(path);
        auto saved = readParams(archive);
        // Files from before holdout training have no train_on and no rank input.
        saved.emplace("train_on", "train");
        saved.emplace("context", "false");
        if (auto st = configure(saved); !st)
            return Status(makeError(st.error().message, path));
        torch::Tensor shape;
        archive.read("shape", shape);
        Impl m;
        m.numUsers = static_cast<int32_t>(shape[0].item<int64_t>());
        m.numItems = static_cast<int32_t>(shape[1].item<int64_t>());
        m.retriever = &retriever;
        m.net = RankerNet(configFrom(m_params, m.numUsers, m.numItems,
                                     static_cast<int>(shape[2].item<int64_t>()),
                                     shape[3].item<int64_t>() != 0));
        m.net->load(archive);
        m.net->eval();
        if (m.net->config().contextFeatures > 0) {
            auto readLong = [&archive](const char* key) {
                torch::Tensor t;
                archive.read(key, t);
                t = t.to(torch::kLong).contiguous();
                return std::vector<int64_t>(t.data_ptr<int64_t>(),
                                            t.data_ptr<int64_t>() + t.numel());
            };
            auto readInt = [&archive](const char* key) {
                torch::Tensor t;
                archive.read(key, t);
                t = t.to(torch::kInt).contiguous();
                return std::vector<int32_t>(t.data_ptr<int32_t>(),
                                            t.data_ptr<int32_t>() + t.numel());
            };
            auto& x = m.context;
            x.userLast = readLong("ctx_user_last");
            x.userCount = readInt("ctx_user_count");
            x.itemFirst = readLong("ctx_item_first");
            x.bucketStarts = readLong("ctx_bucket_starts");
            x.bucketCounts = readInt("ctx_bucket_counts");
            if (x.userCount.size() != x.userLast.size() ||
                x.bucketStarts.size() != static_cast<size_t>(ContextFeatures::kBuckets) ||
                x.bucketCounts.size() != x.itemFirst.size() * ContextFeatures::kBuckets)
                return makeError("ranker: context tables do not match", path);
        }
        *m_impl = std::move(m);
    } catch (const std::exception& e) {
        return makeError(std::string("ranker load failed: ") + e.what(), path);
    }
    return {};
}

}  // namespace recscope
