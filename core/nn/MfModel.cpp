#include "core/nn/MfModel.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/models/FoldIn.h"
#include "core/models/TrainData.h"
#include "core/nn/TorchSupport.h"
#include "core/train/EpochTrainer.h"
#include "core/train/ShuffledPairs.h"

namespace recscope {

namespace {
constexpr float kInitStd = 0.1f;
}

struct MfModel::State {
    torch::Device device{torch::kCPU};
    torch::Tensor userFactors, itemFactors;  // users x f, items x f
    torch::Tensor userBias, itemBias;        // users, items
    float mean = 0.0f;                       // global bias: the training mean rating
    float minRating = 1.0f, maxRating = 5.0f;
    int32_t users = 0, items = 0;
};

namespace {

class MfTraining : public EpochModel {
public:
    MfTraining(MfModel::State& s, const TrainData& data, const ParamValues& params, uint64_t seed)
        : m_s(s),
          m_pairs(data.allRatings),
          m_seed(seed),
          m_batch(params.getInt("batch_size")),
          m_lr(float(params.getFloat("lr"))),
          m_reg(float(params.getFloat("weight_decay"))),
          m_adam(params.getString("optimizer") == "adam") {
        if (m_adam) {
            for (auto* t : {&s.userFactors, &s.itemFactors, &s.userBias, &s.itemBias})
                t->requires_grad_(true);
            m_optimizer = std::make_unique<torch::optim::Adam>(
                std::vector<torch::Tensor>{s.userFactors, s.itemFactors, s.userBias, s.itemBias},
                torch::optim::AdamOptions(m_lr));
        }
    }
    ~MfTraining() override {
        for (auto* t : {&m_s.userFactors, &m_s.itemFactors, &m_s.userBias, &m_s.itemBias})
            t->requires_grad_(false);
    }

    int64_t beginEpoch(int epoch) override {
        m_pairs.shuffle(m_seed, epoch);
        return (m_pairs.size() + m_batch - 1) / m_batch;
    }

    double trainBatch(int64_t batch) override {
        const int64_t begin = batch * m_batch;
        const int64_t n = std::min(m_pairs.size(), begin + m_batch) - begin;
        const auto device = m_s.device;
        auto U = indexTensor(m_pairs.users() + begin, n, device);
        auto I = indexTensor(m_pairs.items() + begin, n, device);
        auto r = torch::from_blob(const_cast<float*>(m_pairs.values() + begin), {n}).to(device);
        auto pu = m_s.userFactors.index_select(0, U);
        auto qi = m_s.itemFactors.index_select(0, I);
        auto bu = m_s.userBias.index_select(0, U);
        auto bi = m_s.itemBias.index_select(0, I);
        auto err = (pu * qi).sum(1) + bu + bi + m_s.mean - r;
        if (m_adam) {
            auto loss = 0.5f * err.square().mean() +
                        0.5f * m_reg * (pu.square().sum(1) + qi.square().sum(1)).mean();
            m_optimizer->zero_grad();
            loss.backward();
            m_optimizer->step();
            return err.detach().square().mean().item<double>();
        }
        // Sparse SGD on 1/2 err^2 + reg/2 (|p_u|^2 + |q_i|^2 + b_u^2 + b_i^2) per rating, all
        // gradients at the weights before the batch (the same as autograd + index_add_).
        torch::NoGradGuard noGrad;
        auto e = err.unsqueeze(1);
        m_s.userFactors.index_add_(0, U, (e * qi + m_reg * pu) * -m_lr);
        m_s.itemFactors.index_add_(0, I, (e * pu + m_reg * qi) * -m_lr);
        m_s.userBias.index_add_(0, U, (err + m_reg * bu) * -m_lr);
        m_s.itemBias.index_add_(0, I, (err + m_reg * bi) * -m_lr);
        return err.square().mean().item<double>();
    }

    void snapshot() override {
        torch::NoGradGuard noGrad;
        m_best = {m_s.userFactors.clone(), m_s.itemFactors.clone(), m_s.userBias.clone(),
                  m_s.itemBias.clone()};
    }
    void restoreSnapshot() override {
        torch::NoGradGuard noGrad;
        m_s.userFactors.copy_(m_best[0]);
        m_s.itemFactors.copy_(m_best[1]);
        m_s.userBias.copy_(m_best[2]);
        m_s.itemBias.copy_(m_best[3]);
    }

private:
    MfModel::State& m_s;
    ShuffledPairs m_pairs;
    uint64_t m_seed;
    int64_t m_batch;
    float m_lr, m_reg;
    bool m_adam;
    std::unique_ptr<torch::optim::Adam> m_optimizer;
    std::vector<torch::Tensor> m_best;
};

}  // namespace

MfModel::MfModel() : m_state(std::make_unique<State>()) {}
MfModel::~MfModel() = default;

std::vector<ParamSpec> MfModel::paramSpecs() const {
    std::vector<ParamSpec> specs;
    specs.push_back(
        {"factors", ParamType::Int, "64", 1, 1024, {}, "Latent factors per user and item"});
    for (auto& s : epochParamSpecs(40, 256, 0.01, 0.1, 5))
        specs.push_back(s);
    specs.push_back({"optimizer",
                     ParamType::Choice,
                     "sgd",
                     0,
                     0,
                     {"sgd", "adam"},
                     "SGD with sparse row updates (classic) or Adam"});
    return specs;
}

Status MfModel::fit(const TrainData& data, const FitContext& context) {
    try {
        auto device = parseTorchDevice(context.device);
        if (!device)
            return device.error();
        if (data.allRatings.nnz() == 0)
            return makeError("mf: the training part has no ratings");
        prepareTorch(context.seed);
        const auto& params = m_params;
        State& s = *m_state;
        const int64_t factors = params.getInt("factors");
        s.device = device.value();
        s.users = data.numUsers;
        s.items = data.numItems;
        const auto& values = data.allRatings.values;
        double sum = 0.0;
        for (float v : values)
            sum += v;
        s.mean = float(sum / double(values.size()));
        s.minRating = *std::min_element(values.begin(), values.end());
        s.maxRating = *std::max_element(values.begin(), values.end());
        s.userFactors = (torch::randn({data.numUsers, factors}) * kInitStd).to(s.device);
        s.itemFactors = (torch::randn({data.numItems, factors}) * kInitStd).to(s.device);
        s.userBias = torch::zeros({data.numUsers}).to(s.device);
        s.itemBias = torch::zeros({data.numItems}).to(s.device);

        MfTraining training(s, data, params, context.seed);
        TrainConfig config = epochTrainConfig(params);
        config.metric = "rmse";
        config.higherIsBetter = false;
        EpochTrainer trainer(config);
        trainer.setValidator(EpochTrainer::evaluatorValidation(*this, data, context.cancel));
        trainer.setWatchModel(this, &data);
        auto summary = trainer.run(training, context);
        if (!summary)
            return summary.error();
    } catch (const std::exception& e) {
        return makeError(std::string("mf: ") + e.what());
    }
    return {};
}

int32_t MfModel::numItems() const {
    return m_state->items;
}

void MfModel::scoreUsers(const int32_t* users, int64_t n, float* out) const {
    const State& s = *m_state;
    if (n <= 0 || !s.userFactors.defined())
        return;
    torch::NoGradGuard noGrad;
    auto idx = indexTensor(users, n, s.device);
    auto scores = torch::addmm(s.itemBias.unsqueeze(0), s.userFactors.index_select(0, idx),
                               s.itemFactors.t());
    scores.add_(s.userBias.index_select(0, idx).unsqueeze(1)).add_(s.mean);
    // Ranking uses the raw prediction: clamped, every score above the scale's top would tie
    // (predictRatings clamps, for RMSE and MAE).
    copyToHost(scores, out);
}

void MfModel::predictRatings(const int32_t* users, const int32_t* items, int64_t n,
                             float* out) const {
    const State& s = *m_state;
    if (n <= 0 || !s.userFactors.defined())
        return;
    torch::NoGradGuard noGrad;
    auto U = indexTensor(users, n, s.device);
    auto I = indexTensor(items, n, s.device);
    auto pred = (s.userFactors.index_select(0, U) * s.itemFactors.index_select(0, I)).sum(1) +
                s.userBias.index_select(0, U) + s.itemBias.index_select(0, I) + s.mean;
    copyToHost(pred.clamp_(s.minRating, s.maxRating), out);
}

Status MfModel::scoreHistory(const std::vector<HistoryEntry>& history, float* out) const {
    const State& s = *m_state;
    if (!s.itemFactors.defined())
        return Status(notTrainedForFoldIn(name()));
    // The last rating of an item counts when the history lists it twice.
    std::map<int32_t, float> ratings;
    for (const HistoryEntry& e : history)
        if (e.item >= 0 && e.item < s.items && std::isfinite(e.rating))
            ratings[e.item] = e.rating;
    const auto q = s.itemFactors.to(torch::kCPU).contiguous();
    const auto bi = s.itemBias.to(torch::kCPU).contiguous();
    const int64_t f = q.size(1);
    const float* qp = q.data_ptr<float>();
    const float* bp = bi.data_ptr<float>();
    // Augmented rows [q_i, 1] so that the user bias is solved with the factors.
    const int32_t dim = int32_t(f + 1);
    std::vector<float> rows(size_t(s.items) * size_t(dim));
    for (int32_t i = 0; i < s.items; ++i) {
        std::copy(qp + int64_t(i) * f, qp + int64_t(i + 1) * f, rows.begin() + int64_t(i) * dim);
        rows[size_t(i) * size_t(dim) + size_t(f)] = 1.0f;
    }
    std::vector<float> x(size_t(dim), 0.0f);
    if (!ratings.empty()) {
        const float lambda = float(m_params.getFloat("weight_decay")) * float(ratings.size());
        std::vector<float> gram(size_t(dim) * size_t(dim), 0.0f);
        for (int32_t k = 0; k < dim; ++k)
            gram[size_t(k) * size_t(dim) + size_t(k)] = std::max(lambda, 1e-6f);
        std::vector<int32_t> ids;
        std::vector<float> targets;
        for (const auto& [i, r] : ratings) {
            ids.push_back(i);
            targets.push_back(r - s.mean - bp[i]);
        }
        x = solveUserVector(rows.data(), dim, gram.data(), ids,
                            std::vector<float>(ids.size(), 1.0f), targets);
    }
    for (int32_t i = 0; i < s.items; ++i) {
        const float* row = rows.data() + int64_t(i) * dim;
        float r = s.mean + bp[i];
        for (int32_t k = 0; k < dim; ++k)
            r += x[size_t(k)] * row[k];
        out[i] = r;  // unclamped, as scoreUsers()
    }
    return {};
}

EmbeddingTable MfModel::itemEmbeddings() const {
    return embeddingTable(m_state->itemFactors);
}

EmbeddingTable MfModel::userEmbeddings() const {
    return embeddingTable(m_state->userFactors);
}

bool MfModel::itemSimilarities(int32_t item, const int32_t* items, int64_t n, float* out) const {
    const EmbeddingTable t = itemEmbeddings();
    embeddingCosines(t.values.data(), t.rows, t.dim, item, items, n, out);
    return true;
}

Status MfModel::save(const std::string& path) const {
    const State& s = *m_state;
    if (!s.userFactors.defined())
        return makeError("mf: nothing to save, the model is not trained");
    auto scalars = torch::tensor({s.mean, s.minRating, s.maxRating});
    return saveModelArchive(path, name(), m_params,
                            {{"user_factors", s.userFactors},
                             {"item_factors", s.itemFactors},
                             {"user_bias", s.userBias},
                             {"item_bias", s.itemBias},
                             {"scalars", scalars}});
}

Status MfModel::load(const std::string& path) {
    auto archive = loadModelArchive(
        path, name(), {"user_factors", "item_factors", "user_bias", "item_bias", "scalars"});
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
    s.userBias = t["user_bias"].contiguous();
    s.itemBias = t["item_bias"].contiguous();
    auto scalars = t["scalars"].contiguous();
    if (s.userFactors.dim() != 2 || s.itemFactors.dim() != 2 ||
        s.userFactors.size(1) != s.itemFactors.size(1) ||
        s.userBias.numel() != s.userFactors.size(0) ||
        s.itemBias.numel() != s.itemFactors.size(0) || scalars.numel() != 3)
        return makeError("mf: inconsistent tensor shapes in the model file", path);
    s.users = int32_t(s.userFactors.size(0));
    s.items = int32_t(s.itemFactors.size(0));
    s.mean = scalars[0].item<float>();
    s.minRating = scalars[1].item<float>();
    s.maxRating = scalars[2].item<float>();
    return {};
}

}  // namespace recscope
