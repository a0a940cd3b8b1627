#include "core/common/ThreadPolicy.h"

#include <unistd.h>

#include <cstdlib>

namespace recscope {

namespace {
constexpr const char* kPolicy = "OMP_WAIT_POLICY";
constexpr const char* kSetByUs = "RECSCOPE_OMP_WAIT_POLICY_SET";
}  // namespace

void preferPassiveOpenMpWaiting(char** argv) {
    if (std::getenv(kPolicy) || std::getenv(kSetByUs) || !argv || !argv[0])
        return;
    setenv(kPolicy, "passive", 1);
    setenv(kSetByUs, "1", 1);
    execv("/proc/self/exe", argv);
    // No /proc, or the binary went away: run on as before.
    unsetenv(kPolicy);
}

std::string openMpWaitPolicy() {
    const char* policy = std::getenv(kPolicy);
    if (!policy || !*policy)
        return "libgomp's default (spins)";
    return std::string(policy) +
           (std::getenv(kSetByUs) ? " (RecScope's default)" : " (OMP_WAIT_POLICY)");
}

}  // namespace recscope
