// bench_contention: how training degrades when the machine is busy with something else
// (issue 18, "behaviour under load"). Runs `recscope-cli run` on ML-100K four times: alone and
// beside N CPU-bound processes of its own (busy loops, one per --hogs), each with RecScope's
// default passive OpenMP waiting and with OMP_WAIT_POLICY=active (libgomp's spinning, what the
// programs did before core/common/ThreadPolicy.h). Prints wall seconds and the slowdown; the
// goal is a slowdown no worse than the CPU share the other processes take (2x for one hog on
// 2 cores). Wall time includes the program's start (about 1 s; with the default the program
// executes itself once more to set the policy, which adds about as much again).
//
//   bench_contention [--model twotower] [--hogs 1] [--param key=value ...] [--data DIR]

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bench/CpuHogs.h"

extern char** environ;

namespace {

using recscope::bench::startHogs;
using recscope::bench::stopHogs;

// Wall seconds of one `recscope-cli run`, or -1 when it failed.
double timeRun(const std::vector<std::string>& args, const char* policy) {
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e)
        if (std::strncmp(*e, "OMP_WAIT_POLICY=", 16) != 0 &&
            std::strncmp(*e, "RECSCOPE_OMP_WAIT_POLICY_SET=", 29) != 0)
            env.emplace_back(*e);
    if (policy)
        env.push_back(std::string("OMP_WAIT_POLICY=") + policy);
    std::vector<char*> argv;
    for (const std::string& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (std::string& e : env)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    const auto start = std::chrono::steady_clock::now();
    // The run's table is not this benchmark's output.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0)
        return -1;
    int status = 0;
    waitpid(pid, &status, 0);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? seconds : -1;
}


}  // namespace

int main(int argc, char** argv) {
    std::string model = "twotower";
    std::string data = std::string(RECSCOPE_SHARED_DATA) + "/ml-100k";
    int hogs = 1;
    std::vector<std::string> params;
    for (int a = 1; a + 1 < argc; a += 2) {
        const std::string key = argv[a];
        if (key == "--model")
            model = argv[a + 1];
        else if (key == "--hogs")
            hogs = std::max(1, std::atoi(argv[a + 1]));
        else if (key == "--param")
            params.push_back(argv[a + 1]);
        else if (key == "--data")
            data = argv[a + 1];
        else {
            std::fprintf(stderr, "bench_contention: unknown option %s\n", key.c_str());
            return 2;
        }
    }
    std::vector<std::string> args = {RECSCOPE_CLI, "run", data, "--model", model, "--quiet"};
    for (const std::string& p : params) {
        args.push_back("--param");
        args.push_back(p);
    }
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    std::printf("recscope-cli run %s --model %s, %u cores, %d CPU-bound process(es) as load\n",
                data.c_str(), model.c_str(), cores, hogs);
    std::printf("%-28s %10s %10s %9s\n", "OpenMP waiting", "alone s", "loaded s", "slowdown");
    std::fflush(stdout);
    for (const char* policy : {static_cast<const char*>(nullptr), "active"}) {
        const double alone = timeRun(args, policy);
        const std::vector<pid_t> pids = startHogs(hogs);
        const double loaded = timeRun(args, policy);
        stopHogs(pids);
        if (alone < 0 || loaded < 0) {
            std::fprintf(stderr, "bench_contention: a run failed\n");
            return 1;
        }
        std::printf("%-28s %10.2f %10.2f %8.2fx\n",
                    policy ? "active (libgomp spins)" : "passive (RecScope default)", alone, loaded,
                    loaded / alone);
        std::fflush(stdout);
    }
    std::printf("share of the CPU left to training: %.0f%% (slowdown goal <= %.2fx)\n",
                100.0 * cores / (cores + hogs), double(cores + hogs) / cores);
    return 0;
}
