// Issue 3's (and 14's: <= 30 s) end-to-end figure: in ONE process, load ML-100K (no cache), make
// the default temporal split (5 test, 1 validation, min-train 5, threshold 4), train every
// registered model (pipeline included) with its defaults and evaluate it by full ranking at K = 10,
// 20, 50, 100. Prints per model the train and evaluation seconds (wall and process CPU), Recall@10
// and NDCG@10, and the wall time of the whole sequence. Models are fitted as `recscope-cli run`
// fits them
// (--fit-on auto): a model that does not stop early trains on train + validation.
// `mf` is kept on the temporal split too (its ranking metrics are those of a rating model; its
// RMSE on the protocol `ratio` is bench_quality's job).
//
// Usage: bench_alldefaults [--threads N] [--models a,b,...] [--data PATH] [--seed S]
//                          [--worker-thread]
//   --worker-thread: each model trains on a thread of its own, as the explorer trains on a
//   worker thread (the C allocator serves a thread's large blocks differently: Allocator.h).
//   Default data: $RECSCOPE_SHARED_DATA/ml-100k. CPU seconds include every thread of the
//   process, so on a machine shared with other work they bound what an idle run would take.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/common/Allocator.h"
#include "core/data/DatasetLoader.h"
#include "core/eval/Evaluator.h"
#include "core/models/Compute.h"
#include "core/models/ModelRegistry.h"
#include "core/models/Recommender.h"
#include "core/models/TrainData.h"
#include "core/nn/TorchModels.h"
#include "core/split/Split.h"

using namespace recscope;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// Process CPU seconds (user + system, all threads).
double cpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           1e-6 * double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream in(text);
    std::string part;
    while (std::getline(in, part, ','))
        if (!part.empty())
            out.push_back(part);
    return out;
}

double metric(const EvalResult& r, const std::string& key) {
    const auto it = r.metrics.find(key);
    return it == r.metrics.end() ? -1.0 : it->second;
}

// Counts epochs and remembers the trainer's early-stop / restore messages.
struct EpochCounter : TrainObserver {
    int epochs = 0;
    double validationBest = 0.0;
    std::string note;
    void onEpoch(const EpochReport& report) override { epochs = report.epoch; }
    void onMessage(const std::string& text) override {
        if (text.rfind("restored", 0) == 0)
            note = text.substr(std::strlen("restored the weights of "));
    }
};

}  // namespace

int main(int argc, char** argv) {
    recscope::tuneAllocatorForTraining();
    recscope::registerTorchModels();
    int threads = 0;
    uint64_t seed = 42;
    std::string path = std::string(RECSCOPE_SHARED_DATA) + "/ml-100k";
    // Every registered model, two-tower and the two-stage pipeline included.
    std::vector<std::string> models = ModelRegistry::global().names();
    bool workerThread = false;
    for (int i = 1; i < argc; ++i) {
        const bool hasValue = i + 1 < argc;
        if (!std::strcmp(argv[i], "--worker-thread"))
            workerThread = true;
        else if (hasValue && !std::strcmp(argv[i], "--threads"))
            threads = std::atoi(argv[++i]);
        else if (hasValue && !std::strcmp(argv[i], "--models"))
            models = splitList(argv[++i]);
        else if (hasValue && !std::strcmp(argv[i], "--data"))
            path = argv[++i];
        else if (hasValue && !std::strcmp(argv[i], "--seed"))
            seed = std::strtoull(argv[++i], nullptr, 10);
        else {
            std::fprintf(stderr, "unknown option (or missing value) %s\n", argv[i]);
            return 2;
        }
    }
    setComputeThreads(threads);
    std::printf("data: %s\nthreads: %d, seed %llu, training on %s\n", path.c_str(),
                computeThreads(), static_cast<unsigned long long>(seed),
                workerThread ? "a worker thread per model" : "the main thread");

    const auto total = Clock::now();
    const double totalCpu = cpuSeconds();

    LoadOptions lo;
    lo.useCache = false;
    auto ds = loadDataset(path, lo);
    if (!ds) {
        std::fprintf(stderr, "%s\n", ds.error().toString().c_str());
        return 1;
    }
    auto split = makeSplit(ds.value(), defaultSplitConfig(Protocol::Temporal));
    if (!split) {
        std::fprintf(stderr, "%s\n", split.error().toString().c_str());
        return 1;
    }
    const Split merged = withValidationInTrain(split.value());
    const TrainData trainOnly = TrainData::build(split.value(), &ds.value());
    const TrainData trainAndVal = TrainData::build(merged, &ds.value());
    const double loadSplitSeconds = since(total);
    std::printf(
        "load + split (temporal 5/1/5, threshold 4, both fit sets built): %.2f s "
        "(cpu %.2f s)\n\n",
        loadSplitSeconds, cpuSeconds() - totalCpu);

    std::printf("%-9s %-9s %7s %7s %7s %7s %7s %8s %8s  %s\n", "model", "fit_on", "train_s",
                "cpu_s", "eval_s", "cpu_s", "epochs", "R@10", "NDCG@10", "best epoch");
    double trainSum = 0.0, evalSum = 0.0, trainCpuSum = 0.0, evalCpuSum = 0.0;
    for (const std::string& name : models) {
        auto model = createModel(name);
        if (!model) {
            std::printf("%-9s unknown model\n", name.c_str());
            continue;
        }
        if (Status s = model->configure({}); !s) {
            std::printf("%-9s %s\n", name.c_str(), s.error().message.c_str());
            continue;
        }
        const bool mergeValidation = !model->usesValidation();
        const TrainData& data = mergeValidation ? trainAndVal : trainOnly;
        EpochCounter counter;
        FitContext context;
        context.seed = seed;
        context.observer = &counter;
        // --fit-on auto: a model that refits (NeuralMF, NeuMF, SASRec) adds the validation
        // part after early stopping, as recscope-cli run does.
        FitRecord record;
        context.refitOnValidation = true;
        context.record = &record;

        const auto t0 = Clock::now();
        const double c0 = cpuSeconds();
        Status fitted;
        if (workerThread) {
            std::thread worker([&] {
                setComputeThreads(threads);  // the pool's size is per thread (OpenMP)
                fitted = model->fit(data, context);
            });
            worker.join();
        } else {
            fitted = model->fit(data, context);
        }
        const double trainSeconds = since(t0);
        const double trainCpu = cpuSeconds() - c0;
        if (!fitted) {
            std::printf("%-9s fit failed: %s\n", name.c_str(), fitted.error().message.c_str());
            continue;
        }

        EvalConfig eval;
        eval.ks = {10, 20, 50, 100};
        eval.seed = seed;
        eval.keepPerUser = false;
        const auto t1 = Clock::now();
        const double c1 = cpuSeconds();
        auto result = evaluate(*model, data, EvalPart::Test, eval);
        const double evalSeconds = since(t1);
        const double evalCpu = cpuSeconds() - c1;
        if (!result) {
            std::printf("%-9s eval failed: %s\n", name.c_str(), result.error().message.c_str());
            continue;
        }
        trainSum += trainSeconds;
        evalSum += evalSeconds;
        trainCpuSum += trainCpu;
        evalCpuSum += evalCpu;
        const std::string epochs = counter.epochs > 0 ? std::to_string(counter.epochs) : "-";
        std::printf("%-9s %-9s %7.2f %7.2f %7.2f %7.2f %7s %8.4f %8.4f  %s\n", name.c_str(),
                    mergeValidation || record.trainAndValidation ? "train+val" : "train",
                    trainSeconds, trainCpu, evalSeconds, evalCpu, epochs.c_str(),
                    metric(result.value(), "recall@10"), metric(result.value(), "ndcg@10"),
                    counter.note.c_str());
        std::fflush(stdout);
    }
    const double totalSeconds = since(total);
    std::printf("\nsum: train %.2f s (cpu %.2f s), eval %.2f s (cpu %.2f s)\n", trainSum,
                trainCpuSum, evalSum, evalCpuSum);
    std::printf(
        "TOTAL load -> split -> train every model -> evaluate: %.2f s wall, %.2f s cpu "
        "(%d compute threads)\n",
        totalSeconds, cpuSeconds() - totalCpu, computeThreads());
    return 0;
}
