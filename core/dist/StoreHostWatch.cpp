#include "core/dist/StoreHostWatch.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <system_error>

namespace recscope {

namespace {

// c10d's TCPStore keeps a second connection to the store's host, read by a thread of its own
// (the watch-key daemon). When the host's process dies, a read there fails with
// "Connection reset by peer", and the exception leaves that thread: std::terminate. No caller
// can catch it, so while a rank that does not host the store is connected, a terminate
// handler turns a network error into the same report and exit status as a lost rank seen in
// a collective. Anything else goes on to the previous handler (an abort, as before).
std::atomic<int> g_storeClientRank{-1};
std::atomic<bool> g_storeHostIsAgent{false};
std::terminate_handler g_previousTerminate = nullptr;

[[noreturn]] void lostStoreHostOnTerminate() {
    const int rank = g_storeClientRank.load();
    if (rank >= 0) {
        if (const std::exception_ptr error = std::current_exception()) {
            try {
                std::rethrow_exception(error);
            } catch (const std::system_error& e) {
                const std::string host = g_storeHostIsAgent.load()
                                             ? "the launcher, which hosts the rendezvous store"
                                             : "rank 0";
                std::fprintf(stderr,
                             "rank %d: lost %s: its connection was cut (%s; killed or crashed); "
                             "ending this rank\n",
                             rank, host.c_str(), e.what());
                std::fflush(stderr);
                _exit(1);
            } catch (...) {
            }
        }
    }
    if (g_previousTerminate)
        g_previousTerminate();
    std::abort();
}

}  // namespace

void watchStoreHost(int rank, bool agentHosts) {
    g_storeHostIsAgent = agentHosts;
    if (g_storeClientRank.exchange(rank) < 0)
        g_previousTerminate = std::set_terminate(lostStoreHostOnTerminate);
}

void unwatchStoreHost() {
    if (g_storeClientRank.exchange(-1) >= 0)
        std::set_terminate(g_previousTerminate);
}

}  // namespace recscope
