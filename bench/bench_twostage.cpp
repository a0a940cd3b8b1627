// Two-stage retrieval and ranking (issue 4): prints
//   1. seed-000-style tables (K = 10, 20, 50, 100: HitRate, Recall, NDCG, MRR) of Popularity,
//      the two-tower retriever and the pipeline on ML-100K and ml-latest-small, protocol
//      temporal (n-test 5, n-val 1, min-train 5), thresholds 3.5 and 4, with the issue's
//      ratios, the candidates' Recall@N and the training throughput;
//   2. index build time, queries/s and recall@10 against Flat for generated item vectors.
// Usage: bench_twostage [--quality] [--index] [--data DIR] [--datasets ml-100k,ml-latest-small]
//                       [--thresholds 3.5,4] [--sizes 10000,100000,1000000] [--queries N]
//                       [--param name=value ...] [--device cpu|cuda] [--seed S]
// With neither --quality nor --index both parts run.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/common/Allocator.h"
#include "core/data/DatasetLoader.h"
#include "core/eval/Evaluator.h"
#include "core/eval/StageReport.h"
#include "core/index/VectorIndex.h"
#include "core/models/ModelRegistry.h"
#include "core/models/Recommender.h"
#include "core/models/TrainData.h"
#include "core/nn/PipelineModel.h"
#include "core/nn/TorchModels.h"
#include "core/split/Split.h"

using namespace recscope;
using Clock = std::chrono::steady_clock;

namespace {

// Prints one line per epoch to stderr so that a long run shows where it is.
class EpochPrinter : public TrainObserver {
public:
    void onEpoch(const EpochReport& r) override {
        std::fprintf(stderr, "  epoch %d loss %.4f", r.epoch, r.trainLoss);
        for (const auto& [k, v] : r.validation)
            if (k.rfind("recall@", 0) == 0 || k == "ndcg@10")
                std::fprintf(stderr, " %s %.4f", k.c_str(), v);
        std::fprintf(stderr, " (%.1f s)\n", r.seconds);
    }
    void onMessage(const std::string& text) override {
        std::fprintf(stderr, " %s\n", text.c_str());
    }
};

double since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

void printTable(const std::string& title, const EvalResult& r) {
    std::printf(
        "\n### %s (%d users)\n| K | HitRate | Recall | NDCG | MRR |\n|---|---|---|---|---|\n",
        title.c_str(), r.usersEvaluated);
    for (int k : {10, 20, 50, 100}) {
        const std::string s = std::to_string(k);
        auto get = [&](const std::string& m) {
            auto it = r.metrics.find(m + "@" + s);
            return it == r.metrics.end() ? std::nan("") : it->second;
        };
        std::printf("| %d | %.3f | %.3f | %.3f | %.3f |\n", k, get("hit"), get("recall"),
                    get("ndcg"), get("mrr"));
    }
}

int runQuality(const std::string& dataDir, const std::map<std::string, std::string>& params,
               const std::string& device, const std::vector<std::string>& datasets,
               const std::vector<double>& thresholds, uint64_t seed) {
    int failures = 0;
    for (const std::string& name : datasets) {
        const auto t0 = Clock::now();
        auto ds = loadDataset(dataDir + "/" + name);
        if (!ds) {
            std::fprintf(stderr, "%s: %s\n", name.c_str(), ds.error().toString().c_str());
            return 1;
        }
        std::printf("\n## %s: %d users, %d items, %lld ratings (loaded in %.2f s)\n", name.c_str(),
                    ds->numUsers(), ds->numItems(), static_cast<long long>(ds->numRatings()),
                    since(t0));
        for (double threshold : thresholds) {
            SplitConfig sc = defaultSplitConfig(Protocol::Temporal);
            sc.nTest = 5;
            sc.nVal = 1;
            sc.minTrain = 5;
            sc.threshold = threshold;
            auto split = makeSplit(ds.value(), sc);
            if (!split) {
                std::fprintf(stderr, "split: %s\n", split.error().toString().c_str());
                return 1;
            }
            const TrainData train = TrainData::build(split.value(), &ds.value());
            std::printf("\n## %s, temporal, threshold %.1f: %lld training positives\n",
                        name.c_str(), threshold, static_cast<long long>(train.positives.nnz()));
            EvalConfig ec;
            ec.ks = {10, 20, 50, 100};
            ec.keepPerUser = false;
            FitContext ctx;
            ctx.device = device;
            ctx.seed = seed;
            EpochPrinter printer;
            ctx.observer = &printer;

            auto pop = ModelRegistry::global().create("pop");
            if (!pop || !pop->configure({}) || !pop->fit(train, ctx)) {
                std::fprintf(stderr, "popularity failed\n");
                return 1;
            }
            auto popEval = evaluate(*pop, train, EvalPart::Test, ec);
            if (!popEval) {
                std::fprintf(stderr, "eval: %s\n", popEval.error().toString().c_str());
                return 1;
            }

            PipelineModel pipeline;
            if (auto st = pipeline.configure(params); !st) {
                std::fprintf(stderr, "%s\n", st.error().toString().c_str());
                return 1;
            }
            const auto tf = Clock::now();
            if (auto st = pipeline.fit(train, ctx); !st) {
                std::fprintf(stderr, "pipeline fit: %s\n", st.error().toString().c_str());
                return 1;
            }
            const double fitSeconds = since(tf);
            const auto te = Clock::now();
            auto report = evaluateStages(pipeline, train, EvalPart::Test, ec);
            if (!report) {
                std::fprintf(stderr, "stages: %s\n", report.error().toString().c_str());
                return 1;
            }
            const double evalSeconds = since(te);
            printTable("Popularity", popEval.value());
            printTable("Retriever (two-tower)", report->retriever);
            printTable("Pipeline (retriever -> ranker)", report->final);
            const auto& rs = pipeline.retriever().fitStats();
            const auto& ks = pipeline.ranker().fitStats();
            const double popR = popEval->metrics.at("recall@100");
            const double ttR = report->retriever.metrics.at("recall@100");
            const double ttN = report->retriever.metrics.at("ndcg@10");
            const double plN = report->final.metrics.at("ndcg@10");
            const bool okR = ttR >= 1.5 * popR;
            const bool okN = plN >= 1.15 * ttN;
            failures += okR ? 0 : 1;
            failures += okN ? 0 : 1;
            std::printf("\nCandidates (N=%d, index %s): Recall@N %.3f, HitRate@N %.3f\n",
                        report->candidates, report->index.c_str(), report->candidateRecall,
                        report->candidateHit);
            std::printf(
                "two-tower Recall@100 / Popularity's = %.3f / %.3f = %.2fx (target 1.5x) %s\n", ttR,
                popR, popR > 0 ? ttR / popR : 0.0, okR ? "OK" : "MISS");
            std::printf("pipeline NDCG@10 / retriever's = %.4f / %.4f = %.2fx (target 1.15x) %s\n",
                        plN, ttN, ttN > 0 ? plN / ttN : 0.0, okN ? "OK" : "MISS");
            std::printf(
                "fit %.1f s (retriever %d epochs, %.0f samples/s; ranker %d epochs, "
                "%.0f samples/s); stage evaluation %.1f s\n",
                fitSeconds, rs.epochs, rs.seconds > 0 ? rs.samples / rs.seconds : 0.0, ks.epochs,
                ks.seconds > 0 ? ks.samples / ks.seconds : 0.0, evalSeconds);
            std::fflush(stdout);
        }
    }
    return failures;
}

// n points around the given centres (clusters x d), L2-normalised like retriever outputs.
std::vector<float> clustered(int64_t n, int d, uint64_t seed, const std::vector<float>& centres) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> g(0.0f, 1.0f);
    const int clusters = static_cast<int>(centres.size() / static_cast<size_t>(d));
    std::vector<float> out(static_cast<size_t>(n) * d);
    std::uniform_int_distribution<int> pick(0, clusters - 1);
    for (int64_t i = 0; i < n; ++i) {
        const int k = pick(rng);
        float norm = 0.0f;
        for (int j = 0; j < d; ++j) {
            const float x = centres[static_cast<size_t>(k) * d + j] + 0.7f * g(rng);
            out[static_cast<size_t>(i) * d + j] = x;
            norm += x * x;
        }
        norm = std::sqrt(norm);
        for (int j = 0; j < d; ++j)
            out[static_cast<size_t>(i) * d + j] /= norm;
    }
    return out;
}

int runIndex(const std::vector<int64_t>& sizes, int64_t queries) {
    const int d = 64;
    std::printf("\n## Index: d=%d, L2-normalised clustered vectors (1000 centres), inner product\n",
                d);
    std::printf("| n | index | build s | queries/s | recall@10 vs Flat |\n|---|---|---|---|---|\n");
    for (int64_t n : sizes) {
        std::mt19937_64 rng(99);
        std::normal_distribution<float> g;
        std::vector<float> centres(1000 * static_cast<size_t>(d));
        for (auto& x : centres)
            x = g(rng);
        auto x = clustered(n, d, 1, centres);
        auto q = clustered(queries, d, 2, centres);
        const int nlist = n <= 10000 ? 100 : (n <= 100000 ? 316 : 1000);
        const std::vector<std::string> factories = {"Flat", "IVF" + std::to_string(nlist) + ",Flat",
                                                    "HNSW32"};
        for (const auto& f : factories) {
            auto index = VectorIndex::create(f, d);
            if (!index) {
                std::fprintf(stderr, "%s\n", index.error().toString().c_str());
                return 1;
            }
            auto t0 = Clock::now();
            if (auto st = index->build(x.data(), n); !st) {
                std::fprintf(stderr, "%s\n", st.error().toString().c_str());
                return 1;
            }
            const double build = since(t0);
            std::vector<int64_t> ids(static_cast<size_t>(queries) * 10);
            std::vector<float> sc(ids.size());
            t0 = Clock::now();
            if (auto st = index->search(q.data(), queries, 10, ids.data(), sc.data()); !st)
                return 1;
            const double search = since(t0);
            double recall = 1.0;
            if (!index->exact()) {
                auto r = measureRecall(index.value(), x.data(), n, q.data(), queries, 10);
                recall = r ? r.value() : std::nan("");
            }
            std::printf("| %lld | %s | %.2f | %.0f | %.3f |\n", static_cast<long long>(n),
                        index->description().c_str(), build, queries / std::max(search, 1e-9),
                        recall);
            std::fflush(stdout);
        }
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    recscope::tuneAllocatorForTraining();
    recscope::registerTorchModels();
    bool quality = false, indexBench = false;
    std::string dataDir = RECSCOPE_SHARED_DATA;
    std::string device = "cpu";
    std::vector<int64_t> sizes = {10000, 100000, 1000000};
    int64_t queries = 1000;
    std::vector<std::string> datasets = {"ml-100k", "ml-latest-small"};
    std::vector<double> thresholds = {3.5, 4.0};
    std::map<std::string, std::string> params;
    uint64_t seed = 42;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : std::string(); };
        if (a == "--quality") {
            quality = true;
        } else if (a == "--index") {
            indexBench = true;
        } else if (a == "--data") {
            dataDir = next();
        } else if (a == "--seed") {
            seed = std::stoull(next());
        } else if (a == "--device") {
            device = next();
        } else if (a == "--queries") {
            queries = std::max<int64_t>(1, std::stoll(next()));
        } else if (a == "--sizes") {
            sizes.clear();
            std::stringstream in(next());
            std::string item;
            while (std::getline(in, item, ','))
                sizes.push_back(std::stoll(item));
        } else if (a == "--datasets") {
            datasets.clear();
            std::stringstream in(next());
            std::string item;
            while (std::getline(in, item, ','))
                datasets.push_back(item);
        } else if (a == "--thresholds") {
            thresholds.clear();
            std::stringstream in(next());
            std::string item;
            while (std::getline(in, item, ','))
                thresholds.push_back(std::stod(item));
        } else if (a == "--param") {
            const std::string kv = next();
            const auto eq = kv.find('=');
            if (eq == std::string::npos) {
                std::fprintf(stderr, "--param expects name=value\n");
                return 2;
            }
            params[kv.substr(0, eq)] = kv.substr(eq + 1);
        } else {
            std::fprintf(stderr, "unknown argument %s\n", a.c_str());
            return 2;
        }
    }
    if (!quality && !indexBench)
        quality = indexBench = true;
    int rc = 0;
    if (quality) {
        const int misses = runQuality(dataDir, params, device, datasets, thresholds, seed);
        std::printf("\nquality targets missed: %d\n", misses);
        rc = misses > 0 ? 1 : 0;
    }
    if (indexBench && runIndex(sizes, queries) != 0)
        rc = 1;
    return rc;
}
