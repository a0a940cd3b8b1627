// Quality of every model with its defaults, on the protocols of issue 3:
//   temporal (full ranking, K = 10), loo (99 uniform negatives), ratio (rating error, mf only).
// Prints one table per dataset and protocol, and the total time load -> split -> train every
// default model -> evaluate (temporal) per dataset.
// Usage: bench_quality [--threads N] [--models a,b,...] [--datasets ml-100k,ml-latest-small]
//                      [--protocols temporal,loo,ratio]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/common/Allocator.h"
#include "core/data/DatasetLoader.h"
#include "core/eval/Evaluator.h"
#include "core/models/Compute.h"
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
}  // namespace

int main(int argc, char** argv) {
    recscope::tuneAllocatorForTraining();
    recscope::registerTorchModels();
    int threads = 0;
    std::vector<std::string> models;
    std::vector<std::string> datasets{"ml-100k", "ml-latest-small"};
    std::vector<std::string> protocols{"temporal", "loo", "ratio"};
    std::map<std::string, std::string>
        params;  // --param key=value applies to every model that has it
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--threads"))
            threads = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--models"))
            models = splitList(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--datasets"))
            datasets = splitList(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--protocols"))
            protocols = splitList(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--param")) {
            const std::string kv = argv[i + 1];
            params[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
        }
    }
    if (models.empty())
        for (const char* m : {"pop", "itemknn", "userknn", "ease", "puresvd", "ials", "mf", "bpr",
                              "neuralmf", "neumf"})
            models.push_back(m);
    setComputeThreads(threads);
    std::printf("threads: %d\n", computeThreads());

    for (const std::string& name : datasets) {
        const auto total = Clock::now();
        double temporalTotal = 0.0;
        const std::string path = std::string(RECSCOPE_SHARED_DATA) + "/" + name;
        const auto tLoad = Clock::now();
        LoadOptions lo;
        lo.useCache = false;
        auto ds = loadDataset(path, lo);
        if (!ds) {
            std::fprintf(stderr, "%s\n", ds.error().toString().c_str());
            return 1;
        }
        const double loadSeconds = since(tLoad);
        for (const std::string& protocolName : protocols) {
            const Protocol protocol = parseProtocol(protocolName).value();
            const auto tSplit = Clock::now();
            auto split = makeSplit(ds.value(), defaultSplitConfig(protocol));
            if (!split) {
                std::fprintf(stderr, "%s\n", split.error().toString().c_str());
                return 1;
            }
            const TrainData train = TrainData::build(split.value(), &ds.value());
            double protocolSeconds = since(tSplit);
            int lastUsers = 0;
            EvalConfig eval;
            eval.ks = {10, 20, 50, 100};
            if (protocol == Protocol::Loo)
                eval.mode = EvalMode::Sampled;
            std::printf("\n== %s, %s (%s)\n", name.c_str(), protocolName.c_str(),
                        protocol == Protocol::Loo ? "99 uniform negatives" : "full ranking");
            if (protocol == Protocol::Ratio)
                std::printf("%-9s %8s %8s %8s %8s %8s %8s\n", "model", "RMSE", "MAE", "R@10",
                            "NDCG@10", "train_s", "eval_s");
            else if (protocol == Protocol::Loo)
                std::printf("%-9s %8s %8s %8s %8s %8s %8s %8s\n", "model", "HR@10", "NDCG@10",
                            "MRR", "HR@5", "Cov@10", "train_s", "eval_s");
            else
                std::printf("%-9s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s\n", "model", "R@10",
                            "NDCG@10", "MRR@10", "HR@10", "P@10", "MAP@10", "Cov@10", "Pop@10",
                            "train_s", "eval_s");
            for (const std::string& m : models) {
                auto model = createModel(m);
                if (!model) {
                    std::printf("%-9s unknown\n", m.c_str());
                    continue;
                }
                if (protocol == Protocol::Ratio && !model->predictsRatings() && m != "pop")
                    continue;
                std::map<std::string, std::string> own;
                for (const auto& spec : model->paramSpecs())
                    if (params.count(spec.name))
                        own[spec.name] = params.at(spec.name);
                if (Status c = model->configure(own); !c) {
                    std::fprintf(stderr, "%s: %s\n", m.c_str(), c.error().message.c_str());
                    continue;
                }
                FitContext ctx;
                const auto t0 = Clock::now();
                const Status s = model->fit(train, ctx);
                const double fitSeconds = since(t0);
                if (!s) {
                    std::printf("%-9s fit failed: %s\n", m.c_str(), s.error().message.c_str());
                    continue;
                }
                if (protocol == Protocol::Loo)
                    eval.ks = {5, 10};
                const auto t1 = Clock::now();
                auto r = evaluate(*model, train, EvalPart::Test, eval);
                const double evalSeconds = since(t1);
                protocolSeconds += fitSeconds + evalSeconds;
                if (!r) {
                    std::printf("%-9s eval failed: %s\n", m.c_str(), r.error().message.c_str());
                    continue;
                }
                const EvalResult& e = r.value();
                lastUsers = e.usersEvaluated;
                if (protocol == Protocol::Ratio)
                    std::printf("%-9s %8.4f %8.4f %8.4f %8.4f %8.2f %8.2f\n", m.c_str(),
                                metric(e, "rmse"), metric(e, "mae"), metric(e, "recall@10"),
                                metric(e, "ndcg@10"), fitSeconds, evalSeconds);
                else if (protocol == Protocol::Loo)
                    std::printf("%-9s %8.4f %8.4f %8.4f %8.4f %8.4f %8.2f %8.2f\n", m.c_str(),
                                metric(e, "hit@10"), metric(e, "ndcg@10"), metric(e, "mrr"),
                                metric(e, "hit@5"), metric(e, "coverage@10"), fitSeconds,
                                evalSeconds);
                else
                    std::printf(
                        "%-9s %8.4f %8.4f %8.4f %8.4f %8.4f %8.4f %8.4f %8.1f %8.2f %8.2f\n",
                        m.c_str(), metric(e, "recall@10"), metric(e, "ndcg@10"),
                        metric(e, "mrr@10"), metric(e, "hit@10"), metric(e, "precision@10"),
                        metric(e, "map@10"), metric(e, "coverage@10"), metric(e, "avgpop@10"),
                        fitSeconds, evalSeconds);
                std::fflush(stdout);
            }
            if (protocol == Protocol::Temporal)
                temporalTotal = loadSeconds + protocolSeconds;
            std::printf("(%s: %d users evaluated; split + train + evaluate all: %.1f s)\n",
                        protocolName.c_str(), lastUsers, protocolSeconds);
        }
        std::printf(
            "\n%s: load %.2f s (no cache); load -> split -> train every model -> evaluate "
            "(temporal): %.1f s; everything above: %.1f s\n",
            name.c_str(), loadSeconds, temporalTotal, since(total));
    }
    return 0;
}
