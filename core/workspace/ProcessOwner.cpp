#include "core/workspace/ProcessOwner.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>

namespace recscope {

namespace {

// Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat), or empty.
// Together with the pid it identifies a process even after the pid is reused.
std::string processStartTime(long pid, char* state = nullptr) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!in || !std::getline(in, text))
        return {};
    const size_t close = text.rfind(')');
    if (close == std::string::npos)
        return {};
    std::istringstream fields(text.substr(close + 1));
    std::string f;
    for (int i = 3; i <= 22 && fields >> f; ++i) {
        if (i == 3 && state)
            *state = f.empty() ? '?' : f[0];
        if (i == 22)
            return f;
    }
    return {};
}

}  // namespace

std::string processToken() {
    static std::mutex mutex;
    static long cachedPid = -1;
    static std::string token;
    const std::lock_guard<std::mutex> lock(mutex);
    const long pid = static_cast<long>(::getpid());
    if (pid != cachedPid) {
        std::random_device rd;
        std::ostringstream s;
        s << pid << ":" << processStartTime(pid) << ":" << std::hex << rd() << rd();
        token = s.str();
        cachedPid = pid;
    }
    return token;
}

bool ownerAlive(int64_t pid, const std::string& token) {
    if (token == processToken())
        return true;
    if (pid <= 0)
        return false;
    if (pid == static_cast<int64_t>(::getpid()))
        return false;  // an earlier process with our pid
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
        return false;
    char state = '?';
    const std::string start = processStartTime(static_cast<long>(pid), &state);
    if (start.empty())
        return true;  // no /proc: trust kill()
    if (state == 'Z' || state == 'X')
        return false;
    const size_t a = token.find(':');
    const size_t b = token.find(':', a == std::string::npos ? a : a + 1);
    if (a == std::string::npos || b == std::string::npos)
        return true;
    return token.substr(a + 1, b - a - 1) == start;
}

}  // namespace recscope
