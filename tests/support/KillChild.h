#pragma once
// Kill tests ("nothing lost"): `work` runs in a forked child, which is killed with SIGKILL
// `delay` after it signals that it starts. The parent then looks at what the work left on disk.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <thread>

namespace recscope::test {

// True when the kill ended the child; false when the work had finished (or the fork failed,
// which the caller sees as a child that did nothing).
inline bool runAndKill(const std::function<void()>& work, std::chrono::microseconds delay) {
    int ready[2];
    if (::pipe(ready) != 0)
        return false;
    const pid_t child = ::fork();
    if (child < 0)
        return false;
    if (child == 0) {
        ::close(ready[0]);
        const char byte = 'y';
        if (::write(ready[1], &byte, 1) != 1)
            ::_exit(1);
        work();
        ::_exit(0);
    }
    ::close(ready[1]);
    char byte = 0;
    const bool started = ::read(ready[0], &byte, 1) == 1;
    ::close(ready[0]);
    if (started)
        std::this_thread::sleep_for(delay);
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

}  // namespace recscope::test
