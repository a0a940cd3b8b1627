#pragma once
// Internal to the ranker (included by RankerModel.cpp only): its LibTorch state and the two
// training loops EpochTrainer drives (RankerModel.h describes both ways of training). Kept out
// of RankerModel.cpp so that the model's public side and its training read separately.

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include "core/dist/DataParallel.h"
#include "core/models/TrainData.h"
#include "core/nn/RankerModel.h"
#include "core/nn/RankerNet.h"
#include "core/nn/RowSparseAdam.h"
#include "core/nn/TorchSupport.h"
#include "core/pipeline/CandidateRetriever.h"
#include "core/pipeline/ContextFeatures.h"
#include "core/pipeline/RankerCandidates.h"
#include "core/split/Split.h"
#include "core/train/CounterRandom.h"
#include "core/train/EpochModel.h"
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

namespace ranker {

inline std::vector<int64_t> toLong(const int32_t* p, int64_t n) {
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
          m_opt(std::make_unique<TableAwareAdam>(impl.net->parameters(),
                                                 impl.net->embeddingTables(), p.getFloat("lr"),
                                                 p.getFloat("weight_decay"))) {}

public:
    // Data-parallel (FitContext::parallel; null for a plain run): starts from rank 0's weights
    // and trains on this rank's share of every batch's positives.
    void setParallel(DataParallel* parallel) {
        m_parallel = parallel;
        broadcastFromLeader(parallel, m_impl.net->parameters());
    }

    int64_t beginEpoch(int epoch) override {
        std::shuffle(m_rows.begin(), m_rows.end(), m_rng);
        m_epoch = epoch;
        m_samplesBefore = m_stats.samples;
        m_impl.net->train();
        const auto rows = static_cast<int64_t>(m_rows.size());
        return std::max<int64_t>(1, (rows + m_batch - 1) / m_batch);
    }

    // Rows scored this epoch (positives and their negatives), as optimise() counts them.
    int64_t epochSamples() const override { return m_stats.samples - m_samplesBefore; }

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
    // This rank's positive rows of the batch [begin, end) (all of them in a plain run); its
    // loss becomes that share of the batch's.
    BatchShard shardRows(int64_t begin, int64_t end) {
        const BatchShard mine = localShard(m_parallel, begin, end);
        m_share = mine.share;
        return mine;
    }
    // The step of a rank whose shard of the batch is empty: the others' gradients only.
    double emptyStep() {
        m_opt->zeroGrad();
        const double loss = syncGradients(m_parallel, m_impl.net->parameters(), 0.0);
        m_opt->step();
        return loss;
    }

    // Training forward over n pairs, with ID dropout.
    torch::Tensor forwardTrain(const std::vector<int32_t>& users, const std::vector<int32_t>& items,
                               const torch::Tensor& scores, const torch::Tensor& ranks,
                               const torch::Tensor& context, const torch::Tensor& second) {
        const auto n = static_cast<int64_t>(users.size());
        const auto& dev = m_impl.device;
        auto uid = torch::tensor(toLong(users.data(), n), torch::kLong).to(dev);
        auto iid = torch::tensor(toLong(items.data(), n), torch::kLong).to(dev);
        torch::Tensor keepU, keepI;
        if (m_dropout > 0.0) {
            keepU = torch::bernoulli(torch::full({n}, 1.0 - m_dropout)).to(dev);
            keepI = torch::bernoulli(torch::full({n}, 1.0 - m_dropout)).to(dev);
        }
        return m_impl.net->forward(uid, iid, keepU, keepI, scores, ranks, context, second);
    }

    // Backward and an optimiser step; counts n pairs; returns the loss (of the whole batch
    // when data-parallel: this rank's loss is scaled by its share of the batch first).
    double step(const torch::Tensor& batchLoss, int64_t n, Clock::time_point started) {
        const torch::Tensor loss = batchLoss * m_share;
        m_opt->zeroGrad();
        loss.backward();
        const double value =
            syncGradients(m_parallel, m_impl.net->parameters(), loss.item<double>());
        m_opt->step();
        m_stats.samples += n;
        m_stats.seconds += std::chrono::duration<double>(Clock::now() - started).count();
        return value;
    }

    // Forward (with ID dropout), loss, backward and an optimiser step over b positives followed
    // by b x k negatives; returns the loss.
    double optimise(const std::vector<int32_t>& users, const std::vector<int32_t>& items, int64_t b,
                    int k, const torch::Tensor& scores, const torch::Tensor& ranks,
                    const torch::Tensor& context, Clock::time_point started,
                    const torch::Tensor& second = {}) {
        const auto n = static_cast<int64_t>(users.size());
        auto logits = forwardTrain(users, items, scores, ranks, context, second);
        torch::Tensor loss;
        if (m_loss == "bpr" && k > 0) {
            auto pos = logits.slice(0, 0, b).unsqueeze(1);
            auto neg = logits.slice(0, b, n).view({b, k});
            loss = -torch::nn::functional::logsigmoid(pos - neg).mean();
        } else if ((m_loss == "softmax" || m_loss == "list") && k > 0) {
            // Sampled softmax: each positive against its own negatives (column 0 = positive).
            auto all = torch::cat(
                {logits.slice(0, 0, b).unsqueeze(1), logits.slice(0, b, n).view({b, k})}, 1);
            loss = -torch::log_softmax(all, 1).select(1, 0).mean();
        } else {
            auto labels = torch::zeros({n}, torch::TensorOptions().device(m_impl.device));
            labels.slice(0, 0, b).fill_(1.0);
            loss = torch::nn::functional::binary_cross_entropy_with_logits(logits, labels);
        }
        return step(loss, n, started);
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
    int64_t m_samplesBefore = 0;  // m_stats.samples when the epoch began
    // One entry per positive: (user, item), or (list row, position) for the holdout lists.
    std::vector<std::pair<int32_t, int32_t>> m_rows;
    std::unique_ptr<TableAwareAdam> m_opt;
    std::vector<torch::Tensor> m_best;
    DataParallel* m_parallel = nullptr;
    double m_share = 1.0;
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
        const BatchShard mine = shardRows(
            batch * m_batch,
            std::min<int64_t>(static_cast<int64_t>(m_rows.size()), (batch + 1) * m_batch));
        if (mine.empty())
            return emptyStep();
        const int64_t s = mine.begin;
        const int64_t e = mine.end;
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
        m_listwise = m_loss == "list";
        m_listsPerBatch = std::max<int64_t>(1, p.getInt("lists_per_batch"));
        for (const auto& [row, pos] : m_rows)
            if (m_trainLists.empty() || m_trainLists.back() != static_cast<size_t>(row))
                m_trainLists.push_back(static_cast<size_t>(row));
    }

    bool hasListValidation() const { return !m_validationLists.empty(); }

    // Each epoch draws at most list_positives positives per list (m_allRows is grouped by
    // list), so that every user weighs about the same, as in the per-user test metrics.
    int64_t beginEpoch(int epoch) override {
        if (m_listwise) {
            std::shuffle(m_trainLists.begin(), m_trainLists.end(), m_rng);
            m_epoch = epoch;
            m_impl.net->train();
            const auto lists = static_cast<int64_t>(m_trainLists.size());
            return std::max<int64_t>(1, (lists + m_listsPerBatch - 1) / m_listsPerBatch);
        }
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
        double sum = 0.0, firstSum = 0.0, secondSum = 0.0;
        const size_t chunk = 256;
        for (size_t c0 = 0; c0 < m_validationLists.size(); c0 += chunk) {
            const size_t c1 = std::min(m_validationLists.size(), c0 + chunk);
            std::vector<int32_t> users, items;
            std::vector<float> inputs;
            for (size_t c = c0; c < c1; ++c) {
                const size_t row = m_validationLists[c];
                for (int32_t j = 0; j < m_len[row]; ++j) {
                    users.push_back(lists.users[row]);
                    items.push_back(lists.items[row * width + static_cast<size_t>(j)]);
                    const float* in = lists.input(row, j);
                    inputs.insert(inputs.end(), in, in + RankerCandidates::kInputs);
                }
            }
            const auto n = static_cast<int64_t>(users.size());
            const auto& dev = m_impl.device;
            const PairInputs p = pairInputs(inputs, n);
            auto uid = torch::tensor(toLong(users.data(), n), torch::kLong).to(dev);
            auto iid = torch::tensor(toLong(items.data(), n), torch::kLong).to(dev);
            auto logits =
                m_impl.net
                    ->forward(uid, iid, {}, {}, p.scores, p.ranks,
                              m_impl.contextInputs(users.data(), items.data(), n, m_set.context),
                              p.second)
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
                if (lists.hasSecond) {
                    std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
                        return lists.input(row, a)[2] > lists.input(row, b)[2];
                    });
                    secondSum += ndcgAt10(label, order);
                }
                at += len;
            }
        }
        const auto count = static_cast<double>(std::max<size_t>(1, m_validationLists.size()));
        std::map<std::string, double> out{{"ndcg@10", sum / count},
                                          {"first_stage_ndcg@10", firstSum / count}};
        if (lists.hasSecond)
            out["second_model_ndcg@10"] = secondSum / count;
        return out;
    }

    int64_t rows() const { return static_cast<int64_t>(m_rows.size()); }

    double trainBatch(int64_t batch) override {
        if (m_listwise)
            return trainLists(batch);
        const auto t0 = std::chrono::steady_clock::now();
        const auto& lists = *m_set.lists;
        const size_t width = static_cast<size_t>(lists.perUser);
        const BatchShard mine =
            shardRows(batch * m_batch, std::min<int64_t>(rows(), (batch + 1) * m_batch));
        if (mine.empty())
            return emptyStep();
        const int64_t s = mine.begin;
        const int64_t e = mine.end;
        const int64_t b = e - s;
        const int k = m_negatives;
        const size_t total = static_cast<size_t>(b * (1 + k));
        constexpr int kIn = RankerCandidates::kInputs;
        std::vector<int32_t> users(total), items(total);
        // A uniform item is in no list: retriever rank 1, second score 0 and rank 1 (only drawn
        // without a second model, or when a list has no negative).
        std::vector<float> inputs(total * kIn, 0.0f);
        std::vector<size_t> uniform;  // slots whose score comes from the first stage's vectors
        const uint64_t epochSeed = m_seed + 0x9e37ULL * static_cast<uint64_t>(m_epoch);
        const double hardRatio = lists.hasSecond ? 1.0 : m_hardRatio;
        auto fromList = [&](size_t at, size_t row, int32_t pos) {
            items[at] = lists.items[row * width + static_cast<size_t>(pos)];
            const float* in = lists.input(row, pos);
            std::copy(in, in + kIn, inputs.begin() + static_cast<std::ptrdiff_t>(at * kIn));
        };
        for (int64_t r = 0; r < b; ++r) {
            const auto [row, pos] = m_rows[static_cast<size_t>(s + r)];
            const auto lrow = static_cast<size_t>(row);
            const size_t base = lrow * width;
            const int32_t u = lists.users[lrow];
            users[static_cast<size_t>(r)] = u;
            fromList(static_cast<size_t>(r), lrow, pos);
            for (int j = 0; j < k; ++j) {
                const size_t at = static_cast<size_t>(b + r * k + j);
                const uint64_t counter = static_cast<uint64_t>((s + r) * k + j);
                users[at] = u;
                uint64_t bits = CounterRandom::at(epochSeed, counter);
                int32_t pick = -1;
                if (m_negCount[lrow] > 0 && CounterRandom::unit(bits) < hardRatio) {
                    const auto len = static_cast<uint64_t>(m_len[lrow]);
                    // Rejection: positives are a small share of a list.
                    for (int t = 0; t < 64 && pick < 0; ++t) {
                        bits = CounterRandom::mix(bits);
                        const auto c = static_cast<int32_t>(CounterRandom::below(bits, len));
                        if (!m_set.labels[base + static_cast<size_t>(c)])
                            pick = c;
                    }
                }
                if (pick >= 0) {
                    fromList(at, lrow, pick);
                } else {
                    items[at] = m_sampler.draw(u, m_seed + 0x51ULL * m_epoch, counter);
                    inputs[at * kIn + 1] = 1.0f;
                    inputs[at * kIn + 3] = 1.0f;
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
                inputs[uniform[q] * kIn] = t.data_ptr<float>()[q];
        }
        const auto ctx = m_impl.contextInputs(users.data(), items.data(),
                                              static_cast<int64_t>(total), m_set.context);
        const PairInputs p = pairInputs(inputs, static_cast<int64_t>(total));
        return optimise(users, items, b, k, p.scores, p.ranks, ctx, t0, p.second);
    }

    // Loss "list": whole lists, each positive against all the list's negatives.
    double trainLists(int64_t batch) {
        const auto t0 = std::chrono::steady_clock::now();
        const auto& lists = *m_set.lists;
        const size_t width = static_cast<size_t>(lists.perUser);
        const auto count = static_cast<int64_t>(m_trainLists.size());
        // Data-parallel: each rank takes its share of the batch's lists.
        const BatchShard mine =
            shardRows(batch * m_listsPerBatch, std::min(count, (batch + 1) * m_listsPerBatch));
        if (mine.empty())
            return emptyStep();
        const int64_t s = mine.begin;
        const int64_t e = mine.end;
        std::vector<int32_t> users, items;
        std::vector<float> inputs;
        std::vector<uint8_t> labels;
        std::vector<int64_t> offsets{0};
        for (int64_t b = s; b < e; ++b) {
            const size_t row = m_trainLists[static_cast<size_t>(b)];
            for (int32_t j = 0; j < m_len[row]; ++j) {
                users.push_back(lists.users[row]);
                items.push_back(lists.items[row * width + static_cast<size_t>(j)]);
                const float* in = lists.input(row, j);
                inputs.insert(inputs.end(), in, in + RankerCandidates::kInputs);
                labels.push_back(m_set.labels[row * width + static_cast<size_t>(j)]);
            }
            offsets.push_back(static_cast<int64_t>(users.size()));
        }
        const auto n = static_cast<int64_t>(users.size());
        const PairInputs p = pairInputs(inputs, n);
        const auto ctx = m_impl.contextInputs(users.data(), items.data(), n, m_set.context);
        auto logits = forwardTrain(users, items, p.scores, p.ranks, ctx, p.second);
        return step(listSoftmaxLoss(logits, offsets, labels), n, t0);
    }

private:
    struct PairInputs {
        torch::Tensor scores, ranks, second;  // second: undefined when the net takes none
    };
    // Splits n x kInputs pair inputs into the net's input tensors.
    PairInputs pairInputs(const std::vector<float>& inputs, int64_t n) const {
        auto all = torch::tensor(inputs).view({n, RankerCandidates::kInputs}).to(m_impl.device);
        PairInputs p;
        p.scores = all.select(1, 0).contiguous();
        p.ranks = all.select(1, 1).contiguous();
        if (m_impl.net->config().secondInputs > 0)
            p.second = all.slice(1, 2, 2 + RankerCandidates::kSecondInputs).contiguous();
        return p;
    }

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
    bool m_listwise = false;
    int64_t m_listsPerBatch = 32;
    std::vector<size_t> m_trainLists;  // loss "list": the training lists, shuffled per epoch
    std::vector<int32_t> m_len;
    std::vector<int32_t> m_negCount;
};

}  // namespace ranker
}  // namespace recscope
