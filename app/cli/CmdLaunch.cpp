// recscope-cli launch --nproc N -- run DATA ...: starts N ranks of a data-parallel run on this
// machine (127.0.0.1), like `torchrun --nproc_per_node N --no_python recscope-cli run ...`, and
// forwards their output with a rank prefix. Rank 0's standard output (the run's result: table
// or --json) passes through unprefixed so that it stays machine-readable.

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "app/cli/ArgParser.h"
#include "app/cli/Commands.h"
#include "core/dist/LoopbackPort.h"

namespace recscope::cli {

namespace {

using Clock = std::chrono::steady_clock;

// One child rank: its pid, its two output pipes and the partial line read from each.
struct Rank {
    pid_t pid = -1;
    int fd[2] = {-1, -1};  // stdout, stderr (read ends)
    std::string pending[2];
    bool exited = false;
    int code = 0;
};

volatile sig_atomic_t g_interrupts = 0;

extern "C" void onLauncherSignal(int) {
    g_interrupts = g_interrupts + 1;
}

void writeAll(int fd, const std::string& text) {
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        done += size_t(n);
    }
}

// Forwards the complete lines of `chunk` (and, at the end of the stream, the rest).
void forwardLines(Rank& r, int rank, int stream, const char* chunk, size_t n, bool end) {
    std::string& buf = r.pending[stream];
    buf.append(chunk, n);
    const bool verbatim = stream == 0 && rank == 0;
    const std::string prefix = "[rank " + std::to_string(rank) + "] ";
    size_t start = 0;
    for (size_t nl; (nl = buf.find('\n', start)) != std::string::npos; start = nl + 1)
        writeAll(stream == 0 ? 1 : 2,
                 (verbatim ? std::string() : prefix) + buf.substr(start, nl - start + 1));
    buf.erase(0, start);
    if (end && !buf.empty()) {
        writeAll(stream == 0 ? 1 : 2, (verbatim ? std::string() : prefix) + buf + "\n");
        buf.clear();
    }
}

std::string selfPath() {
    char path[4096];
    const ssize_t n = ::readlink("/proc/self/exe", path, sizeof(path) - 1);
    if (n <= 0)
        return {};
    path[n] = '\0';
    return path;
}

}  // namespace

int cmdLaunch(const Args& args) {
    ArgParser parser("launch",
                     "Start N ranks of a data-parallel command on this machine, e.g.\n"
                     "  recscope-cli launch --nproc 2 -- run DATA --model bpr --json\n"
                     "Each rank gets WORLD_SIZE, RANK, LOCAL_RANK, MASTER_ADDR=127.0.0.1 and\n"
                     "MASTER_PORT, as torchrun sets them. Their standard error is forwarded with\n"
                     "a '[rank R] ' prefix; rank 0's standard output is passed through as it is.\n"
                     "The exit code is the first failing rank's (0 when all succeed).");
    parser.addOption("nproc", "N", "Ranks to start (1..64)");
    parser.addOption("master-port", "PORT", "Rendezvous port", "MASTER_PORT, else a free one");
    parser.addOption("dist-timeout", "SECONDS",
                     "Passed on to the ranks; also how long the others may take to end after "
                     "one fails before they are stopped",
                     "300");
    const auto split = std::find(args.begin(), args.end(), std::string("--"));
    const Args own(args.begin(), split);
    const Args command(split == args.end() ? split : split + 1, args.end());
    const auto usage = [](const std::string& message) {
        std::cerr << "recscope-cli " << message << "\n"
                  << "Try 'recscope-cli launch --help'.\n";
        return 2;
    };
    if (Status s = parser.parse(own); !s)
        return usage(s.error().message);
    if (parser.helpRequested()) {
        std::cout << parser.helpText();
        return 0;
    }
    if (parser.positionalCount() > 0)
        return usage("launch: put the command to run after '--' (launch --nproc N -- run ...)");
    if (command.empty())
        return usage("launch: nothing to run: add '-- run DATA --model NAME ...'");
    if (!parser.has("nproc"))
        return usage("launch: --nproc is required");
    const Result<int64_t> nproc = parser.intValue("nproc", 1);
    if (!nproc || nproc.value() < 1 || nproc.value() > 64)
        return usage("launch: --nproc must be between 1 and 64");
    const Result<double> timeout = parser.doubleValue("dist-timeout", 300.0);
    if (!timeout || !(timeout.value() >= 1.0) || timeout.value() > 86400.0)
        return usage("launch: --dist-timeout must be between 1 and 86400 seconds");
    int port = 0;
    if (parser.has("master-port") || std::getenv("MASTER_PORT")) {
        const std::string text =
            parser.has("master-port") ? parser.value("master-port") : std::getenv("MASTER_PORT");
        char* end = nullptr;
        const long p = std::strtol(text.c_str(), &end, 10);
        if (text.empty() || *end != '\0' || p < 1 || p > 65535)
            return usage("launch: the master port must be between 1 and 65535, got '" + text + "'");
        port = int(p);
    } else {
        port = freeLoopbackPort();
        if (port == 0) {
            std::cerr << "recscope-cli launch: cannot find a free port on 127.0.0.1\n";
            return 1;
        }
    }
    const std::string self = selfPath();
    if (self.empty()) {
        std::cerr << "recscope-cli launch: cannot find this program's path (/proc/self/exe)\n";
        return 1;
    }

    const int world = int(nproc.value());
    std::vector<Rank> ranks(static_cast<size_t>(world));
    struct sigaction action {};
    action.sa_handler = onLauncherSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    for (int r = 0; r < world; ++r) {
        int out[2], err[2];
        if (::pipe(out) != 0 || ::pipe(err) != 0) {
            std::cerr << "recscope-cli launch: pipe: " << std::strerror(errno) << "\n";
            return 1;
        }
        const pid_t pid = ::fork();
        if (pid < 0) {
            std::cerr << "recscope-cli launch: fork: " << std::strerror(errno) << "\n";
            return 1;
        }
        if (pid == 0) {
            ::dup2(out[1], 1);
            ::dup2(err[1], 2);
            ::close(out[0]);
            ::close(out[1]);
            ::close(err[0]);
            ::close(err[1]);
            signal(SIGINT, SIG_DFL);
            signal(SIGTERM, SIG_DFL);
            setenv("WORLD_SIZE", std::to_string(world).c_str(), 1);
            setenv("RANK", std::to_string(r).c_str(), 1);
            setenv("LOCAL_RANK", std::to_string(r).c_str(), 1);
            setenv("LOCAL_WORLD_SIZE", std::to_string(world).c_str(), 1);
            setenv("MASTER_ADDR", "127.0.0.1", 1);
            setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
            if (parser.has("dist-timeout"))
                setenv("RECSCOPE_DIST_TIMEOUT", parser.value("dist-timeout").c_str(), 1);
            std::vector<char*> argv;
            argv.push_back(const_cast<char*>(self.c_str()));
            for (const std::string& a : command)
                argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            ::execv(self.c_str(), argv.data());
            std::perror("recscope-cli launch: exec");
            ::_exit(127);
        }
        ::close(out[1]);
        ::close(err[1]);
        ranks[size_t(r)].pid = pid;
        ranks[size_t(r)].fd[0] = out[0];
        ranks[size_t(r)].fd[1] = err[0];
    }

    // Forward output until every pipe is closed and every rank has exited. After the first
    // failure the others get the rank timeout (plus a margin) to end on their own, then
    // SIGTERM, then SIGKILL.
    int firstFailure = -1;
    Clock::time_point failedAt;
    int forwardedInterrupts = 0;
    bool terminated = false, killed = false;
    const auto grace = std::chrono::duration<double>(timeout.value() + 10.0);
    char chunk[65536];
    for (;;) {
        std::vector<pollfd> fds;
        std::vector<std::pair<int, int>> owner;
        for (int r = 0; r < world; ++r)
            for (int s = 0; s < 2; ++s)
                if (ranks[size_t(r)].fd[s] >= 0) {
                    fds.push_back({ranks[size_t(r)].fd[s], POLLIN, 0});
                    owner.push_back({r, s});
                }
        bool allExited = true;
        for (Rank& rk : ranks) {
            if (rk.exited)
                continue;
            int status = 0;
            if (::waitpid(rk.pid, &status, WNOHANG) == rk.pid) {
                rk.exited = true;
                rk.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                if (rk.code != 0 && firstFailure < 0) {
                    firstFailure = int(&rk - ranks.data());
                    failedAt = Clock::now();
                }
            } else {
                allExited = false;
            }
        }
        if (allExited && fds.empty())
            break;
        while (forwardedInterrupts < g_interrupts) {
            ++forwardedInterrupts;
            for (Rank& rk : ranks)
                if (!rk.exited)
                    ::kill(rk.pid, forwardedInterrupts == 1 ? SIGINT : SIGKILL);
        }
        if (firstFailure >= 0 && !allExited) {
            const auto waited = Clock::now() - failedAt;
            if (!terminated && waited > grace) {
                terminated = true;
                for (Rank& rk : ranks)
                    if (!rk.exited)
                        ::kill(rk.pid, SIGTERM);
            } else if (!killed && waited > grace + std::chrono::seconds(5)) {
                killed = true;
                for (Rank& rk : ranks)
                    if (!rk.exited)
                        ::kill(rk.pid, SIGKILL);
            }
        }
        if (fds.empty()) {
            ::usleep(20000);
            continue;
        }
        const int ready = ::poll(fds.data(), fds.size(), 100);
        if (ready <= 0)
            continue;
        for (size_t k = 0; k < fds.size(); ++k) {
            if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            const auto [r, s] = owner[k];
            Rank& rk = ranks[size_t(r)];
            const ssize_t n = ::read(fds[k].fd, chunk, sizeof(chunk));
            if (n > 0) {
                forwardLines(rk, r, s, chunk, size_t(n), false);
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                forwardLines(rk, r, s, chunk, 0, true);
                ::close(rk.fd[s]);
                rk.fd[s] = -1;
            }
        }
    }
    if (firstFailure < 0)
        return 0;
    for (int r = 0; r < world; ++r)
        if (ranks[size_t(r)].code != 0)
            std::cerr << "recscope-cli launch: rank " << r << " exited with code "
                      << ranks[size_t(r)].code << "\n";
    const int code = ranks[size_t(firstFailure)].code;
    return code > 0 && code < 256 ? code : 1;
}

}  // namespace recscope::cli
