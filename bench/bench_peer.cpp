// Side by side with the PyTorch peer (issue 14): in ONE run, RecScope's training samples/s and
// ../shared/bench/torch_peer.py's for BPR, NeuMF, two-tower and the ranker on ML-100K, with the
// ratio. Each model is measured on our side and then on the peer's before the next one starts,
// so both see the same machine load; both use the same LibTorch (Debian's) and the BLAS this
// process loaded (the peer inherits LD_LIBRARY_PATH). Samples are counted as the peer counts
// them: a BPR triplet; a scored (user, item) row for NeuMF and the ranker; a positive row of a
// two-tower batch; a predicted position (target) of a SASRec window. sasrec's peer is
// bench/sasrec_peer.py (same arguments), the others' torch_peer.py. Ours: the models as registered,
// default parameters (the shapes the peer copies), trained on the temporal split's training
// positives without validation, samples/s = the epochs' EpochReport::samples over their batch time
// (ranker: RankerModel::fitStats(), trained on every positive as the peer is:
// ranker.train_on=train). Without the split, sasrec's sequences are each user's training ratings in
// item order, not time order: the same windows and targets per epoch, which is all a speed figure
// needs.
//
// Usage: bench_peer [--threads N] [--data ML100K_DIR] [--peer torch_peer.py]
//                   [--python /usr/bin/python3] [--seconds S] [--models bpr,neumf,...]
//                   [--rounds N]
// With --rounds N each model alternates ours / peer N times and prints every round's ratio and
// the median: on a shared machine the load drifts between one side's window and the other's,
// and single ratios of the same code have spread from 1.36x to 1.83x.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "core/common/Allocator.h"
#include "core/common/BuildInfo.h"
#include "core/data/DatasetLoader.h"
#include "core/models/Compute.h"
#include "core/models/Recommender.h"
#include "core/models/TrainData.h"
#include "core/nn/PipelineModel.h"
#include "core/nn/TorchModels.h"
#include "core/split/Split.h"

using namespace recscope;

namespace {

struct Throughput : TrainObserver {
    int64_t samples = 0;
    double seconds = 0.0;
    void onEpoch(const EpochReport& r) override {
        samples += r.samples;
        seconds += r.trainSeconds;
    }
    double rate() const { return seconds > 0.0 ? double(samples) / seconds : 0.0; }
};

struct Case {
    std::string key;        // our registry name / what the user passes to --models
    std::string peerModel;  // torch_peer.py's model name
    std::string model;      // registry name
    std::map<std::string, std::string> params;
    bool ownPeer = false;  // the peer is bench/sasrec_peer.py, not --peer
};

// Ours: samples/s of one fit.
double ours(const Case& c, const TrainData& data, std::string& note) {
    auto model = createModel(c.model);
    if (!model) {
        note = "unknown model";
        return 0.0;
    }
    if (Status s = model->configure(c.params); !s) {
        note = s.error().message;
        return 0.0;
    }
    Throughput observer;
    FitContext context;
    context.observer = &observer;
    context.seed = 1;
    if (Status s = model->fit(data, context); !s) {
        note = s.error().message;
        return 0.0;
    }
    if (c.model == "pipeline") {
        const FitStats& stats = static_cast<const PipelineModel&>(*model).ranker().fitStats();
        return stats.seconds > 0.0 ? double(stats.samples) / stats.seconds : 0.0;
    }
    return observer.rate();
}

// The peer: runs torch_peer.py for one model and reads its "samples/s" line.
double peer(const std::string& python, const std::string& script, const std::string& data,
            int threads, const std::string& model, double seconds, std::string& line) {
    std::ostringstream cmd;
    cmd << python << " '" << script << "' '" << data << "' " << threads << " " << model << " "
        << seconds << " 2>&1";
    FILE* pipe = popen(cmd.str().c_str(), "r");
    if (!pipe) {
        line = "cannot start " + python;
        return 0.0;
    }
    char buffer[4096];
    std::string output;
    while (std::fgets(buffer, sizeof buffer, pipe))
        output += buffer;
    const int status = pclose(pipe);
    static const std::regex rate(R"(:\s*([0-9,]+)\s+samples/s)");
    std::smatch m;
    if (status != 0 || !std::regex_search(output, m, rate)) {
        line = "peer failed: " + output.substr(0, 300);
        return 0.0;
    }
    std::string digits = m[1].str();
    digits.erase(std::remove(digits.begin(), digits.end(), ','), digits.end());
    line = output.substr(0, output.find('\n'));
    return std::atof(digits.c_str());
}

}  // namespace

int main(int argc, char** argv) {
    recscope::tuneAllocatorForTraining();
    recscope::registerTorchModels();
    int threads = 2;
    std::string data = std::string(RECSCOPE_SHARED_DATA) + "/ml-100k";
    std::string script = std::string(RECSCOPE_SHARED_DATA) + "/../../bench/torch_peer.py";
    std::string python = "/usr/bin/python3";
    double seconds = 8.0;
    int rounds = 1;
    std::string only;
    for (int a = 1; a + 1 < argc; a += 2) {
        const std::string k = argv[a];
        const std::string v = argv[a + 1];
        if (k == "--threads")
            threads = std::atoi(v.c_str());
        else if (k == "--data")
            data = v;
        else if (k == "--peer")
            script = v;
        else if (k == "--python")
            python = v;
        else if (k == "--seconds")
            seconds = std::atof(v.c_str());
        else if (k == "--models")
            only = "," + v + ",";
        else if (k == "--rounds")
            rounds = std::max(1, std::atoi(v.c_str()));
        else {
            std::fprintf(stderr, "unknown option %s\n", k.c_str());
            return 2;
        }
    }
    setComputeThreads(threads);
    const BlasInfo& blas = loadedBlas();
    std::printf("BLAS: %s%s (%s), kernels %s\nthreads: %d each side; peer: %s, %.0f s per model\n",
                blas.name.c_str(), blas.threading.empty() ? "" : (", " + blas.threading).c_str(),
                blas.library.c_str(), blas.kernels.empty() ? "n/a" : blas.kernels.c_str(), threads,
                script.c_str(), seconds);
    auto ds = loadDataset(data);
    if (!ds) {
        std::fprintf(stderr, "%s\n", ds.error().toString().c_str());
        return 1;
    }
    auto split = makeSplit(ds.value(), defaultSplitConfig(Protocol::Temporal));
    if (!split) {
        std::fprintf(stderr, "%s\n", split.error().toString().c_str());
        return 1;
    }
    TrainData train = TrainData::build(split.value(), &ds.value());
    train.split = nullptr;  // no validation: every epoch trains, nothing else is timed
    std::printf("data: %s, %lld training positives\n\n", data.c_str(),
                static_cast<long long>(train.positives.nnz()));

    const std::vector<Case> cases = {
        {"bpr", "bpr", "bpr", {{"epochs", "60"}}},
        {"neumf", "neumf", "neumf", {{"epochs", "6"}}},
        {"twotower", "twotower", "twotower", {{"epochs", "6"}}},
        {"ranker",
         "ranker",
         "pipeline",
         {{"retriever.epochs", "1"}, {"ranker.epochs", "6"}, {"ranker.train_on", "train"}}},
        // The peer trains SASRec's original objective: ours without mask_seen (the default
        // one, which also builds each batch's P x items mask, is the sasrec+mask row).
        {"sasrec", "sasrec", "sasrec", {{"epochs", "2"}, {"mask_seen", "false"}}, true},
        {"sasrec+mask", "sasrec", "sasrec", {{"epochs", "2"}}, true},
    };
    std::printf("%-9s %14s %14s %7s\n", "model", "ours (smp/s)", "peer (smp/s)", "ratio");
    for (const Case& c : cases) {
        if (!only.empty() && only.find("," + c.key + ",") == std::string::npos)
            continue;
        const std::string peerScript =
            c.ownPeer ? std::string(RECSCOPE_SOURCE_DIR) + "/bench/sasrec_peer.py" : script;
        std::vector<double> ratios;
        for (int round = 0; round < rounds; ++round) {
            std::string note, line;
            const double a = ours(c, train, note);
            const double b = peer(python, peerScript, data, threads, c.peerModel, seconds, line);
            ratios.push_back(b > 0 ? a / b : 0.0);
            std::printf("%-9s %14.0f %14.0f %6.2fx   %s\n", c.key.c_str(), a, b, ratios.back(),
                        note.empty() ? line.c_str() : note.c_str());
            std::fflush(stdout);
        }
        if (rounds > 1) {
            std::sort(ratios.begin(), ratios.end());
            const size_t m = ratios.size();
            const double median = m % 2 ? ratios[m / 2] : 0.5 * (ratios[m / 2 - 1] + ratios[m / 2]);
            std::printf("%-9s median ratio of %zu rounds: %.2fx (min %.2fx, max %.2fx)\n",
                        c.key.c_str(), m, median, ratios.front(), ratios.back());
            std::fflush(stdout);
        }
    }
    return 0;
}
