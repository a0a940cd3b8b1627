// Training speed of the LibTorch models, and (with "quality") the metrics of one model.
//
// Usage:
//   bench_train [DATA]       speed figures; DATA defaults to the shared ml-100k folder.
//                            Fused BPR kernel vs a plain vectorised LibTorch autograd loop
//                            (1 and 2 threads) in triplets/s and their ratio; NeuralMF, NeuMF
//                            and MF samples/s.
//   bench_train quality DATA temporal|loo|ratio MODEL [key=value ...] [--device D] [--seed S]
//                       [--threads N]
//                            trains with the protocol's defaults (validation for early
//                            stopping) and prints test metrics at K = 10 (loo: 99 uniform
//                            sampled negatives; ratio: also rmse/mae), with pop for reference.

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "core/common/Allocator.h"
#include "core/data/DatasetLoader.h"
#include "core/eval/Evaluator.h"
#include "core/models/Compute.h"
#include "core/models/Recommender.h"
#include "core/models/TrainData.h"
#include "core/nn/BprCpuKernel.h"
#include "core/nn/TorchModels.h"
#include "core/split/Split.h"
#include "core/train/CounterRandom.h"
#include "core/train/ShuffledPairs.h"
#include "core/train/TrainNegativeSampler.h"

using namespace recscope;

namespace {

double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

struct Loaded {
    Dataset dataset;
    Split split;
};

bool loadSplit(const std::string& path, Protocol protocol, Loaded& out) {
    auto ds = loadDataset(path);
    if (!ds) {
        std::fprintf(stderr, "%s\n", ds.error().toString().c_str());
        return false;
    }
    out.dataset = std::move(ds.value());
    auto split = makeSplit(out.dataset, defaultSplitConfig(protocol));
    if (!split) {
        std::fprintf(stderr, "%s\n", split.error().toString().c_str());
        return false;
    }
    out.split = std::move(split.value());
    return true;
}

// Fused kernel: shuffle + negative sampling + forward/backward/update, as BprModel trains.
double fusedBpr(const TrainData& data, int threads, int epochs, int64_t batch) {
    setComputeThreads(threads);
    const int64_t dim = 64;
    torch::manual_seed(1);
    auto p = torch::randn({data.numUsers, dim}) * 0.1f;
    auto q = torch::randn({data.numItems, dim}) * 0.1f;
    auto b = torch::zeros({data.numItems});
    BprCpuKernel kernel(p.data_ptr<float>(), q.data_ptr<float>(), b.data_ptr<float>(),
                        data.numUsers, data.numItems, int32_t(dim), threads);
    ShuffledPairs pairs(data.positives);
    TrainNegativeSampler sampler(data.positives, NegativeKind::Uniform);
    std::vector<int32_t> neg(size_t(pairs.size()));
    int64_t triplets = 0;
    const double t0 = now();
    for (int e = 1; e <= epochs; ++e) {
        pairs.shuffle(7, e);
        sampler.fill(pairs.users(), pairs.size(), CounterRandom::at(7, uint64_t(e)), 0, neg.data(),
                     threads);
        for (int64_t s = 0; s < pairs.size(); s += batch) {
            const int64_t n = std::min(batch, pairs.size() - s);
            kernel.step(pairs.users() + s, pairs.items() + s, neg.data() + s, n, 0.05f, 0.005f,
                        0.005f);
            triplets += n;
        }
    }
    return double(triplets) / (now() - t0);
}

// The plain loop a PyTorch user writes: Embedding lookups, dot products, logsigmoid loss,
// optimizer step; triplets pre-sampled (sampling time not counted).
double plainAutogradBpr(const TrainData& data, int threads, int epochs, int64_t batch) {
    setComputeThreads(threads);
    torch::manual_seed(1);
    const int64_t dim = 64;
    torch::nn::Embedding users(data.numUsers, dim), items(data.numItems, dim);
    torch::optim::SGD opt({users->weight, items->weight}, torch::optim::SGDOptions(0.05));
    ShuffledPairs pairs(data.positives);
    TrainNegativeSampler sampler(data.positives, NegativeKind::Uniform);
    std::vector<int32_t> neg(size_t(pairs.size()));
    pairs.shuffle(7, 1);
    sampler.fill(pairs.users(), pairs.size(), 7, 0, neg.data());
    auto U = torch::from_blob(const_cast<int32_t*>(pairs.users()), {pairs.size()}, torch::kInt32)
                 .to(torch::kInt64);
    auto I = torch::from_blob(const_cast<int32_t*>(pairs.items()), {pairs.size()}, torch::kInt32)
                 .to(torch::kInt64);
    auto J = torch::from_blob(neg.data(), {pairs.size()}, torch::kInt32).to(torch::kInt64);
    int64_t triplets = 0;
    const double t0 = now();
    for (int e = 0; e < epochs; ++e) {
        for (int64_t s = 0; s < pairs.size(); s += batch) {
            const int64_t n = std::min(batch, pairs.size() - s);
            auto pu = users(U.narrow(0, s, n));
            auto x = (pu * (items(I.narrow(0, s, n)) - items(J.narrow(0, s, n)))).sum(1);
            auto loss = -torch::log_sigmoid(x).mean();
            opt.zero_grad();
            loss.backward();
            opt.step();
            triplets += n;
        }
    }
    return double(triplets) / (now() - t0);
}

// Samples/s of a registered model's fit (no validation part: every epoch runs).
double modelRate(const std::string& name, const TrainData& data, int epochs, int64_t perEpoch,
                 const std::string& device) {
    auto model = createModel(name);
    if (!model || !model->configure({{"epochs", std::to_string(epochs)}}))
        return 0.0;
    TrainData noVal = data;
    noVal.split = nullptr;  // no validation: time training only
    FitContext ctx;
    ctx.device = device;
    const double t0 = now();
    auto status = model->fit(noVal, ctx);
    const double dt = now() - t0;
    if (!status) {
        std::fprintf(stderr, "%s: %s\n", name.c_str(), status.error().toString().c_str());
        return 0.0;
    }
    return double(perEpoch) * epochs / dt;
}

int speed(const std::string& path, const std::string& device) {
    Loaded loaded;
    if (!loadSplit(path, Protocol::Loo, loaded))
        return 1;
    TrainData data = TrainData::build(loaded.split, &loaded.dataset);
    std::printf("data: %s, loo split, %lld training positives, %d users, %d items\n", path.c_str(),
                (long long)data.positives.nnz(), data.numUsers, data.numItems);
    std::printf("torch threads at start: %d\n", at::get_num_threads());
    const int epochs = 20;
    const double fused1 = fusedBpr(data, 1, epochs, 1024);
    const double fused2 = fusedBpr(data, 2, epochs, 1024);
    const double fused2big = fusedBpr(data, 2, epochs, 16384);
    const double plain1 = plainAutogradBpr(data, 1, 4, 4096);
    const double plain2 = plainAutogradBpr(data, 2, 4, 4096);
    std::printf("BPR-MF 64 factors, triplets/s (plain loop: batch 4096, SGD, dense grads)\n");
    std::printf("  fused kernel        batch 1024,  1 thread : %10.0f\n", fused1);
    std::printf("  fused kernel        batch 1024,  2 threads: %10.0f (runs 1: < 8K per step)\n",
                fused2);
    std::printf("  fused kernel        batch 16384, 2 threads: %10.0f\n", fused2big);
    std::printf("  plain autograd loop 1 thread : %10.0f\n", plain1);
    std::printf("  plain autograd loop 2 threads: %10.0f\n", plain2);
    std::printf("  ratio fused (batch 1024, default) / plain (2 threads): %.2fx\n",
                fused2 / plain2);
    setComputeThreads(2);
    const int64_t pos = data.positives.nnz();
    std::printf("model fit (device %s, 2 threads, default params, no validation):\n",
                device.c_str());
    std::printf("  bpr       triplets/s: %10.0f\n", modelRate("bpr", data, 5, pos, device));
    std::printf("  neuralmf  samples/s : %10.0f\n",
                modelRate("neuralmf", data, 2, pos * 5, device));
    std::printf("  neumf     samples/s : %10.0f\n", modelRate("neumf", data, 2, pos * 5, device));
    std::printf("  mf        samples/s : %10.0f\n",
                modelRate("mf", data, 5, data.allRatings.nnz(), device));
    return 0;
}

class PrintObserver : public TrainObserver {
public:
    void onEpoch(const EpochReport& r) override {
        std::printf("  epoch %2d loss %.4f", r.epoch, r.trainLoss);
        for (const auto& [k, v] : r.validation)
            if (k == "ndcg@10" || k == "rmse")
                std::printf(" val %s %.4f", k.c_str(), v);
        std::printf(" (%.2fs)\n", r.seconds);
    }
    void onMessage(const std::string& text) override { std::printf("  %s\n", text.c_str()); }
};

int quality(int argc, char** argv) {
    if (argc < 5) {
        std::fprintf(stderr, "usage: bench_train quality DATA PROTOCOL MODEL [k=v ...]\n");
        return 2;
    }
    const std::string path = argv[2];
    auto protocol = parseProtocol(argv[3]);
    if (!protocol)
        return 2;
    std::map<std::string, std::string> params;
    FitContext ctx;
    int threads = 0;
    for (int a = 5; a < argc; ++a) {
        std::string arg = argv[a];
        if (arg == "--device" && a + 1 < argc) {
            ctx.device = argv[++a];
        } else if (arg == "--threads" && a + 1 < argc) {
            threads = std::stoi(argv[++a]);
        } else if (arg == "--seed" && a + 1 < argc) {
            ctx.seed = std::stoull(argv[++a]);
        } else if (auto eq = arg.find('='); eq != std::string::npos) {
            params[arg.substr(0, eq)] = arg.substr(eq + 1);
        }
    }
    setComputeThreads(threads);
    const double t0 = now();
    Loaded loaded;
    if (!loadSplit(path, *protocol, loaded))
        return 1;
    TrainData data = TrainData::build(loaded.split, &loaded.dataset);
    const double tLoad = now() - t0;
    EvalConfig eval;
    eval.ks = {10};
    eval.keepPerUser = false;
    if (*protocol == Protocol::Loo) {
        eval.mode = EvalMode::Sampled;
        eval.negatives = 99;
    }
    for (const std::string& name : {std::string("pop"), std::string(argv[4])}) {
        auto model = createModel(name);
        if (!model) {
            std::fprintf(stderr, "unknown model %s\n", name.c_str());
            return 2;
        }
        if (name != "pop") {
            auto st = model->configure(params);
            if (!st) {
                std::fprintf(stderr, "%s\n", st.error().toString().c_str());
                return 2;
            }
        }
        PrintObserver observer;
        ctx.observer = name == "pop" ? nullptr : &observer;
        const double t1 = now();
        auto st = model->fit(data, ctx);
        const double tFit = now() - t1;
        if (!st) {
            std::fprintf(stderr, "%s: %s\n", name.c_str(), st.error().toString().c_str());
            return 1;
        }
        const double t2 = now();
        auto result = evaluate(*model, data, EvalPart::Test, eval);
        if (!result) {
            std::fprintf(stderr, "%s\n", result.error().toString().c_str());
            return 1;
        }
        std::printf("%-9s %s fit %.2fs eval %.2fs users %d:", name.c_str(), argv[3], tFit,
                    now() - t2, result->usersEvaluated);
        for (const char* key :
             {"recall@10", "ndcg@10", "hit@10", "mrr@10", "coverage@10", "rmse", "mae"}) {
            auto it = result->metrics.find(key);
            if (it != result->metrics.end())
                std::printf(" %s %.4f", key, it->second);
        }
        std::printf("\n");
    }
    std::printf("load+split %.2fs\n", tLoad);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    recscope::tuneAllocatorForTraining();
    recscope::registerTorchModels();
    if (argc >= 2 && std::strcmp(argv[1], "quality") == 0)
        return quality(argc, argv);
    std::string path = std::string(RECSCOPE_SHARED_DATA) + "/ml-100k";
    std::string device = "cpu";
    for (int a = 1; a < argc; ++a) {
        if (std::strcmp(argv[a], "--device") == 0 && a + 1 < argc)
            device = argv[++a];
        else
            path = argv[a];
    }
    return speed(path, device);
}
