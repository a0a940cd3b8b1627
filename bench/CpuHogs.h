#pragma once
// The "other process" of the under-load benchmarks (bench_contention, bench_ui_latency): N
// forked busy loops, each wanting one whole core, started before the measured work and
// killed after it.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

namespace recscope::bench {

inline std::vector<pid_t> startHogs(int n) {
    std::vector<pid_t> pids;
    for (int i = 0; i < n; ++i) {
        const pid_t pid = fork();
        if (pid == 0) {
            volatile unsigned long x = 0;
            for (;;)
                x = x + 1;
        }
        pids.push_back(pid);
    }
    if (n > 0)  // let the scheduler spread them before the measurement starts
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return pids;
}

inline void stopHogs(const std::vector<pid_t>& pids) {
    for (pid_t pid : pids) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
    }
}

}  // namespace recscope::bench
