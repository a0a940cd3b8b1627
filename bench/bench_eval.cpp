// Speed figures of the evaluation engine and the classic models:
//  - full-ranking evaluation of every ML-100K test user at K = 100 (and K = 10,20,50,100);
//  - EASE fit at 3,500 items (generated, ML-1M-sized) and the bare SPD inverse;
//  - fit time of every classic model on ML-100K.
// Usage: bench_eval [--threads N] [--data FOLDER] [--items N]
//        bench_eval --full-eval FOLDER [--threads N] [--models pop,ease]
//   The second form times only the full-ranking evaluation of every test user (temporal
//   split, K = 10,20,50,100 with catalogue statistics) of the listed models on FOLDER, e.g.
//   ML-20M-sized generated data: recscope-cli generate /tmp/ml20m --format csv --users 138000
//   --items 27000 --ratings 20000000.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>

#include <Eigen/Dense>

#include "core/common/Allocator.h"
#include "core/data/DatasetLoader.h"
#include "core/data/SyntheticGenerator.h"
#include "core/eval/Evaluator.h"
#include "core/models/Compute.h"
#include "core/models/Recommender.h"
#include "core/models/SpdInverse.h"
#include "core/models/TrainData.h"
#include "core/nn/TorchModels.h"
#include "core/split/Split.h"

using namespace recscope;
using Clock = std::chrono::steady_clock;

namespace {
double since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// A timed call that fails would time nothing: stop the benchmark with its error.
void mustSucceed(const Status& s) {
    if (!s) {
        std::fprintf(stderr, "bench_eval: %s\n", s.error().toString().c_str());
        std::exit(1);
    }
}
template <typename T>
void mustSucceed(const Result<T>& r) {
    mustSucceed(r.status());
}

double bestOf(int runs, const std::function<void()>& fn) {
    double best = 1e30;
    for (int i = 0; i < runs; ++i) {
        const auto t = Clock::now();
        fn();
        best = std::min(best, since(t));
    }
    return best;
}
// Full-ranking evaluation of every test user on one data set, per model: fit once, then the
// evaluation alone (best of 2).
int fullEvalMode(const std::string& folder, const std::string& models) {
    const auto t0 = Clock::now();
    auto ds = loadDataset(folder);
    if (!ds) {
        std::fprintf(stderr, "%s\n", ds.error().toString().c_str());
        return 1;
    }
    auto split = makeSplit(ds.value(), defaultSplitConfig(Protocol::Temporal));
    if (!split) {
        std::fprintf(stderr, "%s\n", split.error().toString().c_str());
        return 1;
    }
    const TrainData train = TrainData::build(split.value(), &ds.value());
    std::printf("%s: %d users, %d items, %lld train positives (load + split %.1f s)\n",
                folder.c_str(), train.numUsers, train.numItems,
                static_cast<long long>(train.positives.nnz()), since(t0));
    size_t start = 0;
    while (start <= models.size()) {
        const size_t comma = std::min(models.find(',', start), models.size());
        const std::string name = models.substr(start, comma - start);
        start = comma + 1;
        auto model = createModel(name);
        if (!model) {
            std::fprintf(stderr, "unknown model '%s'\n", name.c_str());
            return 1;
        }
        const auto t = Clock::now();
        if (const Status s = model->fit(train, FitContext{}); !s) {
            std::fprintf(stderr, "%s: %s\n", name.c_str(), s.error().message.c_str());
            return 1;
        }
        const double fit = since(t);
        EvalConfig config;
        config.ks = {10, 20, 50, 100};
        config.keepPerUser = false;
        config.threads = computeThreads();
        int users = 0;
        double ndcg = 0.0;
        const double seconds = bestOf(2, [&] {
            const EvalResult r = evaluate(*model, train, EvalPart::Test, config).value();
            users = r.usersEvaluated;
            ndcg = r.metrics.at("ndcg@10");
        });
        std::printf(
            "%-8s fit %7.2f s | full-ranking evaluation of %d users x %d items, "
            "K=10..100 + catalogue stats: %.2f s (ndcg@10 %.4f)\n",
            name.c_str(), fit, users, train.numItems, seconds, ndcg);
    }
    return 0;
}
}  // namespace

int main(int argc, char** argv) {
    recscope::tuneAllocatorForTraining();
    recscope::registerTorchModels();
    int threads = 0;
    int items = 3500;
    std::string data = std::string(RECSCOPE_SHARED_DATA) + "/ml-100k";
    std::string fullEval;
    std::string models = "pop";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--threads"))
            threads = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--data"))
            data = argv[i + 1];
        else if (!std::strcmp(argv[i], "--items"))
            items = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--full-eval"))
            fullEval = argv[i + 1];
        else if (!std::strcmp(argv[i], "--models"))
            models = argv[i + 1];
    }
    setComputeThreads(threads);
    std::printf("threads: %d\n", computeThreads());
    if (!fullEval.empty())
        return fullEvalMode(fullEval, models);

    auto ds = loadDataset(data);
    if (!ds) {
        std::fprintf(stderr, "%s\n", ds.error().toString().c_str());
        return 1;
    }
    for (Protocol protocol : {Protocol::Temporal, Protocol::Loo}) {
        auto split = makeSplit(ds.value(), defaultSplitConfig(protocol));
        if (!split) {
            std::fprintf(stderr, "%s\n", split.error().toString().c_str());
            return 1;
        }
        const TrainData train = TrainData::build(split.value(), &ds.value());
        std::printf("\n== %s, %s: %d users, %d items, %lld train positives\n", data.c_str(),
                    protocolName(protocol).c_str(), train.numUsers, train.numItems,
                    static_cast<long long>(train.positives.nnz()));
        for (const char* name : {"pop", "itemknn", "userknn", "ease", "puresvd", "ials"}) {
            auto model = createModel(name);
            const auto t = Clock::now();
            const Status s = model->fit(train, FitContext{});
            const double fitSeconds = since(t);
            if (!s) {
                std::printf("%-8s fit failed: %s\n", name, s.error().message.c_str());
                continue;
            }
            EvalConfig full;
            full.ks = {100};
            int evaluated = 0;
            const double tFull = bestOf(3, [&] {
                evaluated = evaluate(*model, train, EvalPart::Test, full).value().usersEvaluated;
            });
            full.ks = {10, 20, 50, 100};
            const double tAll =
                bestOf(3, [&] { mustSucceed(evaluate(*model, train, EvalPart::Test, full)); });
            EvalConfig sampled;
            sampled.mode = EvalMode::Sampled;
            const double tSampled =
                bestOf(3, [&] { mustSucceed(evaluate(*model, train, EvalPart::Test, sampled)); });
            std::printf(
                "%-8s fit %7.3f s | full ranking K=100 of %d users %6.3f s, K=10..100 "
                "with catalogue stats %6.3f s | sampled (99) %6.3f s\n",
                name, fitSeconds, evaluated, tFull, tAll, tSampled);
        }
    }

    // EASE at 3,500 items on ML-1M-sized generated data (6,040 users, 1M ratings).
    SyntheticConfig sc;
    sc.users = 6040;
    sc.items = items;
    sc.ratings = 1000000;
    auto gen = generateSynthetic(sc);
    if (!gen) {
        std::fprintf(stderr, "%s\n", gen.error().toString().c_str());
        return 1;
    }
    auto split = makeSplit(gen.value(), defaultSplitConfig(Protocol::Loo));
    const TrainData train = TrainData::build(split.value(), &gen.value());
    int active = 0;
    for (int64_t p : train.itemPopularity)
        active += p > 0 ? 1 : 0;
    auto ease = createModel("ease");
    const double easeFit = bestOf(2, [&] { mustSucceed(ease->fit(train, FitContext{})); });
    std::printf("\nEASE fit, %d active items, %lld positives (generated, loo): %.2f s\n", active,
                static_cast<long long>(train.positives.nnz()), easeFit);
    Eigen::MatrixXf g = Eigen::MatrixXf::Random(items, items / 2);
    const Eigen::MatrixXf spd =
        (g * g.transpose()).eval() + 100.0f * Eigen::MatrixXf::Identity(items, items);
    const double inv = bestOf(2, [&] {
        Eigen::MatrixXf a = spd;
        invertSpd(a);
    });
    std::printf("SPD inverse alone, n = %d: %.2f s\n", items, inv);
    return 0;
}
