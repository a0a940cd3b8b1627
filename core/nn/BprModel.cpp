#include "core/nn/BprModel.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <random>

#include "core/dist/DataParallel.h"
#include "core/models/Compute.h"
#include "core/models/FoldIn.h"
#include "core/models/TrainData.h"
#include "core/nn/BprCpuKernel.h"
#include "core/nn/TorchSupport.h"
#include "core/train/CounterRandom.h"
#include "core/train/EpochTrainer.h"
#include "core/train/ScatterShuffle.h"
#include "core/train/ShuffledPairs.h"
#include "core/train/TrainNegativeSampler.h"

namespace recscope {

namespace {
constexpr float kInitStd = 0.1f;
}

struct BprModel::State {
    torch::Device device{torch::kCPU};
    torch::Tensor userFactors;  // users x factors
    torch::Tensor itemFactors;  // items x factors
    torch::Tensor itemBias;     // items (zeros and frozen when item_bias is off)
    std::vector<uint8_t> cold;  // users without training positives
    std::vector<float> popularity;
    int32_t items = 0;
};

namespace {

// One epoch = every training positive once, in a fresh order, each with one sampled negative.
class BprTraining : public EpochModel {
public:
    BprTraining(torch::Tensor& p, torch::Tensor& q, torch::Tensor& b, const TrainData& data,
                const ParamValues& params, uint64_t seed, bool fused, bool hogwild,
                DataParallel* parallel)
        : m_p(p),
          m_q(q),
          m_b(b),
          m_pairs(data.positives),
          m_sampler(data.positives, params.getString("sampler") == "popularity"
                                        ? NegativeKind::Popularity
                                        : NegativeKind::Uniform),
          m_seed(seed),
          m_batch(params.getInt("batch_size")),
          m_lr(float(params.getFloat("lr"))),
          m_reg(float(params.getFloat("weight_decay"))),
          m_biasReg(params.getBool("item_bias") ? float(params.getFloat("weight_decay")) : 0.0f),
          m_useBias(params.getBool("item_bias")),
          m_hogwild(hogwild),
          m_parallel(parallel) {
        broadcastFromLeader(m_parallel, {m_p, m_q, m_b});
        if (fused || hogwild) {
            m_kernel = std::make_unique<BprCpuKernel>(
                p.data_ptr<float>(), q.data_ptr<float>(), m_useBias ? b.data_ptr<float>() : nullptr,
                int32_t(p.size(0)), int32_t(q.size(0)), int32_t(p.size(1)), computeThreads());
        }
        // Hogwild updates per triplet, so batch_size does not change the arithmetic: it only
        // sets how often the loss is reported. Chunks big enough to share among the threads.
        if (hogwild)
            m_batch = std::max<int64_t>(m_batch, 8192 * int64_t(m_kernel->threads()));
    }

    int64_t beginEpoch(int epoch) override {
        if (m_hogwild) {
            hogwildEpoch(epoch);
            return (m_pairs.size() + m_batch - 1) / m_batch;
        }
        m_pairs.shuffle(m_seed, epoch);
        m_negatives.resize(size_t(m_pairs.size()));
        m_sampler.fill(m_pairs.users(), m_pairs.size(),
                       CounterRandom::at(m_seed, 0x6e6567ULL + uint64_t(epoch)), 0,
                       m_negatives.data(), computeThreads());
        return (m_pairs.size() + m_batch - 1) / m_batch;
    }

    double trainBatch(int64_t batch) override {
        const int64_t begin = batch * m_batch;
        const int64_t n = std::min(m_pairs.size(), begin + m_batch) - begin;
        if (m_hogwild)
            return m_kernel->stepHogwild(m_hogUsers.data() + begin, m_hogItems.data() + begin,
                                         m_negatives.data() + begin, n, m_lr, m_reg, m_biasReg);
        const int32_t* u = m_pairs.users() + begin;
        const int32_t* i = m_pairs.items() + begin;
        const int32_t* j = m_negatives.data() + begin;
        if (m_kernel)
            return m_kernel->step(u, i, j, n, m_lr, m_reg, m_biasReg);
        return autogradStep(u, i, j, n);
    }

    int64_t epochSamples() const override { return m_pairs.size(); }  // triplets

    void snapshot() override { m_best = {m_p.clone(), m_q.clone(), m_b.clone()}; }
    void restoreSnapshot() override {
        torch::NoGradGuard noGrad;
        m_p.copy_(m_best[0]);
        m_q.copy_(m_best[1]);
        m_b.copy_(m_best[2]);
    }

private:
    // The hogwild epoch's triplets, made in two cache-friendly passes instead of a shuffle of
    // 8-byte indices and three gathers: each positive's negative drawn in the stored
    // (user-major) order, where the user's row is in cache for the check that it is no
    // positive, then the triplets scatter-shuffled together. m_pairs stays unshuffled.
    void hogwildEpoch(int epoch) {
        const int64_t n = m_pairs.size();
        m_ordered.resize(size_t(n));
        m_hogUsers.resize(size_t(n));
        m_hogItems.resize(size_t(n));
        m_negatives.resize(size_t(n));
        m_sampler.fill(m_pairs.users(), n, CounterRandom::at(m_seed, 0x6e6567ULL + uint64_t(epoch)),
                       0, m_ordered.data(), computeThreads());
        scatterShuffle<3>({m_pairs.users(), m_pairs.items(), m_ordered.data()},
                          {m_hogUsers.data(), m_hogItems.data(), m_negatives.data()}, n,
                          CounterRandom::mix(m_seed ^ (uint64_t(epoch) * 0x9e3779b97f4a7c15ULL)));
    }

    // The device-agnostic step with the kernel's exact semantics: gradients of the gathered
    // rows, then a sparse SGD update with index_add_ (duplicates summed). Data-parallel, each
    // rank differentiates its shard of the batch and the ranks exchange those gradient rows
    // (not the tables): every rank then applies the whole batch's update.
    double autogradStep(const int32_t* u, const int32_t* i, const int32_t* j, int64_t n) {
        const BatchShard mine = localShard(m_parallel, 0, n);
        auto [rows, lossSum] =
            rowGradients(u + mine.begin, i + mine.begin, j + mine.begin, mine.size());
        if (m_parallel) {
            rows = m_parallel->gatherRows(rows, 0, n);
            lossSum = m_parallel->allReduceLoss(lossSum);
        }
        torch::NoGradGuard noGrad;
        const auto device = m_p.device();
        const int64_t f = m_p.size(1);
        auto U = indexTensor(u, n, device);
        auto I = indexTensor(i, n, device);
        auto J = indexTensor(j, n, device);
        m_p.index_add_(0, U, rows.narrow(1, 0, f) * -m_lr);
        m_q.index_add_(0, I, rows.narrow(1, f, f) * -m_lr);
        m_q.index_add_(0, J, rows.narrow(1, 2 * f, f) * -m_lr);
        if (m_useBias) {
            m_b.index_add_(0, I, rows.select(1, 3 * f) * -m_lr);
            m_b.index_add_(0, J, rows.select(1, 3 * f + 1) * -m_lr);
        }
        return lossSum / double(n);
    }

    // Per example of (u, i, j): the gradient of the loss with respect to the rows it gathers,
    // [d p_u | d q_i | d q_j | d b_i | d b_j] (n x (3 factors + 2), bias columns zero without
    // item_bias), and the summed BPR loss (regularisation excluded).
    std::pair<torch::Tensor, double> rowGradients(const int32_t* u, const int32_t* i,
                                                  const int32_t* j, int64_t n) {
        const auto device = m_p.device();
        if (n == 0)
            return {torch::zeros({0, 3 * m_p.size(1) + 2}, m_p.options()), 0.0};
        auto U = indexTensor(u, n, device);
        auto I = indexTensor(i, n, device);
        auto J = indexTensor(j, n, device);
        auto pu = m_p.index_select(0, U).requires_grad_();
        auto qi = m_q.index_select(0, I).requires_grad_();
        auto qj = m_q.index_select(0, J).requires_grad_();
        auto bi = m_b.index_select(0, I).requires_grad_(m_useBias);
        auto bj = m_b.index_select(0, J).requires_grad_(m_useBias);
        auto x = (pu * (qi - qj)).sum(1) + bi - bj;
        auto bpr = torch::softplus(-x).sum();
        auto loss =
            bpr + 0.5f * m_reg * (pu.square().sum() + qi.square().sum() + qj.square().sum());
        if (m_useBias)
            loss = loss + 0.5f * m_biasReg * (bi.square().sum() + bj.square().sum());
        loss.backward();
        auto biasGrad = [&](const torch::Tensor& t) {
            return m_useBias ? t.grad().unsqueeze(1) : torch::zeros({n, 1}, m_p.options());
        };
        return {torch::cat({pu.grad(), qi.grad(), qj.grad(), biasGrad(bi), biasGrad(bj)}, 1),
                bpr.item<double>()};
    }

    torch::Tensor& m_p;
    torch::Tensor& m_q;
    torch::Tensor& m_b;
    ShuffledPairs m_pairs;
    TrainNegativeSampler m_sampler;
    std::vector<int32_t> m_negatives;
    std::vector<int32_t> m_ordered, m_hogUsers, m_hogItems;  // hogwild: see hogwildEpoch()
    uint64_t m_seed;
    int64_t m_batch;
    float m_lr, m_reg, m_biasReg;
    bool m_useBias;
    bool m_hogwild;
    DataParallel* m_parallel;
    std::unique_ptr<BprCpuKernel> m_kernel;
    std::vector<torch::Tensor> m_best;
};

}  // namespace

BprModel::BprModel() : m_state(std::make_unique<State>()) {}
BprModel::~BprModel() = default;

std::vector<ParamSpec> BprModel::paramSpecs() const {
    std::vector<ParamSpec> specs;
    specs.push_back(
        {"factors", ParamType::Int, "64", 1, 1024, {}, "Latent factors per user and item"});
    for (auto& s : epochParamSpecs(60, 1024, 0.05, 0.005, 10))
        specs.push_back(s);
    specs.push_back({"sampler",
                     ParamType::Choice,
                     "uniform",
                     0,
                     0,
                     {"uniform", "popularity"},
                     "Negatives drawn uniformly or in proportion to popularity (harder)"});
    specs.push_back({"item_bias",
                     ParamType::Bool,
                     "true",
                     0,
                     0,
                     {},
                     "Learn a per-item bias next to the factors"});
    specs.push_back({"kernel",
                     ParamType::Choice,
                     "auto",
                     0,
                     0,
                     {"auto", "fused", "autograd", "hogwild"},
                     "auto: fused kernel on CPU, autograd on CUDA (same results). hogwild: "
                     "per-triplet SGD on all CPU threads at once without locks, as implicit "
                     "does; fastest on large data, not bit-reproducible with several threads"});
    return specs;
}

Status BprModel::fit(const TrainData& data, const FitContext& context) {
    try {
        auto device = parseTorchDevice(context.device);
        if (!device)
            return device.error();
        if (data.positives.nnz() == 0)
            return makeError("bpr: the training part has no positive interactions");
        prepareTorch(context.seed);
        const auto& params = m_params;
        const std::string kernel = params.getString("kernel");
        // The fused and hogwild kernels update the tables in place without gradients to
        // exchange: a data-parallel run takes the autograd step.
        const bool hogwild = kernel == "hogwild";
        const bool fused =
            device.value().is_cpu() && kernel != "autograd" && !hogwild && !context.parallel;
        if ((kernel == "fused" || hogwild) && !device.value().is_cpu())
            return makeError("bpr: the " + kernel +
                             " kernel runs on the CPU only (use kernel=auto)");
        if ((kernel == "fused" || hogwild) && context.parallel)
            return makeError("bpr: the " + kernel +
                             " kernel cannot train data-parallel (use kernel=auto)");

        State& s = *m_state;
        const int64_t factors = params.getInt("factors");
        s.device = device.value();
        s.items = data.numItems;
        // Initialised on the CPU so the weights are identical for every device.
        s.userFactors = (torch::randn({data.numUsers, factors}) * kInitStd).to(s.device);
        s.itemFactors = (torch::randn({data.numItems, factors}) * kInitStd).to(s.device);
        s.itemBias = torch::zeros({data.numItems}).to(s.device);
        s.cold = coldUserMask(data);
        s.popularity = popularityScores(data);

        BprTraining training(s.userFactors, s.itemFactors, s.itemBias, data, params, context.seed,
                             fused, hogwild, context.parallel);
        TrainConfig config = epochTrainConfig(params);
        EpochTrainer trainer(config);
        trainer.setSampledValidation(
            [&](std::vector<int32_t> users) {
                return EpochTrainer::evaluatorValidation(*this, data, context.cancel,
                                                         std::move(users));
            },
            validationSample(data, params, context.seed));
        trainer.setWatchModel(this, &data);
        auto summary = trainer.run(training, context);
        if (!summary)
            return summary.error();
    } catch (const std::exception& e) {
        return makeError(std::string("bpr: ") + e.what());
    }
    return {};
}

bool BprModel::canDistribute() const {
    const auto& values = m_params.values();
    const auto it = values.find("kernel");
    return it == values.end() || (it->second != "fused" && it->second != "hogwild");
}

int32_t BprModel::numItems() const {
    return m_state->items;
}

void BprModel::scoreUsers(const int32_t* users, int64_t n, float* out) const {
    const State& s = *m_state;
    if (n <= 0 || !s.userFactors.defined())
        return;
    torch::NoGradGuard noGrad;
    auto idx = indexTensor(users, n, s.device);
    auto pu = s.userFactors.index_select(0, idx);
    if (s.device.is_cpu()) {
        // Straight into the caller's buffer: no n x items temporary.
        auto scores = torch::from_blob(out, {n, int64_t(s.items)}, torch::kFloat32);
        torch::mm_out(scores, pu, s.itemFactors.t());
        scores.add_(s.itemBias.unsqueeze(0));
    } else {
        copyToHost(torch::addmm(s.itemBias.unsqueeze(0), pu, s.itemFactors.t()), out);
    }
    fillColdUsers(users, n, s.cold, s.popularity, out);
}

Status BprModel::scoreHistory(const std::vector<HistoryEntry>& history, float* out) const {
    const State& s = *m_state;
    if (!s.itemFactors.defined())
        return Status(notTrainedForFoldIn(name()));
    const std::vector<int32_t> positives = historyItems(history, s.items, true);
    if (positives.empty()) {
        std::copy(s.popularity.begin(), s.popularity.end(), out);
        return {};
    }
    const auto q = s.itemFactors.to(torch::kCPU).contiguous();
    const auto b = s.itemBias.to(torch::kCPU).contiguous();
    const float* qp = q.data_ptr<float>();
    const float* bp = b.data_ptr<float>();
    const int64_t dim = q.size(1);
    const int32_t items = s.items;
    const float lr = float(m_params.getFloat("lr"));
    const float reg = float(m_params.getFloat("weight_decay"));
    const int64_t passes = m_params.getInt("epochs");
    std::vector<float> p(size_t(dim), 0.0f);
    std::vector<int32_t> order(positives);
    std::mt19937_64 rng(0x62707266ULL);  // fixed: the same history always gives the same vector
    std::uniform_int_distribution<int32_t> anyItem(0, items - 1);
    const bool canSample = int64_t(positives.size()) < int64_t(items);
    for (int64_t pass = 0; pass < passes && canSample; ++pass) {
        std::shuffle(order.begin(), order.end(), rng);
        for (int32_t i : order) {
            int32_t j = anyItem(rng);
            while (std::binary_search(positives.begin(), positives.end(), j))
                j = anyItem(rng);
            const float* qi = qp + int64_t(i) * dim;
            const float* qj = qp + int64_t(j) * dim;
            float x = bp[i] - bp[j];
            for (int64_t k = 0; k < dim; ++k)
                x += p[size_t(k)] * (qi[k] - qj[k]);
            const float g = 1.0f / (1.0f + std::exp(x));  // sigmoid(-x)
            for (int64_t k = 0; k < dim; ++k)
                p[size_t(k)] += lr * (g * (qi[k] - qj[k]) - reg * p[size_t(k)]);
        }
    }
    Eigen::Map<Eigen::VectorXf>(out, items).noalias() =
        Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            qp, items, dim) *
            Eigen::Map<const Eigen::VectorXf>(p.data(), dim) +
        Eigen::Map<const Eigen::VectorXf>(bp, items);
    return {};
}

EmbeddingTable BprModel::itemEmbeddings() const {
    return embeddingTable(m_state->itemFactors);
}

EmbeddingTable BprModel::userEmbeddings() const {
    return embeddingTable(m_state->userFactors);
}

bool BprModel::itemSimilarities(int32_t item, const int32_t* items, int64_t n, float* out) const {
    const EmbeddingTable t = itemEmbeddings();
    embeddingCosines(t.values.data(), t.rows, t.dim, item, items, n, out);
    return true;
}

Status BprModel::save(const std::string& path) const {
    const State& s = *m_state;
    if (!s.userFactors.defined())
        return makeError("bpr: nothing to save, the model is not trained");
    auto cold = torch::from_blob(const_cast<uint8_t*>(s.cold.data()), {int64_t(s.cold.size())},
                                 torch::kUInt8);
    auto pop = torch::from_blob(const_cast<float*>(s.popularity.data()),
                                {int64_t(s.popularity.size())}, torch::kFloat32);
    return saveModelArchive(path, name(), m_params,
                            {{"user_factors", s.userFactors},
                             {"item_factors", s.itemFactors},
                             {"item_bias", s.itemBias},
                             {"cold", cold},
                             {"popularity", pop}});
}

Status BprModel::load(const std::string& path) {
    auto archive = loadModelArchive(
        path, name(), {"user_factors", "item_factors", "item_bias", "cold", "popularity"});
    if (!archive)
        return archive.error();
    auto status = configure(archive->params);
    if (!status)
        return status;
    auto& t = archive->tensors;
    State& s = *m_state;
    s.device = torch::kCPU;
    s.userFactors = t["user_factors"].contiguous();
    s.itemFactors = t["item_factors"].contiguous();
    s.itemBias = t["item_bias"].contiguous();
    if (s.userFactors.dim() != 2 || s.itemFactors.dim() != 2 ||
        s.userFactors.size(1) != s.itemFactors.size(1) ||
        s.itemBias.numel() != s.itemFactors.size(0))
        return makeError("bpr: inconsistent tensor shapes in the model file", path);
    s.items = int32_t(s.itemFactors.size(0));
    auto cold = t["cold"].contiguous();
    auto pop = t["popularity"].contiguous();
    s.cold.assign(cold.data_ptr<uint8_t>(), cold.data_ptr<uint8_t>() + cold.numel());
    s.popularity.assign(pop.data_ptr<float>(), pop.data_ptr<float>() + pop.numel());
    return {};
}

}  // namespace recscope
