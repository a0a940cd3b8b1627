#include "core/dist/DataParallel.h"

#include <torch/torch.h>

#include <algorithm>
#include <condition_variable>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include "core/dist/C10dBackend.h"
#include "core/dist/DistError.h"
#include "core/dist/StoreHostWatch.h"

namespace recscope {

namespace {

using std::chrono::milliseconds;

// Heartbeat: every rank bumps its counter this often; a counter that does not move over
// kStaleAfter belongs to a rank that is dead or stopped.
constexpr milliseconds kBeat{400};
constexpr milliseconds kStaleAfter{1500};
constexpr milliseconds kSideTimeout{3000};

std::string storeKey(const DistConfig& c, const std::string& what) {
    return "recscope/" + c.attempt + "/" + what;
}

std::string rankKey(const DistConfig& c, const char* what, int rank) {
    return storeKey(c, std::string(what) + "/" + std::to_string(rank));
}

std::string listRanks(const std::vector<int>& ranks) {
    std::string s;
    for (size_t k = 0; k < ranks.size(); ++k)
        s += (k == 0 ? "" : (k + 1 == ranks.size() ? " and " : ", ")) + std::to_string(ranks[k]);
    return (ranks.size() == 1 ? "rank " : "ranks ") + s;
}

std::string secondsText(double s) {
    std::ostringstream out;
    out << s << " s";
    return out.str();
}

bool isLoopback(const std::string& addr) {
    return addr == "localhost" || addr == "::1" || addr.rfind("127.", 0) == 0;
}

// c10d's TCPStore applies its timeout to waiting for keys, not to each socket read: a store
// whose host is stopped (SIGSTOP, a hung machine) accepts the connection and never answers.
// Store calls made while diagnosing run on a detached thread, and the caller waits at most
// `limit`; nullopt when it did not finish in time (the thread is left behind, holding only
// what it captured).
template <typename Fn>
std::optional<std::string> withDeadline(Fn fn, std::chrono::milliseconds limit) {
    auto result = std::make_shared<std::promise<std::string>>();
    std::future<std::string> done = result->get_future();
    std::thread([result, fn]() mutable {
        try {
            result->set_value(fn());
        } catch (...) {
            result->set_exception(std::current_exception());
        }
    }).detach();
    if (done.wait_for(limit) != std::future_status::ready)
        return std::nullopt;
    return done.get();  // rethrows the thread's exception
}

// Who is at fault after a failed collective, asked of the store: a rank that left a failure
// note, else the ranks whose heartbeat stopped. "" when every rank is alive. Throws when the
// store does not answer.
std::string diagnose(const DistConfig& c, const std::string& operation) {
    const std::string me = "rank " + std::to_string(c.rank) + ": ";
    std::unique_ptr<C10dBackend> side =
        C10dBackend::openStore(c.masterAddr, c.masterPort, false, c.worldSize, kSideTimeout);
    for (int k = 0; k < c.worldSize; ++k)
        if (k != c.rank && side->exists(rankKey(c, "failed", k)))
            return me + "rank " + std::to_string(k) +
                   " failed, ending this rank too: " + side->get(rankKey(c, "failed", k));
    std::vector<int64_t> before(static_cast<size_t>(c.worldSize));
    for (int k = 0; k < c.worldSize; ++k)
        before[size_t(k)] = side->add(rankKey(c, "heartbeat", k), 0);
    std::this_thread::sleep_for(kStaleAfter);
    std::vector<int> silent;
    for (int k = 0; k < c.worldSize; ++k)
        if (k != c.rank && side->add(rankKey(c, "heartbeat", k), 0) == before[size_t(k)])
            silent.push_back(k);
    if (silent.empty())
        return {};
    return me + "lost " + listRanks(silent) + " during " + operation +
           " (no heartbeat: killed, crashed or stopped); ending this rank";
}

}  // namespace

struct DataParallel::Heartbeat {
    std::mutex mutex;
    std::condition_variable wake;
    bool stop = false;
    bool done = false;
};

// --- construction and rendezvous -----------------------------------------------------------

DataParallel::DataParallel(const DistConfig& config, std::string device)
    : m_config(config), m_device(std::move(device)) {}

DataParallel::~DataParallel() {
    stopHeartbeat();
    if (!m_store)
        return;
    // A broken group's stores are abandoned, not closed: their reader threads live on until
    // the process ends, and the handler stays for them.
    if (!m_broken)
        unwatchStoreHost();
    if (m_broken) {
        m_store->abandon();
    } else if (m_failureReported && leader() && worldSize() > 1) {
        // Rank 0 hosts the store: close the group first (peers waiting in a collective fail at
        // once), then keep the store up long enough for them to read why.
        m_store->closeGroup();
        std::this_thread::sleep_for(kStaleAfter + kBeat * 2);
    }
}

Result<std::unique_ptr<DataParallel>> DataParallel::connect(const DistConfig& config,
                                                            const std::string& device) {
    const std::string who = "rank " + std::to_string(config.rank) + ": ";
    const bool cuda = device.rfind("cuda", 0) == 0;
    std::string backend = config.backend;
    if (backend == "auto")
        backend = cuda && C10dBackend::hasNccl() ? "nccl" : "gloo";
    if (backend == "nccl" && !cuda)
        return makeError(who + "the nccl backend needs --device cuda (NCCL moves GPU tensors)");
    if (backend == "nccl" && !C10dBackend::hasNccl())
        return makeError(who +
                         "this build of RecScope has no NCCL backend (it needs a CUDA "
                         "LibTorch and nccl.h at build time); use --dist-backend gloo");
    if (backend == "gloo" && !C10dBackend::hasGloo())
        return makeError(who +
                         "this build of RecScope has no Gloo backend (libgloo-dev was "
                         "missing at build time)");
    std::unique_ptr<DataParallel> dp(new DataParallel(config, device));
    dp->m_backendName = backend;
    try {
        dp->rendezvous();
    } catch (const std::exception& e) {
        return makeError(who + e.what());
    }
    return Result<std::unique_ptr<DataParallel>>(std::move(dp));
}

void DataParallel::rendezvous() {
    const auto timeout = milliseconds(static_cast<int64_t>(m_config.timeoutSeconds * 1000.0));
    const int world = m_config.worldSize;
    const int me = m_config.rank;
    m_store = C10dBackend::openStore(m_config.masterAddr, m_config.masterPort,
                                     me == 0 && !m_config.agentStore, world, timeout);
    if (me != 0 || m_config.agentStore)
        watchStoreHost(me, m_config.agentStore);
    if (m_store->add(rankKey(m_config, "rank", me), 1) > 1)
        throw DistError("another process already joined as rank " + std::to_string(me) +
                        ": every process needs its own RANK");
    if (me == 0) {
        m_store->set(storeKey(m_config, "world"), std::to_string(world));
    } else {
        const std::string theirs = m_store->get(storeKey(m_config, "world"));
        if (theirs != std::to_string(world))
            throw DistError("WORLD_SIZE=" + std::to_string(world) +
                            " here but rank 0 has WORLD_SIZE=" + theirs);
    }
    m_store->add(storeKey(m_config, "arrived"), 1);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (m_store->add(storeKey(m_config, "arrived"), 0) < world) {
        if (std::chrono::steady_clock::now() > deadline) {
            std::vector<int> missing;
            for (int k = 0; k < world; ++k)
                if (!m_store->exists(rankKey(m_config, "rank", k)))
                    missing.push_back(k);
            throw DistError(listRanks(missing) + " did not join within " +
                            secondsText(m_config.timeoutSeconds) + " (WORLD_SIZE=" +
                            std::to_string(world) + "; --dist-timeout sets the wait)");
        }
        std::this_thread::sleep_for(milliseconds(20));
    }
    // Gloo binds an address of this machine; on loopback runs that is 127.0.0.1, elsewhere
    // the host name's address (GLOO_SOCKET_IFNAME picks an interface, as in PyTorch).
    const std::string socketHost = isLoopback(m_config.masterAddr) ? "127.0.0.1" : "";
    int cudaIndex = 0;
    if (m_device.rfind("cuda:", 0) == 0)
        cudaIndex = std::stoi(m_device.substr(5));
    m_store->startProcessGroup(storeKey(m_config, "pg"), m_backendName, me, world, socketHost,
                               cudaIndex, timeout);
    startHeartbeat();
    // One collective before any training: the group works end to end.
    allReduceLoss(0.0);
}

// --- heartbeat and failure reports ---------------------------------------------------------

void DataParallel::startHeartbeat() {
    m_heartbeat = std::make_shared<Heartbeat>();
    std::thread([beat = m_heartbeat, config = m_config] {
        std::unique_ptr<C10dBackend> side;
        try {
            side = C10dBackend::openStore(config.masterAddr, config.masterPort, false,
                                          config.worldSize, kSideTimeout);
            const std::string key = rankKey(config, "heartbeat", config.rank);
            std::unique_lock<std::mutex> lock(beat->mutex);
            while (!beat->stop) {
                lock.unlock();
                side->add(key, 1);
                lock.lock();
                beat->wake.wait_for(lock, kBeat, [&] { return beat->stop; });
            }
        } catch (const std::exception&) {
            // The store is gone: the next collective says so.
        }
        std::lock_guard<std::mutex> lock(beat->mutex);
        beat->done = true;
        beat->wake.notify_all();
    }).detach();
}

void DataParallel::stopHeartbeat() {
    if (!m_heartbeat)
        return;
    std::unique_lock<std::mutex> lock(m_heartbeat->mutex);
    m_heartbeat->stop = true;
    m_heartbeat->wake.notify_all();
    // A beat stuck in a store that stopped answering is left to the process's end.
    m_heartbeat->wake.wait_for(lock, kSideTimeout, [this] { return m_heartbeat->done; });
}

void DataParallel::reportFailure(const std::string& message) noexcept {
    if (!m_store || m_broken)
        return;  // after a failed collective the others see the failure themselves
    try {
        const DistConfig config = m_config;
        const auto written = withDeadline(
            [config, message] {
                std::unique_ptr<C10dBackend> side = C10dBackend::openStore(
                    config.masterAddr, config.masterPort, false, config.worldSize, kSideTimeout);
                side->set(rankKey(config, "failed", config.rank), message);
                return std::string("written");
            },
            kSideTimeout + kBeat);
        m_failureReported = written.has_value();
    } catch (const std::exception&) {
    }
}

void DataParallel::fail(const std::string& operation, const std::string& what) {
    m_broken = true;
    const std::string me = "rank " + std::to_string(m_config.rank) + ": ";
    const std::string storeGone =
        me + "lost rank 0 during " + operation +
        ": the rendezvous store it hosts does not answer (rank 0 died, was killed or hangs); "
        "ending this rank";
    std::string verdict;
    try {
        const DistConfig config = m_config;
        const auto found = withDeadline([config, operation] { return diagnose(config, operation); },
                                        kSideTimeout + kStaleAfter + kSideTimeout);
        verdict = found ? *found : storeGone;
    } catch (const std::exception&) {
        verdict = storeGone;
    }
    if (verdict.empty())
        verdict = me + operation + " got no answer within the " +
                  secondsText(m_config.timeoutSeconds) +
                  " timeout although every rank is alive: one rank is slower than the timeout "
                  "allows (raise --dist-timeout) [" +
                  what + "]";
    throw DistError(verdict);
}

template <typename Fn>
void DataParallel::guarded(const char* operation, Fn&& collective) {
    if (m_broken)
        throw DistError("rank " + std::to_string(m_config.rank) +
                        ": the process group failed earlier");
    try {
        collective();
    } catch (const std::exception& e) {
        fail(operation, e.what());
    }
}

// --- sharding ------------------------------------------------------------------------------

BatchShard DataParallel::shardOf(int rank, int worldSize, int64_t begin, int64_t end) {
    const int64_t n = std::max<int64_t>(0, end - begin);
    const int64_t world = std::max(1, worldSize);
    const int64_t base = n / world;
    const int64_t extra = n % world;
    BatchShard s;
    s.begin = begin + rank * base + std::min<int64_t>(rank, extra);
    s.end = s.begin + base + (rank < extra ? 1 : 0);
    s.share = n > 0 ? double(s.size()) / double(n) : 0.0;
    return s;
}

// --- collectives ---------------------------------------------------------------------------

namespace {

// Gloo moves CPU tensors; NCCL needs them on the rank's GPU. A tensor on the wrong side is
// copied over and back.
torch::Tensor onBackend(const torch::Tensor& t, const std::string& backend,
                        const std::string& device) {
    if (backend == "nccl")
        return t.device().is_cuda() ? t : t.to(torch::Device(device));
    return t.device().is_cpu() ? t : t.to(torch::kCPU);
}

}  // namespace

void DataParallel::broadcastParameters(const std::vector<at::Tensor>& tensors) {
    if (tensors.empty())
        return;
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> flat;
    for (const auto& t : tensors)
        flat.push_back(t.detach().reshape(-1).to(torch::kFloat32));
    torch::Tensor buffer = onBackend(torch::cat(flat).contiguous(), m_backendName, m_device);
    guarded("broadcast of the initial parameters", [&] { m_store->broadcast(buffer, 0); });
    int64_t offset = 0;
    for (const auto& t : tensors) {
        const int64_t n = t.numel();
        auto part = buffer.narrow(0, offset, n).view(t.sizes());
        t.detach().copy_(part);
        offset += n;
    }
}

double DataParallel::allReduceGradients(const std::vector<at::Tensor>& params, double lossShare) {
    torch::NoGradGuard noGrad;
    const bool stop = isCancelled(m_cancel);
    std::vector<torch::Tensor> parts;
    parts.reserve(params.size() + 1);
    torch::Device where = params.empty() ? torch::Device(torch::kCPU) : params.front().device();
    for (const auto& p : params) {
        const auto& g = p.grad();
        // An embedding's sparse gradient travels dense (and comes back dense).
        parts.push_back(g.defined()
                            ? (g.is_sparse() ? g.to_dense() : g).reshape(-1).to(torch::kFloat32)
                            : torch::zeros({p.numel()}, p.options().dtype(torch::kFloat32)));
    }
    parts.push_back(torch::tensor({float(lossShare), stop ? 1.0f : 0.0f},
                                  torch::TensorOptions().dtype(torch::kFloat32))
                        .to(where));
    torch::Tensor buffer = onBackend(torch::cat(parts).contiguous(), m_backendName, m_device);
    guarded("allreduce of the gradients", [&] { m_store->allReduceSum(buffer); });
    int64_t offset = 0;
    for (const auto& p : params) {
        const int64_t n = p.numel();
        auto summed = buffer.narrow(0, offset, n).view(p.sizes());
        auto& grad = const_cast<torch::Tensor&>(p).mutable_grad();
        if (!grad.defined() || grad.is_sparse())
            grad = torch::zeros_like(p);
        grad.copy_(summed);
        offset += n;
    }
    const auto tail = buffer.narrow(0, offset, 2).to(torch::kCPU, torch::kFloat64);
    m_stopRequested = m_stopRequested || tail[1].item<double>() > 0.5;
    return tail[0].item<double>();
}

double DataParallel::allReduceLoss(double lossShare) {
    return allReduceGradients({}, lossShare);
}

at::Tensor DataParallel::gatherRows(const at::Tensor& local, int64_t begin, int64_t end) {
    const BatchShard mine = shard(begin, end);
    if (local.size(0) != mine.size())
        throw DistError("rank " + std::to_string(m_config.rank) + ": gatherRows got " +
                        std::to_string(local.size(0)) + " rows, its shard has " +
                        std::to_string(mine.size()));
    torch::NoGradGuard noGrad;
    const int world = m_config.worldSize;
    const int64_t most = shardOf(0, world, begin, end).size();  // shard 0 is never smaller
    std::vector<int64_t> shape(local.sizes().begin(), local.sizes().end());
    shape[0] = most;
    torch::Tensor padded = torch::zeros(shape, local.options());
    if (mine.size() > 0)
        padded.narrow(0, 0, mine.size()).copy_(local.detach());
    padded = onBackend(padded, m_backendName, m_device).contiguous();
    std::vector<torch::Tensor> outputs;
    for (int k = 0; k < world; ++k)
        outputs.push_back(torch::empty_like(padded));
    guarded("allgather of batch rows", [&] { m_store->allGather(outputs, padded); });
    std::vector<torch::Tensor> rows;
    for (int k = 0; k < world; ++k)
        rows.push_back(outputs[size_t(k)].narrow(0, 0, shardOf(k, world, begin, end).size()));
    return torch::cat(rows).to(local.device());
}

namespace {

// The autograd side of gatherRowsForLoss (see the header for why the factor is worldSize).
class GatherForLoss : public torch::autograd::Function<GatherForLoss> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor local,
                                 DataParallel* parallel, int64_t begin, int64_t end) {
        const BatchShard mine = parallel->shard(begin, end);
        ctx->saved_data["offset"] = mine.begin - begin;
        ctx->saved_data["rows"] = mine.size();
        ctx->saved_data["world"] = int64_t(parallel->worldSize());
        return parallel->gatherRows(local, begin, end);
    }
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        const int64_t offset = ctx->saved_data["offset"].toInt();
        const int64_t rows = ctx->saved_data["rows"].toInt();
        const double world = double(ctx->saved_data["world"].toInt());
        return {grads[0].narrow(0, offset, rows) * world, torch::Tensor(), torch::Tensor(),
                torch::Tensor()};
    }
};

}  // namespace

at::Tensor DataParallel::gatherRowsForLoss(const at::Tensor& local, int64_t begin, int64_t end) {
    return GatherForLoss::apply(local, this, begin, end);
}

std::vector<double> DataParallel::broadcastValues(const std::vector<double>& values) {
    if (values.empty())
        return values;
    torch::Tensor t = torch::tensor(values, torch::TensorOptions().dtype(torch::kFloat64));
    t = onBackend(t, m_backendName, m_device).contiguous();
    guarded("broadcast of rank 0's decision", [&] { m_store->broadcast(t, 0); });
    t = t.to(torch::kCPU).contiguous();
    return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
}

// --- null-tolerant helpers -------------------------------------------------------------------

BatchShard localShard(const DataParallel* parallel, int64_t begin, int64_t end) {
    if (parallel)
        return parallel->shard(begin, end);
    BatchShard all;
    all.begin = begin;
    all.end = end;
    return all;
}

double syncGradients(DataParallel* parallel, const std::vector<at::Tensor>& params,
                     double lossShare) {
    return parallel ? parallel->allReduceGradients(params, lossShare) : lossShare;
}

void broadcastFromLeader(DataParallel* parallel, const std::vector<at::Tensor>& tensors) {
    if (parallel)
        parallel->broadcastParameters(tensors);
}

double replicatedLossShare(const DataParallel* parallel) {
    return parallel ? 1.0 / double(parallel->worldSize()) : 1.0;
}

}  // namespace recscope
