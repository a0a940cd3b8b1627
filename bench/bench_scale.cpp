// MovieLens-20M (and 32M) scale end to end (issue 14), in ONE process: generated data of the
// release's size written as a MovieLens CSV folder (once, kept in --work), then load (cached
// reopen), the default temporal split, and for each model: fit, full-ranking evaluation of every
// test user at K = 10, 20, 50, 100, printing fit seconds and seconds per epoch / iteration,
// evaluation seconds, peak resident memory of the model's fit + evaluation, Recall@10 and
// NDCG@10. `bpr-hogwild` is bpr with kernel=hogwild (per-triplet lock-free SGD, implicit's
// method). Then, with --implicit DIR (a build of benfred/implicit beside the project), the peer
// for iALS and BPR on the very training matrix: bench/implicit_peer.py runs in the same process
// run, and the ratios ours / peer are printed.
//
// Models fit as `recscope-cli run` fits them (a model without early stopping trains on train +
// validation). At this size the neural models run bounded epoch counts (--epochs, default: bpr 10,
// two-tower 1, pipeline 1 + 1) and report seconds per epoch; --full keeps every default.
//
// Usage: bench_scale [--size 20m|32m] [--models pop,ials,...] [--device cpu|cuda]
//                    [--threads N] [--work DIR] [--implicit DIR] [--python PY] [--full]
//                    [--param model.name=value ...]

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/common/Allocator.h"
#include "core/common/BuildInfo.h"
#include "core/data/DatasetLoader.h"
#include "core/data/MovieLensWriter.h"
#include "core/data/SyntheticGenerator.h"
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

// Peak resident set since the last resetPeak(), in GB (VmHWM; Linux).
double peakRssGb() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmHWM:", 0) == 0)
            return std::atof(line.c_str() + 6) * 1024.0 / 1e9;
    return -1.0;
}
void resetPeak() {
    std::ofstream("/proc/self/clear_refs") << "5";
}

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream in(text);
    for (std::string part; std::getline(in, part, ',');)
        if (!part.empty())
            out.push_back(part);
    return out;
}

struct EpochLog : TrainObserver {
    std::vector<EpochReport> epochs;
    void onEpoch(const EpochReport& r) override {
        epochs.push_back(r);
        std::fprintf(stderr, "    epoch %d: %.2f s (batches %.2f s, %lld samples)\n", r.epoch,
                     r.seconds, r.trainSeconds, static_cast<long long>(r.samples));
    }
    void onMessage(const std::string& text) override {
        std::fprintf(stderr, "    %s\n", text.c_str());
    }
};

struct Size {
    int32_t users, items;
    int64_t ratings;
};

}  // namespace

int main(int argc, char** argv) {
    recscope::tuneAllocatorForTraining();
    recscope::registerTorchModels();
    std::string size = "20m", device = "cpu", work, implicitDir;
    std::string python = "/usr/bin/python3";
    std::vector<std::string> models{"pop",  "ials",     "bpr",     "bpr-hogwild",
                                    "ease", "twotower", "pipeline"};
    int threads = 0;
    bool full = false;
    std::map<std::string, std::map<std::string, std::string>> params;
    for (int a = 1; a < argc; ++a) {
        const std::string k = argv[a];
        const auto value = [&]() -> std::string {
            if (a + 1 >= argc) {
                std::fprintf(stderr, "%s needs a value\n", k.c_str());
                std::exit(2);
            }
            return argv[++a];
        };
        if (k == "--size")
            size = value();
        else if (k == "--models")
            models = splitList(value());
        else if (k == "--device")
            device = value();
        else if (k == "--threads")
            threads = std::atoi(value().c_str());
        else if (k == "--work")
            work = value();
        else if (k == "--implicit")
            implicitDir = value();
        else if (k == "--python")
            python = value();
        else if (k == "--full")
            full = true;
        else if (k == "--param") {
            const std::string p = value();
            const auto dot = p.find('.'), eq = p.find('=');
            if (dot == std::string::npos || eq == std::string::npos || eq < dot) {
                std::fprintf(stderr, "--param wants model.name=value\n");
                return 2;
            }
            params[p.substr(0, dot)][p.substr(dot + 1, eq - dot - 1)] = p.substr(eq + 1);
        } else {
            std::fprintf(stderr, "unknown option %s\n", k.c_str());
            return 2;
        }
    }
    // The releases' sizes: ML-20M 138,493 users x 26,744 rated movies, 20,000,263 ratings;
    // ML-32M 200,948 x 84,432, 32,000,204.
    const std::map<std::string, Size> sizes = {{"20m", {138493, 26744, 20000263}},
                                               {"32m", {200948, 84432, 32000204}}};
    if (!sizes.count(size)) {
        std::fprintf(stderr, "--size is 20m or 32m\n");
        return 2;
    }
    const Size s = sizes.at(size);
    if (!full) {  // bounded epochs at this size (a later --param wins)
        params["bpr"].emplace("epochs", "10");
        params["bpr-hogwild"].emplace("epochs", "10");
        params["twotower"].emplace("epochs", "1");
        params["pipeline"].emplace("retriever.epochs", "1");
        params["pipeline"].emplace("ranker.epochs", "1");
    }
    params["bpr-hogwild"].emplace("kernel", "hogwild");
    setComputeThreads(threads);
    if (work.empty())
        work = (std::filesystem::temp_directory_path() / ("recscope-scale-" + size)).string();
    const BlasInfo& blas = loadedBlas();
    std::printf(
        "ML-%s size: %d users, %d items, %lld ratings (generated); device %s, %d "
        "threads\nBLAS: %s%s (%s), kernels %s\n",
        size.c_str(), s.users, s.items, static_cast<long long>(s.ratings), device.c_str(),
        computeThreads(), blas.name.c_str(),
        blas.threading.empty() ? "" : (", " + blas.threading).c_str(), blas.library.c_str(),
        blas.kernels.empty() ? "n/a" : blas.kernels.c_str());

    const std::string folder = work + "/ml-" + size + "-synthetic";
    if (!std::filesystem::exists(folder + "/ratings.csv")) {
        const auto t = Clock::now();
        SyntheticConfig config;
        config.users = s.users;
        config.items = s.items;
        config.ratings = s.ratings;
        config.halfStars = true;
        config.userMetadata = false;
        auto generated = generateSynthetic(config);
        if (!generated) {
            std::fprintf(stderr, "%s\n", generated.error().toString().c_str());
            return 1;
        }
        if (Status st = writeMovieLens(generated.value(), DatasetFormat::MlCsv, folder); !st) {
            std::fprintf(stderr, "%s\n", st.error().toString().c_str());
            return 1;
        }
        std::printf("generated and wrote %s in %.1f s (once)\n", folder.c_str(), since(t));
    }
    LoadOptions lo;
    lo.cacheDir = work + "/cache";
    auto t0 = Clock::now();
    auto ds = loadDataset(folder, lo);
    if (!ds) {
        std::fprintf(stderr, "%s\n", ds.error().toString().c_str());
        return 1;
    }
    const double loadSeconds = since(t0);
    t0 = Clock::now();
    auto split = makeSplit(ds.value(), defaultSplitConfig(Protocol::Temporal));
    if (!split) {
        std::fprintf(stderr, "%s\n", split.error().toString().c_str());
        return 1;
    }
    const Split merged = withValidationInTrain(split.value());
    const TrainData trainOnly = TrainData::build(split.value(), &ds.value());
    const TrainData trainAndVal = TrainData::build(merged, &ds.value());
    std::printf(
        "load %.2f s (cache in %s), temporal split + training matrices %.2f s; "
        "%lld training positives, peak RSS so far %.2f GB\n\n",
        loadSeconds, lo.cacheDir.c_str(), since(t0),
        static_cast<long long>(trainOnly.positives.nnz()), peakRssGb());

    std::printf("%-9s %-9s %8s %7s %9s %8s %8s %7s %8s %8s\n", "model", "fit_on", "fit_s", "epochs",
                "s/epoch", "eval_s", "users", "peakGB", "R@10", "NDCG@10");
    std::map<std::string, double> perEpoch;          // for the peer comparison
    std::map<std::string, double> samplesPerSecond;  // training triplets, BPR
    for (const std::string& name : models) {
        if (name == "bpr-hogwild" && device != "cpu") {
            std::printf("%-9s a CPU kernel: not run on %s\n", name.c_str(), device.c_str());
            continue;
        }
        auto model = createModel(name == "bpr-hogwild" ? "bpr" : name);
        if (!model) {
            std::printf("%-9s unknown model\n", name.c_str());
            continue;
        }
        if (Status st = model->configure(params[name]); !st) {
            std::printf("%-9s %s\n", name.c_str(), st.error().message.c_str());
            continue;
        }
        const bool mergeValidation = !model->usesValidation();
        const TrainData& data = mergeValidation ? trainAndVal : trainOnly;
        resetPeak();
        EpochLog log;
        FitContext context;
        context.device = device;
        context.observer = &log;
        std::fprintf(stderr, "%s: fitting\n", name.c_str());
        auto t = Clock::now();
        const Status fitted = model->fit(data, context);
        const double fitSeconds = since(t);
        if (!fitted) {
            std::printf("%-9s fit failed after %.1f s: %s\n", name.c_str(), fitSeconds,
                        fitted.error().message.c_str());
            std::fflush(stdout);
            continue;
        }
        double epochSum = 0.0, batchSum = 0.0;
        for (const EpochReport& e : log.epochs) {
            epochSum += e.seconds;
            batchSum += e.trainSeconds;
        }
        const auto epochs = static_cast<double>(log.epochs.size());
        // ALS reports iterations with seconds only; epoch models the batch time too.
        const double secondsPerEpoch =
            epochs > 0 ? (batchSum > 0 ? batchSum : epochSum) / epochs : 0.0;
        perEpoch[name] = secondsPerEpoch;
        if (batchSum > 0)  // BPR's epoch = every training positive once
            samplesPerSecond[name] = double(data.positives.nnz()) * epochs / batchSum;
        std::fprintf(stderr, "%s: evaluating\n", name.c_str());
        EvalConfig eval;
        eval.ks = {10, 20, 50, 100};
        eval.keepPerUser = false;
        eval.threads = computeThreads();
        t = Clock::now();
        auto result = evaluate(*model, data, EvalPart::Test, eval);
        const double evalSeconds = since(t);
        if (!result) {
            std::printf("%-9s eval failed: %s\n", name.c_str(), result.error().message.c_str());
            continue;
        }
        const std::string epochText = epochs > 0 ? std::to_string(log.epochs.size()) : "-";
        std::printf("%-9s %-9s %8.1f %7s %9.2f %8.1f %8d %7.2f %8.4f %8.4f\n", name.c_str(),
                    mergeValidation ? "train+val" : "train", fitSeconds, epochText.c_str(),
                    secondsPerEpoch, evalSeconds, result->usersEvaluated, peakRssGb(),
                    result->metrics.at("recall@10"), result->metrics.at("ndcg@10"));
        std::fflush(stdout);
    }

    if (!implicitDir.empty()) {
        // The peer trains on the same matrix iALS trains on (train + validation positives).
        const CsrMatrix& m = trainAndVal.positives;
        const std::string csr = work + "/train-positives.csr";
        {
            std::ofstream out(csr, std::ios::binary);
            out.write(reinterpret_cast<const char*>(m.offsets.data()),
                      static_cast<std::streamsize>(m.offsets.size() * sizeof(int64_t)));
            out.write(reinterpret_cast<const char*>(m.indices.data()),
                      static_cast<std::streamsize>(m.indices.size() * sizeof(int32_t)));
        }
        const std::string script = std::string(RECSCOPE_SOURCE_DIR) + "/bench/implicit_peer.py";
        std::ostringstream cmd;
        cmd << "PYTHONPATH='" << implicitDir << "' " << python << " '" << script << "' '" << csr
            << "' " << m.rows << " " << m.cols << " " << computeThreads() << " 3 2 2>&1";
        std::printf("\npeer (same run, same matrix): %s\n", cmd.str().c_str());
        std::fflush(stdout);
        FILE* pipe = popen(cmd.str().c_str(), "r");
        std::string output;
        char buffer[4096];
        while (pipe && std::fgets(buffer, sizeof buffer, pipe)) {
            output += buffer;
            std::fputs(buffer, stdout);
        }
        if (pipe)
            pclose(pipe);
        const auto grab = [&](const std::string& prefix) {
            const auto at = output.find(prefix);
            return at == std::string::npos ? 0.0 : std::atof(output.c_str() + at + prefix.size());
        };
        const double alsCg = grab("implicit als cg f=64: ");
        const double alsChol = grab("implicit als cholesky f=64: ");
        const double bpr = grab("implicit bpr f=64: ");
        const auto bprLine = output.find("implicit bpr f=64: ");
        const auto comma = bprLine == std::string::npos ? bprLine : output.find(", ", bprLine);
        double bprRate = 0.0;  // "1,234,567 samples/s"
        if (comma != std::string::npos) {
            std::string digits;
            for (size_t c = comma + 2; c < output.size() && output[c] != ' '; ++c)
                if (output[c] != ',')
                    digits += output[c];
            bprRate = std::atof(digits.c_str());
        }
        const double fastestAls = alsCg > 0 && (alsChol <= 0 || alsCg < alsChol) ? alsCg : alsChol;
        std::printf("\n%-24s %10s %10s %7s\n", "", "ours", "implicit", "ratio");
        if (perEpoch.count("ials") && fastestAls > 0)
            std::printf("%-24s %10.2f %10.2f %6.2fx\n", "iALS s/iteration", perEpoch["ials"],
                        fastestAls, fastestAls / perEpoch["ials"]);
        // BPR trains on the training part only (it early-stops on validation), the peer on
        // train + validation: triplets per second compares the two, s/epoch only roughly.
        for (const char* name : {"bpr", "bpr-hogwild"}) {
            if (!perEpoch.count(name) || bpr <= 0)
                continue;
            std::printf("%-24s %10.2f %10.2f %6.2fx\n", (std::string(name) + " s/epoch").c_str(),
                        perEpoch[name], bpr, bpr / perEpoch[name]);
            if (samplesPerSecond.count(name) && bprRate > 0)
                std::printf(
                    "%-24s %10.2f %10.2f %6.2fx\n", (std::string(name) + " M triplets/s").c_str(),
                    samplesPerSecond[name] / 1e6, bprRate / 1e6, samplesPerSecond[name] / bprRate);
        }
        std::remove(csr.c_str());
    }
    return 0;
}
