#include "core/nn/NcfRecommender.h"

#include <Eigen/Dense>
#include <algorithm>
#include <functional>
#include <random>

#include "core/eval/Evaluator.h"
#include "core/models/Compute.h"
#include "core/models/FoldIn.h"
#include "core/models/TrainData.h"
#include "core/nn/NcfNet.h"
#include "core/nn/TorchSupport.h"
#include "core/split/Split.h"
#include "core/train/CounterRandom.h"
#include "core/train/EpochTrainer.h"
#include "core/train/ShuffledPairs.h"
#include "core/train/TrainNegativeSampler.h"

namespace recscope {

struct NcfRecommender::State {
    torch::Device device{torch::kCPU};
    NcfNet net{nullptr};
    std::vector<uint8_t> cold;
    std::vector<float> popularity;
    int32_t users = 0, items = 0;
};

namespace {

// The early-stopping metric. NDCG@100 was tried (a less noisy signal with one validation item
// per user) but on ml-latest-small's temporal split it stopped NeuralMF after one epoch, at a
// model no better than popularity; NDCG@10 matches what the tables report.
const char* const kValidationMetric = "ndcg@10";

// Fold-in optimiser: enough Adam steps for a zero-initialised user embedding to settle on
// ML-100K-sized histories while staying well under the 0.3 s an edit may take.
constexpr int kFoldInSteps = 150;
constexpr int64_t kFoldInBatch = 64;
constexpr float kFoldInLearningRate = 0.05f;

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

RowMatrixF hostMatrix(const torch::Tensor& t) {
    const auto c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    const int64_t cols = c.dim() == 2 ? c.size(1) : 1;
    return Eigen::Map<const RowMatrixF>(c.data_ptr<float>(), c.size(0), cols);
}

// The user-embedding fold-in of an NCF net, by hand: the loss is the training loss (mean
// BCE over the positives and `negatives` uniform non-positives each, resampled every step
// from a fixed seed) as a function of the user's GMF and MLP embeddings only; forward,
// backward and Adam in Eigen on the CPU, so a call costs milliseconds (LibTorch's per-op
// overhead dominated the autograd version) and never touches the net's gradients.
void foldInUser(const NcfNetImpl& net, const std::vector<int32_t>& positives, int negatives,
                Eigen::VectorXf& gmfUser, Eigen::VectorXf& mlpUser) {
    const NcfShape& shape = net.shape();
    const int64_t g = shape.gmfDim;
    const int64_t m = net.hasMlp() ? shape.mlpDim : 0;
    const int32_t items = int32_t(shape.items);
    const RowMatrixF outW = hostMatrix(net.outLayer()->weight);  // 1 x (g + last)
    const float outB = hostMatrix(net.outLayer()->bias)(0, 0);
    // GMF: logit part = gu . (q_i * w_g); the rows q_i * w_g are fixed.
    RowMatrixF gmfRows;
    if (g > 0) {
        gmfRows = hostMatrix(net.gmfItemWeight());
        const Eigen::RowVectorXf wGmf = outW.leftCols(g);
        gmfRows.array().rowwise() *= wGmf.array();
    }
    // MLP: the first layer's item half plus bias is fixed per item.
    std::vector<RowMatrixF> w;  // layer weights (out x in)
    std::vector<Eigen::RowVectorXf> b;
    RowMatrixF itemPart, w0User;
    Eigen::RowVectorXf wMlp;
    if (m > 0) {
        for (const auto& layer : net.layers()) {
            w.push_back(hostMatrix(layer->weight));
            b.push_back(hostMatrix(layer->bias).transpose());
        }
        w0User = w[0].leftCols(m);
        itemPart = hostMatrix(net.mlpItemWeight()) * w[0].rightCols(m).transpose();
        itemPart.rowwise() += b[0];
        wMlp = outW.rightCols(outW.cols() - g);
    }
    // Long histories train on a fresh sample of kFoldInBatch positives per step, so a call
    // costs the same for every history length.
    std::vector<int32_t> pool(positives);
    const int64_t np = std::min<int64_t>(int64_t(pool.size()), kFoldInBatch);
    const int64_t rows = np * (1 + negatives);
    std::vector<int32_t> batch(static_cast<size_t>(rows));
    Eigen::VectorXf labels = Eigen::VectorXf::Zero(rows);
    labels.head(np).setOnes();
    std::mt19937_64 rng(0x6e6366ULL);  // fixed: the same history always gives the same scores
    std::uniform_int_distribution<int32_t> anyItem(0, items - 1);

    Eigen::VectorXf theta = Eigen::VectorXf::Zero(g + m);  // [gmf user ; mlp user]
    Eigen::VectorXf adamM = Eigen::VectorXf::Zero(g + m), adamV = adamM;
    std::vector<RowMatrixF> pre(w.size());  // pre-activations per layer, rows x width
    RowMatrixF hidden;
    for (int step = 1; step <= kFoldInSteps; ++step) {
        for (int64_t k = 0; k < np; ++k) {  // partial Fisher-Yates: np distinct positives
            if (np < int64_t(pool.size())) {
                std::uniform_int_distribution<size_t> pick(size_t(k), pool.size() - 1);
                std::swap(pool[size_t(k)], pool[pick(rng)]);
            }
            batch[size_t(k)] = pool[size_t(k)];
        }
        for (int64_t k = np; k < rows; ++k) {
            int32_t j = anyItem(rng);
            while (std::binary_search(positives.begin(), positives.end(), j))
                j = anyItem(rng);
            batch[size_t(k)] = j;
        }
        Eigen::VectorXf logits = Eigen::VectorXf::Constant(rows, outB);
        if (g > 0)
            for (int64_t r = 0; r < rows; ++r)
                logits[r] += gmfRows.row(batch[size_t(r)]).transpose().dot(theta.head(g));
        if (m > 0) {
            const Eigen::RowVectorXf userPart = (w0User * theta.tail(m)).transpose();
            pre[0].resize(rows, itemPart.cols());
            for (int64_t r = 0; r < rows; ++r)
                pre[0].row(r) = itemPart.row(batch[size_t(r)]) + userPart;
            hidden = pre[0].cwiseMax(0.0f);
            for (size_t l = 1; l < w.size(); ++l) {
                pre[l] = hidden * w[l].transpose();
                pre[l].rowwise() += b[l];
                hidden = pre[l].cwiseMax(0.0f);
            }
            logits += hidden * wMlp.transpose();
        }
        // d(mean BCE)/d logit = (sigmoid(logit) - label) / rows.
        const Eigen::VectorXf delta =
            ((1.0f + (-logits.array()).exp()).inverse() - labels.array()).matrix() / float(rows);
        Eigen::VectorXf grad = Eigen::VectorXf::Zero(g + m);
        if (g > 0)
            for (int64_t r = 0; r < rows; ++r)
                grad.head(g) += delta[r] * gmfRows.row(batch[size_t(r)]).transpose();
        if (m > 0) {
            RowMatrixF up = delta * wMlp;  // rows x last
            for (size_t l = w.size(); l-- > 0;) {
                up = up.cwiseProduct((pre[l].array() > 0.0f).cast<float>().matrix());
                if (l > 0)
                    up = up * w[l];
            }
            grad.tail(m) = w0User.transpose() * up.colwise().sum().transpose();
        }
        adamM = 0.9f * adamM + 0.1f * grad;
        adamV = 0.999f * adamV + 0.001f * grad.cwiseProduct(grad);
        const float c1 = 1.0f - std::pow(0.9f, float(step));
        const float c2 = 1.0f - std::pow(0.999f, float(step));
        theta.array() -=
            kFoldInLearningRate * (adamM.array() / c1) / ((adamV.array() / c2).sqrt() + 1e-8f);
    }
    gmfUser = theta.head(g);
    mlpUser = theta.tail(m);
}

// One epoch: every training positive once (fresh order), each followed by its `negatives`
// sampled non-positives, so every batch keeps the 1 : n label ratio.
class NcfTraining : public EpochModel {
public:
    NcfTraining(NcfNet& net, const torch::Device& device, const TrainData& data,
                const ParamValues& params, double lr, uint64_t seed)
        : m_net(net),
          m_device(device),
          m_pairs(data.positives),
          m_sampler(data.positives, NegativeKind::Uniform),
          m_seed(seed),
          m_batch(params.getInt("batch_size")),
          m_negatives(params.getInt("negatives")),
          m_optimizer(net->parameters(),
                      torch::optim::AdamOptions(lr).weight_decay(params.getFloat("weight_decay"))) {
    }

    int64_t beginEpoch(int epoch) override {
        m_pairs.shuffle(m_seed, epoch);
        const int64_t positives = m_pairs.size();
        const int64_t group = 1 + m_negatives;
        const int64_t total = positives * group;
        std::vector<int32_t> negUsers(size_t(positives * m_negatives));
        for (int64_t k = 0; k < positives; ++k)
            std::fill_n(negUsers.begin() + k * m_negatives, m_negatives, m_pairs.users()[k]);
        std::vector<int32_t> negItems(negUsers.size());
        m_sampler.fill(negUsers.data(), int64_t(negUsers.size()),
                       CounterRandom::at(m_seed, 0x6e6366ULL + uint64_t(epoch)), 0, negItems.data(),
                       computeThreads());

        auto users = torch::empty({total}, torch::kInt64);
        auto items = torch::empty({total}, torch::kInt64);
        auto labels = torch::zeros({total}, torch::kFloat32);
        int64_t* u = users.data_ptr<int64_t>();
        int64_t* it = items.data_ptr<int64_t>();
        float* y = labels.data_ptr<float>();
        for (int64_t k = 0; k < positives; ++k) {
            const int64_t s = k * group;
            u[s] = m_pairs.users()[k];
            it[s] = m_pairs.items()[k];
            y[s] = 1.0f;
            for (int64_t m = 0; m < m_negatives; ++m) {
                u[s + 1 + m] = m_pairs.users()[k];
                it[s + 1 + m] = negItems[size_t(k * m_negatives + m)];
            }
        }
        // One transfer per epoch; batches are slices on the device.
        m_users = users.to(m_device);
        m_items = items.to(m_device);
        m_labels = labels.to(m_device);
        m_net->train();
        return (total + m_batch - 1) / m_batch;
    }

    double trainBatch(int64_t batch) override {
        const int64_t begin = batch * m_batch;
        const int64_t n = std::min(m_users.size(0), begin + m_batch) - begin;
        auto logits = m_net->forward(m_users.narrow(0, begin, n), m_items.narrow(0, begin, n));
        auto loss = torch::binary_cross_entropy_with_logits(logits, m_labels.narrow(0, begin, n));
        m_optimizer.zero_grad();
        loss.backward();
        m_optimizer.step();
        return loss.item<double>();
    }

    void snapshot() override {
        torch::NoGradGuard noGrad;
        m_best.clear();
        for (const auto& p : m_net->parameters())
            m_best.push_back(p.clone());
    }
    void restoreSnapshot() override {
        torch::NoGradGuard noGrad;
        auto params = m_net->parameters();
        for (size_t k = 0; k < params.size(); ++k)
            params[k].copy_(m_best[k]);
    }

private:
    NcfNet& m_net;
    torch::Device m_device;
    ShuffledPairs m_pairs;
    TrainNegativeSampler m_sampler;
    uint64_t m_seed;
    int64_t m_batch;
    int64_t m_negatives;
    torch::optim::Adam m_optimizer;
    torch::Tensor m_users, m_items, m_labels;
    std::vector<torch::Tensor> m_best;
};

}  // namespace

NcfRecommender::NcfRecommender() : m_state(std::make_unique<State>()) {}
NcfRecommender::~NcfRecommender() = default;

std::vector<ParamSpec> NcfRecommender::commonSpecs(int factors, int epochs, int batchSize,
                                                   double lr, double weightDecay, int patience) {
    std::vector<ParamSpec> specs;
    specs.push_back({"factors",
                     ParamType::Int,
                     std::to_string(factors),
                     1,
                     1024,
                     {},
                     "Embedding size of each tower"});
    for (auto& s : epochParamSpecs(epochs, batchSize, lr, weightDecay, patience))
        specs.push_back(s);
    specs.push_back({"negatives",
                     ParamType::Int,
                     "4",
                     1,
                     100,
                     {},
                     "Uniformly sampled non-positives per training positive"});
    specs.push_back({"refit",
                     ParamType::Bool,
                     "true",
                     0,
                     0,
                     {},
                     "After early stopping, retrain on train + validation for the best epoch count "
                     "(only under --fit-on auto)"});
    specs.push_back({"dropout",
                     ParamType::Float,
                     "0",
                     0.0,
                     0.9,
                     {},
                     "Dropout after each hidden layer (0 keeps CPU and CUDA runs identical)"});
    return specs;
}

Status NcfRecommender::fit(const TrainData& data, const FitContext& context) {
    try {
        auto device = parseTorchDevice(context.device);
        if (!device)
            return device.error();
        if (data.positives.nnz() == 0)
            return makeError(name() + ": the training part has no positive interactions");
        State& s = *m_state;
        s.device = device.value();
        s.users = data.numUsers;
        s.items = data.numItems;

        NcfEpochs epochs;
        if (Status st = trainChain(data, context, epochs, false); !st)
            return st;

        // The validation part only chose the epoch counts. Under the fit rule's "auto" (and
        // only then: docs/protocols.md, "What a model is fitted on"), retrain from the same
        // initial weights on train + validation for those counts: the validation interactions
        // are each user's most recent training signal, the closest in time to the test part.
        const bool pretrained = fineTuneLearningRate() > 0.0;
        const bool chosen = epochs.final > 0 && (!pretrained || (epochs.gmf > 0 && epochs.mlp > 0));
        if (context.refitOnValidation && m_params.getBool("refit") && chosen && data.split &&
            !data.split->validation.empty()) {
            if (context.observer)
                context.observer->onMessage("refitting on train + validation");
            const Split merged = withValidationInTrain(*data.split);
            const TrainData full = TrainData::build(merged, data.dataset);
            if (Status st = trainChain(full, context, epochs, true); !st)
                return st;
            if (context.record)
                *context.record = {true, static_cast<int64_t>(merged.train.size())};
        }
    } catch (const std::exception& e) {
        return makeError(name() + ": " + e.what());
    }
    return {};
}

ValidateFn NcfRecommender::validation(const TrainData& data, const CancelToken* cancel) const {
    if (!data.split || data.split->validation.empty())
        return {};
    return [this, &data, cancel]() -> Result<std::map<std::string, double>> {
        EvalConfig config;
        config.ks = {10, 100};
        config.keepPerUser = false;
        config.beyondAccuracy = false;
        auto result = evaluate(*this, data, EvalPart::Validation, config, cancel);
        if (!result)
            return result.error();
        return result.value().metrics;
    };
}

Status NcfRecommender::trainChain(const TrainData& data, const FitContext& context,
                                  NcfEpochs& epochs, bool fixedEpochs) {
    State& s = *m_state;
    s.cold = coldUserMask(data);
    s.popularity = popularityScores(data);
    const NcfShape shape = shapeFor(data.numUsers, data.numItems);
    const double lr = m_params.getFloat("lr");
    const double fineTuneLr = fineTuneLearningRate();

    // Trains a fresh, seeded net into s.net: with early stopping on the validation part, or
    // exactly `fixed` epochs without validation. Returns the epoch count to reuse.
    auto phase = [&](const NcfShape& netShape, const std::function<void(NcfNetImpl&)>& init,
                     double phaseLr, int fixed) -> Result<int> {
        prepareTorch(context.seed);
        // Built on the CPU (same initial weights for every device), then moved.
        s.net = NcfNet(netShape);
        s.net->to(s.device);
        if (init)
            init(*s.net);
        NcfTraining training(s.net, s.device, data, m_params, phaseLr, context.seed);
        TrainConfig config;
        config.learningRate = phaseLr;
        config.epochs = fixed > 0 ? fixed : int(m_params.getInt("epochs"));
        config.patience = fixed > 0 ? 0 : int(m_params.getInt("patience"));
        config.metric = kValidationMetric;
        EpochTrainer trainer(config);
        if (fixed <= 0)
            trainer.setValidator(validation(data, context.cancel));
        trainer.setWatchModel(this, &data);
        auto summary = trainer.run(training, context);
        s.net->eval();
        if (!summary)
            return summary.error();
        return fixed > 0 ? fixed : summary->bestEpoch;
    };
    auto say = [&](const std::string& text) {
        if (context.observer)
            context.observer->onMessage(text);
    };

    if (fineTuneLr <= 0.0) {
        auto e = phase(shape, {}, lr, fixedEpochs ? epochs.final : 0);
        if (!e)
            return e.error();
        epochs.final = e.value();
        return {};
    }
    // NCF pre-training: the GMF tower and the MLP tower each train alone, then the fused net
    // starts from both and is fine-tuned at a lower learning rate.
    NcfShape gmfShape = shape;
    gmfShape.mlpDim = 0;
    gmfShape.hidden.clear();
    NcfShape mlpShape = shape;
    mlpShape.gmfDim = 0;
    say("pre-training the GMF tower");
    auto g = phase(gmfShape, {}, lr, fixedEpochs ? epochs.gmf : 0);
    if (!g)
        return g.error();
    epochs.gmf = g.value();
    const NcfNet gmf = s.net;
    say("pre-training the MLP tower");
    auto m = phase(mlpShape, {}, lr, fixedEpochs ? epochs.mlp : 0);
    if (!m)
        return m.error();
    epochs.mlp = m.value();
    const NcfNet mlp = s.net;
    say("fine-tuning the fused NeuMF");
    auto f = phase(
        shape, [&](NcfNetImpl& net) { net.fuseTowers(*gmf, *mlp, 0.5); }, fineTuneLr,
        fixedEpochs ? epochs.final : 0);
    if (!f)
        return f.error();
    epochs.final = f.value();
    return {};
}

int32_t NcfRecommender::numItems() const {
    return m_state->items;
}

void NcfRecommender::scoreUsers(const int32_t* users, int64_t n, float* out) const {
    const State& s = *m_state;
    if (n <= 0 || !s.net)
        return;
    torch::NoGradGuard noGrad;
    copyToHost(s.net->scoreAll(indexTensor(users, n, s.device)), out);
    fillColdUsers(users, n, s.cold, s.popularity, out);
}

Status NcfRecommender::scoreHistory(const std::vector<HistoryEntry>& history, float* out) const {
    const State& s = *m_state;
    if (!s.net)
        return Status(notTrainedForFoldIn(name()));
    const std::vector<int32_t> positives = historyItems(history, s.items, true);
    if (positives.empty() || int64_t(positives.size()) >= int64_t(s.items)) {
        std::copy(s.popularity.begin(), s.popularity.end(), out);
        return {};
    }
    try {
        const NcfNetImpl& net = *s.net;
        Eigen::VectorXf gmfUser, mlpUser;
        foldInUser(net, positives, int(m_params.getInt("negatives")), gmfUser, mlpUser);
        torch::NoGradGuard noGrad;
        auto toTensor = [&](const Eigen::VectorXf& v) {
            if (v.size() == 0)
                return torch::Tensor();
            return torch::from_blob(const_cast<float*>(v.data()), {1, int64_t(v.size())},
                                    torch::kFloat32)
                .clone()
                .to(s.device);
        };
        copyToHost(net.scoreAllVectors(toTensor(gmfUser), toTensor(mlpUser)), out);
    } catch (const std::exception& e) {
        return makeError(name() + ": fold-in failed: " + e.what());
    }
    return {};
}

EmbeddingTable NcfRecommender::itemEmbeddings() const {
    const State& s = *m_state;
    if (!s.net)
        return {};
    return embeddingTable(s.net->shape().gmfDim > 0 ? s.net->gmfItemWeight()
                                                    : s.net->mlpItemWeight());
}

EmbeddingTable NcfRecommender::userEmbeddings() const {
    const State& s = *m_state;
    if (!s.net)
        return {};
    return embeddingTable(s.net->shape().gmfDim > 0 ? s.net->gmfUserWeight()
                                                    : s.net->mlpUserWeight());
}

bool NcfRecommender::itemSimilarities(int32_t item, const int32_t* items, int64_t n,
                                      float* out) const {
    const EmbeddingTable t = itemEmbeddings();
    embeddingCosines(t.values.data(), t.rows, t.dim, item, items, n, out);
    return true;
}

Status NcfRecommender::save(const std::string& path) const {
    const State& s = *m_state;
    if (!s.net)
        return makeError(name() + ": nothing to save, the model is not trained");
    std::map<std::string, torch::Tensor> tensors;
    for (const auto& p : s.net->named_parameters())
        tensors["net." + p.key()] = p.value();
    tensors["dims"] = torch::tensor({int64_t(s.users), int64_t(s.items)});
    tensors["cold"] = torch::from_blob(const_cast<uint8_t*>(s.cold.data()),
                                       {int64_t(s.cold.size())}, torch::kUInt8);
    tensors["popularity"] = torch::from_blob(const_cast<float*>(s.popularity.data()),
                                             {int64_t(s.popularity.size())}, torch::kFloat32);
    return saveModelArchive(path, name(), m_params, tensors);
}

Status NcfRecommender::load(const std::string& path) {
    auto archive = loadModelArchive(path, name(), {"dims", "cold", "popularity"});
    if (!archive)
        return archive.error();
    auto status = configure(archive->params);
    if (!status)
        return status;
    auto& t = archive->tensors;
    try {
        auto dims = t["dims"].to(torch::kInt64);
        State& s = *m_state;
        s.device = torch::kCPU;
        s.users = int32_t(dims[0].item<int64_t>());
        s.items = int32_t(dims[1].item<int64_t>());
        NcfNet net(shapeFor(s.users, s.items));
        torch::NoGradGuard noGrad;
        for (auto& p : net->named_parameters()) {
            auto it = t.find("net." + p.key());
            if (it == t.end() || !it->second.sizes().equals(p.value().sizes()))
                return makeError(name() + ": model file lacks or mis-shapes '" + p.key() + "'",
                                 path);
            p.value().copy_(it->second);
        }
        net->eval();
        s.net = net;
        auto cold = t["cold"].contiguous();
        auto pop = t["popularity"].contiguous();
        s.cold.assign(cold.data_ptr<uint8_t>(), cold.data_ptr<uint8_t>() + cold.numel());
        s.popularity.assign(pop.data_ptr<float>(), pop.data_ptr<float>() + pop.numel());
    } catch (const std::exception& e) {
        return makeError(name() + ": " + e.what(), path);
    }
    return {};
}

}  // namespace recscope
