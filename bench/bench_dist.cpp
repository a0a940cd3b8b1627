// Data-parallel training speed (issue 15): training samples per second of one process and of
// 1 and 2 ranks over loopback (Gloo), for bpr (autograd step; the fused single-process kernel
// for reference), neuralmf and twotower on ML-100K (train + validation, no validation pass,
// so the figure is training alone).
//
// Usage: bench_dist [DATA] [EPOCHS] [REPEATS] [FILTER]
//   DATA defaults to the shared ml-100k folder, EPOCHS to 3, REPEATS to 3 (the best time of
//   REPEATS fresh runs is kept: on a loaded machine the others measure the load); FILTER keeps
//   the models whose label contains it ("bpr autograd", "twotower", ...).
// Each rank is this program started again (`bench_dist --rank R --world W --port P ...`), so
// every figure comes from fresh processes. Columns: samples/s of wall time (the slowest
// rank's fit()), and samples per CPU-second summed over the ranks, which a loaded machine
// disturbs less than wall time. On a 2-core machine two ranks share the cores that one process
// uses alone: expect no speed-up there; the figures show the exchange's cost.

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
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
#include "core/dist/DataParallel.h"
#include "core/dist/LoopbackPort.h"
#include "core/models/Compute.h"
#include "core/models/Recommender.h"
#include "core/models/TrainData.h"
#include "core/nn/TorchModels.h"
#include "core/split/Split.h"

using namespace recscope;

namespace {

struct Setup {
    std::string label;
    std::string model;
    std::map<std::string, std::string> params;
};

std::vector<Setup> setups(int epochs) {
    const std::string e = std::to_string(epochs);
    return {
        {"bpr fused kernel", "bpr", {{"kernel", "fused"}, {"epochs", e}, {"patience", "0"}}},
        {"bpr autograd", "bpr", {{"kernel", "autograd"}, {"epochs", e}, {"patience", "0"}}},
        {"neuralmf", "neuralmf", {{"epochs", e}, {"patience", "0"}, {"refit", "false"}}},
        {"twotower", "twotower", {{"epochs", e}, {"patience", "0"}}},
    };
}

double cpuSeconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// One rank (or the single process when world == 0): trains and prints "<seconds> <samples>
// <cpu seconds>" of its fit() on stdout. Exit code 0 on success.
int rankMain(const std::string& data, int epochs, size_t setup, int rank, int world, int port,
             int threads) {
    setComputeThreads(threads);
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
    const Split merged = withValidationInTrain(split.value());
    const TrainData train = TrainData::build(merged, &ds.value());
    const Setup s = setups(epochs).at(setup);
    std::unique_ptr<Recommender> model = createModel(s.model);
    if (Status st = model->configure(s.params); !st) {
        std::fprintf(stderr, "%s\n", st.error().message.c_str());
        return 1;
    }
    std::unique_ptr<DataParallel> group;
    FitContext context;
    if (world > 0) {
        DistConfig c;
        c.worldSize = world;
        c.rank = rank;
        c.localRank = rank;
        c.masterPort = port;
        c.backend = "gloo";
        c.timeoutSeconds = 120;
        auto joined = DataParallel::connect(c, "cpu");
        if (!joined) {
            std::fprintf(stderr, "%s\n", joined.error().message.c_str());
            return 1;
        }
        group = std::move(joined).value();
        context.parallel = group.get();
    }
    const double cpu0 = cpuSeconds();
    const auto t0 = std::chrono::steady_clock::now();
    const Status fitted = model->fit(train, context);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = cpuSeconds() - cpu0;
    if (!fitted) {
        std::fprintf(stderr, "%s\n", fitted.error().message.c_str());
        return 1;
    }
    std::printf("%.6f %lld %.6f\n", seconds, static_cast<long long>(train.positives.nnz()) * epochs,
                cpu);
    return 0;
}

// Starts `count` copies of this program (ranks, or one plain process when world == 0) and
// returns their "<seconds> <samples> <cpu>" lines ("" on failure).
std::string launch(const std::string& self, const std::string& data, int epochs, size_t setup,
                   int world, int threads) {
    const int port = freeLoopbackPort();
    const int count = world > 0 ? world : 1;
    std::vector<pid_t> pids;
    int pipeFd[2];
    if (::pipe(pipeFd) != 0)
        return {};
    for (int r = 0; r < count; ++r) {
        const pid_t pid = ::fork();
        if (pid == 0) {
            ::dup2(pipeFd[1], 1);
            ::close(pipeFd[0]);
            ::close(pipeFd[1]);
            const std::vector<std::string> args = {self,
                                                   "--rank",
                                                   std::to_string(r),
                                                   "--world",
                                                   std::to_string(world),
                                                   "--port",
                                                   std::to_string(port),
                                                   "--setup",
                                                   std::to_string(setup),
                                                   "--threads",
                                                   std::to_string(threads),
                                                   data,
                                                   std::to_string(epochs)};
            std::vector<char*> argv;
            for (const auto& a : args)
                argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            ::execv(self.c_str(), argv.data());
            ::_exit(127);
        }
        pids.push_back(pid);
    }
    ::close(pipeFd[1]);
    std::string out;
    char buf[256];
    for (ssize_t n; (n = ::read(pipeFd[0], buf, sizeof(buf))) > 0;)
        out.append(buf, size_t(n));
    ::close(pipeFd[0]);
    bool ok = true;
    for (pid_t pid : pids) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    return ok ? out : std::string();
}

}  // namespace

int main(int argc, char** argv) {
    recscope::tuneAllocatorForTraining();
    recscope::registerTorchModels();
    std::vector<std::string> args(argv + 1, argv + argc);
    std::map<std::string, int> opts;
    std::vector<std::string> rest;
    for (size_t k = 0; k < args.size(); ++k) {
        if (args[k].rfind("--", 0) == 0 && k + 1 < args.size()) {
            const std::string name = args[k].substr(2);
            opts[name] = std::atoi(args[++k].c_str());
        } else {
            rest.push_back(args[k]);
        }
    }
    const std::string data =
        rest.size() > 0 ? rest[0] : std::string(RECSCOPE_SHARED_DATA) + "/ml-100k";
    const int epochs = rest.size() > 1 ? std::max(1, std::atoi(rest[1].c_str())) : 3;
    const int repeats = rest.size() > 2 ? std::max(1, std::atoi(rest[2].c_str())) : 3;
    const std::string filter = rest.size() > 3 ? rest[3] : std::string();
    if (opts.count("rank"))
        return rankMain(data, epochs, size_t(opts["setup"]), opts["rank"], opts["world"],
                        opts["port"], opts["threads"]);

    char self[4096];
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        return 1;
    self[n] = '\0';
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    std::printf(
        "bench_dist: %s, %d epochs, training samples (positives x epochs) per second, "
        "best of %d runs, %u cores\n",
        data.c_str(), epochs, repeats, cores);
    std::printf("%-18s %-30s %12s %10s %10s %14s\n", "model", "run", "samples/s", "seconds",
                "cpu s", "samples/cpu-s");
    struct Row {
        const char* name;
        int world;    // 0: plain process
        int threads;  // per process
    };
    const Row rows[] = {{"1 process, 1 thread", 0, 1},
                        {"1 process, all threads", 0, int(cores)},
                        {"1 rank (gloo), 1 thread", 1, 1},
                        {"2 ranks (gloo), 1 thread each", 2, 1}};
    const auto all = setups(epochs);
    for (size_t s = 0; s < all.size(); ++s) {
        for (const Row& row : rows) {
            if (all[s].params.count("kernel") && all[s].params.at("kernel") == "fused" &&
                row.world > 0)
                continue;  // the fused kernel is single-process only
            if (!filter.empty() && all[s].label.find(filter) == std::string::npos)
                continue;
            // Per setting: the best wall time of `repeats` runs (the slowest rank's), and the
            // CPU seconds all ranks spent in that run.
            double seconds = 0.0, cpu = 0.0;
            long long samples = 0;
            for (int k = 0; k < repeats && (k == 0 || samples > 0); ++k) {
                std::istringstream lines(launch(self, data, epochs, s, row.world, row.threads));
                double wall = 0.0, used = 0.0;
                long long n = 0;
                int count = 0;
                for (std::string line; std::getline(lines, line); ++count) {
                    double t = 0.0, c = 0.0;
                    if (std::sscanf(line.c_str(), "%lf %lld %lf", &t, &n, &c) != 3)
                        break;
                    wall = std::max(wall, t);
                    used += c;
                }
                if (count != std::max(1, row.world)) {
                    samples = 0;
                    break;
                }
                if (k == 0 || wall < seconds) {
                    seconds = wall;
                    cpu = used;
                }
                samples = n;
            }
            if (samples == 0) {
                std::printf("%-18s %-30s %12s\n", all[s].label.c_str(), row.name, "failed");
                continue;
            }
            std::printf("%-18s %-30s %12.0f %10.2f %10.2f %14.0f\n", all[s].label.c_str(), row.name,
                        double(samples) / seconds, seconds, cpu, double(samples) / cpu);
            std::fflush(stdout);
        }
    }
    return 0;
}
